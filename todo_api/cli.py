"""`todo-api`: serve the API, migrate its database, or print a token signed with the secret."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from functools import partial

_TTL = re.compile(r"^(\d+)([smhd]?)$")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def ttl_seconds(text: str) -> int:
    """'15m', '2h', '30s', '1d' or plain seconds."""
    match = _TTL.match(text.strip())
    if not match or int(match[1]) == 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (try 15m, 2h, 3600)")
    return int(match[1]) * _SECONDS[match[2]]


def serve(args: argparse.Namespace) -> None:
    import os

    import uvicorn

    from todo_api.logs import logging_config
    from todo_api.serving.protocol import GuardedHttpTools, HttpLimits
    from todo_api.settings import Settings
    from todo_api.telemetry.metrics_port import metrics_for_workers

    settings = Settings()  # refuse a bad configuration here, in one line, not in a worker's trace
    if args.reload and args.workers > 1:
        raise ValueError("--reload runs one worker: leave --workers out")
    if args.workers > 1 and settings.redis_url is None and settings.rate_limits_on:
        print(
            f"todo-api: rate limits are counted per process without REDIS_URL: {args.workers} "
            f"workers allow {args.workers} times RATE_LIMIT_READS/WRITES",
            file=sys.stderr,
        )
    if args.workers > 1 and not settings.pokes_through_redis:
        print(
            f"todo-api: WARNING: {args.workers} workers without REDIS_URL do not share live "
            "updates: a write pokes only the change streams of its own worker, and a stream "
            "ticket opens a stream only on the worker that issued it",
            file=sys.stderr,
        )
    if args.no_access_log:
        os.environ["ACCESS_LOG"] = "false"  # the workers read their settings afresh
    limits = HttpLimits(
        request_seconds=settings.http_request_timeout_seconds,
        head_bytes=settings.http_max_head_bytes,
        headers=settings.http_max_headers,
    )
    # METRICS: every worker's counts, on one port
    with metrics_for_workers(settings.metrics, settings.metrics_port, args.host):
        uvicorn.run(
            "todo_api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            reload=args.reload,
            http=partial(GuardedHttpTools, limits=limits),  # type: ignore[arg-type]
            log_config=logging_config(settings.logs_as_json, settings.log_level),
            access_log=False,  # ours (todo_api.access) has the route template and request id
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        )


def migrate(_: argparse.Namespace) -> None:
    import logging.config

    from todo_api.logs import logging_config
    from todo_api.resources.migration import migrate as migrate_database
    from todo_api.settings import Settings

    settings = Settings()
    logging.config.dictConfig(logging_config(settings.logs_as_json, settings.log_level))
    migrate_database(settings)


def token(args: argparse.Namespace) -> None:
    from todo_api.container import Container

    verifier = Container().shared_secret_verifier()
    if verifier is None:
        raise RuntimeError(
            "no BETTER_AUTH_SECRET to sign with: with JWT_JWKS_URL, tokens come from the "
            "Better Auth server (GET /api/auth/token)"
        )
    print(verifier.issue(args.user_id, args.ttl))


_CONFIGURED = (
    "Configured by environment variables (a .env file in the working directory is read too): "
    "DATABASE_URL (default: the SQLite file ./todo.db), BETTER_AUTH_SECRET or JWT_JWKS_URL, "
    "ENVIRONMENT (development or production), FRONTEND_URL and CORS_ORIGINS, REDIS_URL, "
    "RATE_LIMIT_READS/WRITES, METRICS, LOG_FORMAT... every one is in docs/configuration.md."
)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="todo-api", description=__doc__, epilog=_CONFIGURED)
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = root.add_subparsers(dest="command", required=True)

    def command(name: str, about: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=about,
            description=about,
            epilog=_CONFIGURED,
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )

    run = command("serve", "run the API with uvicorn")
    run.add_argument("--host", default="127.0.0.1", help="where to listen (0.0.0.0: everywhere)")
    run.add_argument("--port", type=int, default=8000, help="the port to listen on")
    run.add_argument("--workers", type=int, default=1, help="processes (share REDIS_URL)")
    run.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    run.add_argument("--no-access-log", action="store_true", help="for benchmarks")
    run.set_defaults(handler=serve)

    schema = command("migrate", "apply pending migrations (MIGRATIONS_DATABASE_URL if set)")
    schema.set_defaults(handler=migrate)

    sign = command("token", "print a bearer token for USER_ID, signed with the secret")
    sign.add_argument("user_id", help="the token's `sub`")
    sign.add_argument("--ttl", type=ttl_seconds, default="15m", help="lifetime: 30s, 15m, 2h, 1d")
    sign.set_defaults(handler=token)
    return root


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("todo-backend")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> None:
    from pydantic import ValidationError

    from todo_api.settings import describe
    from todo_core.errors import TodoError

    args = parser().parse_args(argv)
    try:
        args.handler(args)
    except ValidationError as error:
        sys.exit(f"todo-api: {describe(error)}")
    except (ValueError, RuntimeError, TodoError) as error:  # say what, not a trace
        sys.exit(f"todo-api: {error}")

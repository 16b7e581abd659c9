"""`todo-api`: serve the API, migrate its database, or print a token signed with the secret."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence

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
    from todo_api.settings import Settings
    from todo_api.telemetry.metrics_port import metrics_for_workers

    settings = Settings()  # refuse a bad configuration here, in one line, not in a worker's trace
    if args.workers > 1 and settings.redis_url is None and settings.rate_limits_on:
        print(
            f"todo-api: rate limits are counted per process without REDIS_URL: {args.workers} "
            f"workers allow {args.workers} times RATE_LIMIT_READS/WRITES",
            file=sys.stderr,
        )
    if args.no_access_log:
        os.environ["ACCESS_LOG"] = "false"  # the workers read their settings afresh
    # METRICS: every worker's counts, on one port
    with metrics_for_workers(settings.metrics, settings.metrics_port, args.host):
        uvicorn.run(
            "todo_api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=logging_config(settings.logs_as_json, settings.log_level),
            access_log=False,  # ours (todo_api.access) has the route template and request id
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        )


def migrate(_: argparse.Namespace) -> None:
    import logging.config

    from todo_api.logs import logging_config
    from todo_api.resources.stores import migrate as migrate_database
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


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="todo-api", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    run = commands.add_parser("serve", help="run the API with uvicorn")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--no-access-log", action="store_true", help="for benchmarks")
    run.set_defaults(handler=serve)

    schema = commands.add_parser(
        "migrate", help="apply pending database migrations (MIGRATIONS_DATABASE_URL if set)"
    )
    schema.set_defaults(handler=migrate)

    sign = commands.add_parser("token", help="print a bearer token for USER_ID")
    sign.add_argument("user_id")
    sign.add_argument("--ttl", type=ttl_seconds, default=ttl_seconds("15m"), help="e.g. 15m, 2h")
    sign.set_defaults(handler=token)
    return root


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

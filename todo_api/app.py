"""create_app: the FastAPI application around a container (built here when none is given)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from starlette.middleware import Middleware

from todo_api.container import Container
from todo_api.http.middleware import cors
from todo_api.http.middleware.access_log import AccessLog
from todo_api.http.middleware.body_limit import BodyLimit
from todo_api.http.middleware.internal_errors import InternalErrors
from todo_api.http.middleware.request_telemetry import RequestTelemetry
from todo_api.http.middleware.security_headers import SecurityHeaders
from todo_api.http.openapi import install_openapi
from todo_api.http.problems import install_problem_handlers
from todo_api.http.routes import events, health, metrics, tags, tasks
from todo_api.lifespan import lifespan_of
from todo_api.rate_limits.charging import RateLimitHeaders
from todo_api.settings import Settings


def create_app(container: Container | None = None) -> FastAPI:
    container = container or Container()
    settings = container.settings()
    docs = settings.serves_docs
    # The interactive docs load their scripts from the package (fastapi-offline), never from
    # a CDN: they work on a machine without internet, and leak no visit to a third party.
    app = (FastAPIOffline if docs else FastAPI)(
        title="Todo API",
        description="Multi-user tasks behind Better Auth tokens.",
        version=_version(),
        lifespan=lifespan_of(container),
        middleware=middleware(settings),
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        # `/api/alice/tasks/` is not found: a redirect would be built from the Host header,
        # and answered before the token is looked at.
        redirect_slashes=False,
        # Spans and metrics are ours (todo_api.telemetry), on providers of the app's own:
        # FastAPI's native OpenTelemetry, on the global providers, would double them.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_problem_handlers(app)
    app.include_router(tasks.router)
    app.include_router(tags.router)
    app.include_router(events.router)
    app.include_router(health.router)
    if settings.metrics and settings.metrics_token is not None:  # else METRICS_PORT, or none
        app.include_router(metrics.router_for(settings.metrics_token.get_secret_value()))
    # The task routes first: every request is matched against the routes in order, and the
    # docs' (with their static files) are the rarest.
    app.router.routes.sort(key=lambda route: not getattr(route, "path", "").startswith("/api/"))
    install_openapi(app)
    return app


def middleware(settings: Settings) -> list[Middleware]:
    """Every middleware, outermost first."""
    telemetry = [Middleware(RequestTelemetry)] if settings.telemetry_on else []
    return [
        Middleware(AccessLog, enabled=settings.access_log),  # sees everything, stamps the id
        Middleware(SecurityHeaders),  # on every answer: a preflight's, a 500's too
        *telemetry,  # inside the log: spans carry its request id
        Middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=cors.REQUEST_HEADERS,
            expose_headers=cors.RESPONSE_HEADERS,
            max_age=cors.PREFLIGHT_MAX_AGE_SECONDS,
        ),
        Middleware(InternalErrors),  # inside CORS and the log: its answers get both
        Middleware(RateLimitHeaders),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
    ]


def _version() -> str:
    try:
        return version("todo-backend")
    except PackageNotFoundError:
        return "0.0.0"

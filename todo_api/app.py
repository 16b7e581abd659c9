"""create_app: the FastAPI application around a container (built here when none is given)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from todo_api.container import Container
from todo_api.http import cors, health_routes, task_routes
from todo_api.http.access_log import AccessLog
from todo_api.http.body_limit import BodyLimit
from todo_api.http.internal_errors import InternalErrors
from todo_api.http.metrics_routes import metrics_router
from todo_api.http.openapi import install_openapi
from todo_api.http.problems import install_problem_handlers
from todo_api.http.rate_limits import RateLimitHeaders
from todo_api.http.request_telemetry import RequestTelemetry
from todo_api.lifespan import lifespan_of


def create_app(container: Container | None = None) -> FastAPI:
    container = container or Container()
    settings = container.settings()
    app = FastAPI(
        title="Todo API",
        description="Multi-user tasks behind Better Auth tokens.",
        version=_version(),
        lifespan=lifespan_of(container),
        # Spans and metrics are ours (todo_api.telemetry), on providers of the app's own:
        # FastAPI's native OpenTelemetry, on the global providers, would double them.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(InternalErrors)  # inside CORS and the log: its answers get both
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=cors.REQUEST_HEADERS,
        expose_headers=cors.RESPONSE_HEADERS,
        max_age=cors.PREFLIGHT_MAX_AGE_SECONDS,
    )
    if settings.metrics or settings.otel_exporter_otlp_endpoint:
        app.add_middleware(RequestTelemetry)  # inside the log: spans carry its request id
    app.add_middleware(AccessLog, enabled=settings.access_log)  # outermost: sees everything
    install_problem_handlers(app)
    app.include_router(task_routes.router)
    app.include_router(health_routes.router)
    if settings.metrics and settings.metrics_token is not None:  # else METRICS_PORT, or none
        app.include_router(metrics_router(settings.metrics_token.get_secret_value()))
    install_openapi(app)
    return app


def _version() -> str:
    try:
        return version("todo-backend")
    except PackageNotFoundError:
        return "0.0.0"

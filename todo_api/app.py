"""create_app: the FastAPI application around a container (built here when none is given)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from todo_api import routes_health, routes_tasks
from todo_api.access_log import AccessLog
from todo_api.body_limit import BodyLimit
from todo_api.container import Container
from todo_api.openapi import install_problem_openapi
from todo_api.problems import install_problem_handlers
from todo_core.errors import TodoError

log = logging.getLogger(__name__)


def create_app(container: Container | None = None) -> FastAPI:
    container = container or Container()
    settings = container.settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Build the graph before the first request: a bad database or secret fails start-up.
        try:
            await run_in_threadpool(container.task_service)
        except TodoError as error:  # e.g. the database never answered: say so in one line
            log.critical("cannot start: %s", error)
            raise
        await run_in_threadpool(container.token_verifier)
        published = container.jwks_verifier()
        if published is not None:  # warm the key cache; a failure is logged and retried later
            await run_in_threadpool(published.refresh)
        try:
            yield
        finally:
            await run_in_threadpool(container.shutdown_resources)

    app = FastAPI(
        title="Todo API",
        description="Multi-user tasks behind Better Auth tokens.",
        version=_version(),
        lifespan=lifespan,
    )
    app.state.container = container
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID"],
    )
    app.add_middleware(AccessLog, enabled=settings.access_log)  # outermost: sees everything
    install_problem_handlers(app)
    app.include_router(routes_tasks.router)
    app.include_router(routes_health.router)
    install_problem_openapi(app)
    return app


def _version() -> str:
    try:
        return version("todo-backend")
    except PackageNotFoundError:
        return "0.0.0"

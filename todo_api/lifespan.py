"""What happens when the app starts and stops.

At start the container builds what requests share (a bad database or secret fails here, in
one line), the auth server's keys are fetched, and one line says how the app is configured.
At stop everything is closed, and forgotten: a later start builds it all afresh.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import TypeVar

from fastapi import FastAPI

from todo_api.container import Container
from todo_api.http.state import Shared, State
from todo_api.logs import configure_unless_configured
from todo_api.resources.draining import drained_on_sigterm
from todo_api.resources.task_store import TaskStore
from todo_core.errors import TodoError

log = logging.getLogger("todo_api")
T = TypeVar("T")


def lifespan_of(container: Container) -> Callable[[FastAPI], AbstractAsyncContextManager[State]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[State]:
        settings = container.settings()
        configure_unless_configured(settings.logs_as_json, settings.log_level)
        with _young_garbage_collected_every(settings.gc_gen0_threshold):
            shared = await _start(container)
            drain_seconds = container.settings().shutdown_drain_seconds
            with (
                _frozen_for_the_collector(),
                drained_on_sigterm(container.draining(), drain_seconds),
            ):
                try:
                    yield {"shared": shared}
                finally:
                    await _stop(container)

    return lifespan


async def _start(container: Container) -> Shared:
    try:
        shared: Shared = await _resolved(container.shared())
        store: TaskStore = await _resolved(container.task_store())
        await _resolved(container.housekeeping())
        await _resolved(container.metrics_upkeep())
        await _warm_key_cache(container)
    except BaseException as error:
        await _stop(container)
        if isinstance(error, TodoError):  # e.g. the database never answered
            log.critical("cannot start: %s", error)
        raise
    settings = container.settings()
    log.info(
        "ready: tasks in %s; tokens checked by %s; browser origins %s",
        store.where,
        " and ".join(settings.token_modes),
        ", ".join(settings.allowed_origins),
    )
    return shared


async def _stop(container: Container) -> None:
    await _resolved(container.shutdown_resources())
    container.reset_singletons()


@contextmanager
def _young_garbage_collected_every(allocations: int) -> Iterator[None]:
    """Python collects its youngest generation every 700 allocations, and a long list
    allocates two tracked objects per task: at that default, collections took a large share of
    the request's CPU (the docs' performance page). 0 keeps Python's threshold."""
    before = gc.get_threshold()
    if allocations:
        gc.set_threshold(allocations, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _frozen_for_the_collector() -> Iterator[None]:
    """Whatever exists once the app has started (modules, the app, its pools) lives as long
    as the app: frozen, full collections stop re-scanning it on every request that allocates
    much (a long list's, above all). Thawed at stop, so that an
    app stopped within a longer-lived process (tests) leaves nothing uncollectable."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def _warm_key_cache(container: Container) -> None:
    """Fetch Better Auth's keys before the first token needs them; a failure is logged and
    retried on demand."""
    published = container.jwks_verifier()
    if published is not None:
        threads = container.token_threads()
        await asyncio.get_running_loop().run_in_executor(threads, published.refresh)


async def _resolved(value: T | asyncio.Future[T]) -> T:
    """dependency-injector hands back an awaitable where an async resource is involved."""
    if inspect.isawaitable(value):
        return await value
    return value

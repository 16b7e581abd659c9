"""Who is calling, and the rule that a URL names only the caller's own tasks.

One dependency does it all (bearer token, verification, URL check, service lookup): FastAPI
spends tens of microseconds per dependency level, and this runs on every request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, FastAPI, Path, Request

from todo_adapters.verifiers import RememberingVerifier
from todo_api.blocking import Blocking
from todo_api.problems import ForeignUser, MissingToken
from todo_core.ports import Principal
from todo_core.service import TaskService

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Caller:
    """The verified owner a request acts for, and how it reaches the (blocking) use cases."""

    owner: str
    tasks: TaskService
    blocking: Blocking

    async def run(self, use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`use_case(owner, *args, **kwargs)` on a worker thread, never on the event loop."""
        return await self.blocking.run(functools.partial(use_case, self.owner, *args, **kwargs))


def blocking(app: FastAPI) -> Blocking:
    """The app's threads for the task store (BLOCKING_THREADS, DB_CALL_TIMEOUT_SECONDS)."""
    runner: Blocking | None = getattr(app.state, "blocking", None)
    if runner is None:
        settings = app.state.container.settings()
        runner = Blocking(settings.blocking_threads, settings.db_call_timeout_seconds)
        app.state.blocking = runner
    return runner


def _verifying(app: FastAPI) -> anyio.CapacityLimiter:
    """Threads for token checks, bounded apart from the task store's (see principal_of)."""
    limiter: anyio.CapacityLimiter | None = getattr(app.state, "verifying", None)
    if limiter is None:
        limiter = anyio.CapacityLimiter(app.state.container.settings().blocking_threads)
        app.state.verifying = limiter
    return limiter


def token_memory(app: FastAPI) -> RememberingVerifier:
    """The container's verifier, behind a memory of the tokens it has already accepted."""
    tokens: RememberingVerifier | None = getattr(app.state, "tokens", None)
    if tokens is None:
        tokens = RememberingVerifier(app.state.container.token_verifier())
        app.state.tokens = tokens
    return tokens


async def principal_of(app: FastAPI, token: str) -> Principal:
    """A token seen before is answered from memory on the event loop; a new one is verified on
    a worker thread, since that may mean fetching signing keys from the auth server. Those
    threads are bounded apart from the database's: checks waiting on a slow auth server must
    not hold up requests whose tokens are already known."""
    tokens = token_memory(app)
    principal = tokens.recall(token)
    if principal is None:
        principal = await anyio.to_thread.run_sync(tokens.verify, token, limiter=_verifying(app))
    return principal


async def caller(
    request: Request, user_id: Annotated[str, Path(description="Must be the token's user id")]
) -> Caller:
    """Verify the bearer token, then require the URL to name the token's user: another user's
    path is 403, whatever it holds."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingToken()
    principal = await principal_of(request.app, token.strip())
    if user_id != principal.user_id:
        raise ForeignUser()
    tasks = request.app.state.container.task_service()
    return Caller(principal.user_id, tasks, blocking(request.app))


Me = Annotated[Caller, Depends(caller)]

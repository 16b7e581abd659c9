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


@dataclass(frozen=True, slots=True)
class Shared:
    """What every request of an app uses: the task store's threads (BLOCKING_THREADS,
    DB_CALL_TIMEOUT_SECONDS), separate threads for token checks (see principal_of), and the
    memory of tokens already accepted in front of the container's verifier."""

    blocking: Blocking
    verifying: anyio.CapacityLimiter
    tokens: RememberingVerifier


def shared(app: FastAPI) -> Shared:
    """Built on the first request (anyio limiters belong to the running event loop)."""
    found: Shared | None = getattr(app.state, "shared", None)
    if found is None:
        container = app.state.container
        settings = container.settings()
        found = Shared(
            Blocking(settings.blocking_threads, settings.db_call_timeout_seconds),
            anyio.CapacityLimiter(settings.blocking_threads),
            RememberingVerifier(container.token_verifier()),
        )
        app.state.shared = found
    return found


async def principal_of(state: Shared, token: str) -> Principal:
    """A token seen before is answered from memory on the event loop; a new one is verified on
    a worker thread, since that may mean fetching signing keys from the auth server. Those
    threads are bounded apart from the database's: checks waiting on a slow auth server must
    not hold up requests whose tokens are already known."""
    principal = state.tokens.recall(token)
    if principal is None:
        verify = state.tokens.verify
        principal = await anyio.to_thread.run_sync(verify, token, limiter=state.verifying)
    return principal


async def caller(
    request: Request, user_id: Annotated[str, Path(description="Must be the token's user id")]
) -> Caller:
    """Verify the bearer token, then require the URL to name the token's user: another user's
    path is 403, whatever it holds."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise MissingToken()
    state = shared(request.app)
    principal = await principal_of(state, token.strip())
    if user_id != principal.user_id:
        raise ForeignUser()
    tasks = request.app.state.container.task_service()
    return Caller(principal.user_id, tasks, state.blocking)


Me = Annotated[Caller, Depends(caller)]

"""The one per-request dependency: who is calling, and their tasks.

One dependency does it all (bearer token, verification, the URL's user id, the service bound to
the caller): FastAPI's cost is per dependency level, on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Unpack

from fastapi import Depends, Path, Request

from todo_adapters.tokens.claims import MAX_TOKEN_LENGTH
from todo_api.http.refusals import ForeignUser, MissingToken, TokenTooLarge
from todo_api.http.state import shared
from todo_api.rate_limits.charging import address_key, charge
from todo_core.errors import InvalidToken, TokenCheckUnavailable, TokenExpired
from todo_core.idempotency import Done
from todo_core.listing import TaskPage, TaskQuery
from todo_core.planned_lists import TagCounts
from todo_core.planning import PlannedFields
from todo_core.service_async import AsyncTaskService
from todo_core.syncing import Changes
from todo_core.tasks import ChangedFields, Task

MAX_AUTHORIZATION_LENGTH = len("Bearer ") + MAX_TOKEN_LENGTH


@dataclass(frozen=True, slots=True)
class CallerTasks:
    """The caller's tasks: the use cases with the owner already bound, so a route cannot pass
    anyone else's id (`await tasks.add(title, description)`)."""

    owner: str
    service: AsyncTaskService

    async def list(self) -> list[Task]:
        return await self.service.list(self.owner)

    async def page(self, query: TaskQuery) -> TaskPage:
        return await self.service.page(self.owner, query)

    async def changes(self, cursor: str) -> Changes:
        return await self.service.changes(self.owner, cursor)

    async def get(self, task_id: int) -> Task:
        return await self.service.get(self.owner, task_id)

    async def tags(self) -> TagCounts:
        return await self.service.tags(self.owner)

    # Writes, with or without an idempotency key (`key`): with one, a repeat of the request
    # answers with the first one's outcome (`Done.replayed`).

    async def add(
        self,
        title: str,
        description: str | None = None,
        completed: bool = False,
        *,
        key: str | None = None,
        **planned: Unpack[PlannedFields],
    ) -> Done:
        """`planned`: the optional fields (priority, tags, due_date, ...), by name."""
        service, owner = self.service, self.owner
        if key is None:
            return Done(await service.add(owner, title, description, completed, **planned))
        return await service.add_once(owner, key, title, description, completed, **planned)

    async def change(
        self,
        task_id: int,
        *,
        expected: int | None = None,
        key: str | None = None,
        **fields: Unpack[ChangedFields],
    ) -> Done:
        """Set the `fields` given (null clears an optional one); the others are kept."""
        service, owner = self.service, self.owner
        if key is None:
            return Done(await service.change(owner, task_id, expected=expected, **fields))
        return await service.change_once(owner, key, task_id, expected=expected, **fields)

    async def toggle(
        self, task_id: int, expected: int | None = None, *, key: str | None = None
    ) -> Done:
        if key is None:
            return Done(await self.service.toggle(self.owner, task_id, expected))
        return await self.service.toggle_once(self.owner, key, task_id, expected)

    async def remove(
        self, task_id: int, expected: int | None = None, *, key: str | None = None
    ) -> Done:
        if key is None:
            await self.service.remove(self.owner, task_id, expected)
            return Done(None)
        return await self.service.remove_once(self.owner, key, task_id, expected)


async def get_caller_tasks(
    request: Request, user_id: Annotated[str, Path(description="Must be the token's user id")]
) -> CallerTasks:
    """Verify the bearer token, then require the URL to name the token's user: another user's
    path is 403, whatever it holds. A token seen before is answered from memory; a new one is
    checked off the event loop (it may mean fetching the auth server's keys).

    Each request spends one from a budget (429 once spent): the token's user's, or, for a
    request that does not authenticate, its client address's (so guessing tokens is
    limited too; an expired token is not a guess, and is not charged)."""
    state = shared(request)
    try:
        principal = await state.tokens.verify(_bearer_token(request))
    except TokenExpired:  # genuine, only old: not a guess (and a page must see it to refresh)
        raise
    except (InvalidToken, TokenTooLarge, TokenCheckUnavailable):
        await charge(request, address_key(request))
        raise
    await charge(request, f"user:{principal.user_id}")
    if user_id != principal.user_id:
        raise ForeignUser()
    return CallerTasks(principal.user_id, state.tasks)


def _bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if len(header) > MAX_AUTHORIZATION_LENGTH:
        raise TokenTooLarge()
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise MissingToken()
    return token


CallerTasksDep = Annotated[CallerTasks, Depends(get_caller_tasks)]

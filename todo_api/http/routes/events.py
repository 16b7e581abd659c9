"""The change stream: `GET /api/{user_id}/events`, `text/event-stream` ("poke, then pull").

Each `changed` event says only that the user's tasks changed; its `id` is a sync cursor, and
the page pulls what changed with the sync it already has (`GET .../tasks?changed_since=`). A
browser that reconnects sends the last id back (`Last-Event-ID`), as may any client
(`?since=`): a client that is behind gets a `changed` at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from todo_api.http.caller import CallerTasks, CallerTasksDep, get_caller_tasks
from todo_api.http.openapi import errors_doc
from todo_api.http.refusals import InvalidStreamCursor, InvalidTicket
from todo_api.http.state import StreamTiming, shared
from todo_api.http.tickets import TICKET_SECONDS
from todo_api.rate_limits.charging import address_key, charge
from todo_core.errors import InvalidSyncCursor

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/{user_id}/events", tags=["events"])
RETRY_MS = (2_000, 5_000)  # a client waits this long (at random, within) to reconnect
_PING = ServerSentEvent(event="ping", raw_data="{}")  # named: a page's watchdog sees it


async def _stream_caller(
    request: Request, user_id: Annotated[str, Path(description="Must be the token's user id")]
) -> CallerTasks:
    """The bearer token's user, as on every route; or, for a browser's EventSource (which
    cannot send a header), the user of a single-use `?ticket=` (used, expired, unknown or
    another user's: 401). A token in the URL is no credential."""
    ticket = request.query_params.get("ticket")
    if ticket is None:
        return await get_caller_tasks(request, user_id)
    state = shared(request)
    owner = await state.tickets.redeem(ticket)  # TokenCheckUnavailable: 503, Retry-After
    if owner != user_id:
        await charge(request, address_key(request))  # guessing tickets spends a budget
        raise InvalidTicket()
    await charge(request, f"user:{owner}")
    return CallerTasks(owner, state.tasks)


async def _followed(
    request: Request,
    tasks: Annotated[CallerTasks, Depends(_stream_caller)],
    since: Annotated[
        str | None,
        Query(description="A sync cursor (a `changed` event's id) to compare with at once"),
    ] = None,
) -> AsyncIterator[str]:
    """The caller's change cursors, checked before the stream answers: a bad cursor is 400."""
    since = since or request.headers.get("last-event-id") or None
    try:  # where the stream starts, read before it answers: no write after that is missed
        return await tasks.service.follow(tasks.owner, since)
    except InvalidSyncCursor:
        raise InvalidStreamCursor() from None


@router.post(
    "/ticket",
    status_code=201,
    responses={
        201: {"description": 'The ticket: `{"ticket": "...", "expires_in": 60}`'},
        **errors_doc(401, 403, 413, 429, 503),
    },
)
async def ticket(request: Request, tasks: CallerTasksDep) -> JSONResponse:
    """A ticket to open the stream with (`GET .../events?ticket=...`) where no header can be
    sent (a browser's EventSource): good once, for this user, for `expires_in` seconds."""
    issued = await shared(request).tickets.issue(tasks.owner)
    return JSONResponse({"ticket": issued, "expires_in": TICKET_SECONDS}, status_code=201)


@router.get(
    "",
    response_class=EventSourceResponse,
    responses={
        200: {"description": "`changed`, `ping` (and `retry:` first) until the stream ends"},
        **errors_doc(400, 401, 403, 413, 422, 429, 503),
    },
)
async def events(
    request: Request, cursors: Annotated[AsyncIterator[str], Depends(_followed)]
) -> AsyncIterator[ServerSentEvent]:
    """The user's change stream: `changed` (`data: {"cursor": ...}`, the cursor also its
    `id`) after each burst of writes to their tasks, on any replica; `ping` on an idle
    stream; `retry:` first. It ends after EVENTS_MAX_LIFETIME_SECONDS (the browser reconnects
    on its own, with `Last-Event-ID`)."""
    timing = shared(request).streams
    yield ServerSentEvent(retry=random.randint(*RETRY_MS), comment="following")  # noqa: S311
    async for event in _paced(cursors, timing):
        yield event


async def _paced(
    cursors: AsyncIterator[str], timing: StreamTiming
) -> AsyncIterator[ServerSentEvent]:
    """Each newest cursor as a `changed` (a slot of one: a slow client skips none of the
    changes, only stale cursors), a ping when idle, until the stream's lifetime is up, or
    until following fails (the store away): then the stream ends, with one log line, and the
    client reconnects after its `retry`."""
    latest: list[str] = []
    poked = asyncio.Event()

    async def pump() -> None:
        try:
            async for cursor in cursors:
                latest[:] = [cursor]
                poked.set()
        finally:
            poked.set()  # wakes the stream to end

    pumping = asyncio.create_task(pump())
    loop = asyncio.get_running_loop()
    ends = loop.time() + timing.lifetime_seconds
    try:
        while (left := ends - loop.time()) > 0:
            try:
                await asyncio.wait_for(poked.wait(), min(timing.ping_seconds, left))
            except TimeoutError:
                if ends - loop.time() > 0:
                    yield _PING
                continue
            poked.clear()
            if pumping.done():
                error = pumping.exception()
                log.warning("a change stream ended: following failed (%s)", type(error).__name__)
                return
            cursor = latest[0]
            yield ServerSentEvent(event="changed", id=cursor, data={"cursor": cursor})
    finally:
        pumping.cancel()
        await asyncio.gather(pumping, return_exceptions=True)  # its failure is said above

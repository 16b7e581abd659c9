"""Reading a change stream (`text/event-stream`) as a client does, over a real connection."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType

import httpx2


@dataclass
class Event:
    """One server-sent event, its fields as the SSE parsing rules of HTML read them."""

    event: str = "message"
    data: list[str] = field(default_factory=list)
    id: str | None = None
    retry: int | None = None
    comments: list[str] = field(default_factory=list)


async def events_of(response: httpx2.Response) -> AsyncIterator[Event]:
    """The events of an open stream, as they come (a blank line ends each)."""
    current = Event()
    async for line in response.aiter_lines():
        if line == "":
            yield current
            current = Event()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            current.comments.append(value)
        elif name == "event":
            current.event = value
        elif name == "data":
            current.data.append(value)
        elif name == "id":
            current.id = value
        elif name == "retry":
            current.retry = int(value)


class EventStream:
    """An open stream whose events are read into a queue as they come, so that a test can
    wait for one with a timeout, or see that none came, without losing the stream."""

    def __init__(self, client: httpx2.AsyncClient, url: str, **headers: str) -> None:
        self._opening = client.stream("GET", url, headers=headers, timeout=None)
        self.response: httpx2.Response | None = None
        self.events: asyncio.Queue[Event | None] = asyncio.Queue()  # None: the stream ended
        self._reading: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventStream:
        self.response = await self._opening.__aenter__()
        self._reading = asyncio.create_task(self._read(self.response))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
        await self._opening.__aexit__(kind, error, tb)

    async def _read(self, response: httpx2.Response) -> None:
        if response.status_code == 200:
            async for event in events_of(response):
                await self.events.put(event)
        await self.events.put(None)

    async def next(self, name: str, seconds: float = 5) -> Event:
        """The next event called `name` within `seconds` (others, pings among them, skipped)."""

        async def find() -> Event:
            while (event := await self.events.get()) is not None:
                if event.event == name:
                    return event
            raise AssertionError(f"the stream ended before a {name!r} event")

        return await asyncio.wait_for(find(), seconds)

    async def none_named(self, name: str, seconds: float) -> bool:
        """Whether no event called `name` comes within `seconds`."""
        with contextlib.suppress(TimeoutError):
            await self.next(name, seconds)
            return False
        return True

    async def ended(self, seconds: float) -> bool:
        """Whether the server ends the stream within `seconds`."""
        try:
            await self.next("(no such event)", seconds)
        except AssertionError:
            return True
        except TimeoutError:
            return False
        return False

"""HTTP/1.1 as `todo-api serve` speaks it: uvicorn's httptools protocol, with the limits it
lacks. Without them a client could hold a connection for ever by sending a request line
slowly, a header every few seconds, or a declared body a byte at a time; and httptools takes
headers of any size and number (a 20 MB header left 58 MB behind).

- A request, head and body, must arrive within `request_seconds` of its first byte (for a
  new connection's first request, of the connection itself), or it is answered 408 and the
  connection closed. A body is at most MAX_BODY_BYTES, so this bounds its pace too.
- A head over `head_bytes`, or with more than `headers` headers, is answered 431 and closed.

Deadlines are a number per connection, checked by one sweep per event loop every
`SWEEP_SECONDS` (a timer per request would cost every request a heap push and a cancelled
entry): a deadline is kept to within that much.

This subclasses uvicorn's protocol and leans on its callbacks and its `send_400_response`:
the one use of uvicorn's internals, held by tests/e2e/test_slow_and_large_requests.py and
bounded in pyproject.toml.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

SWEEP_SECONDS: Final = 0.5


@dataclass(frozen=True)
class HttpLimits:
    request_seconds: float = 9.0
    head_bytes: int = 32 * 1024
    headers: int = 100


class _HeadTooLarge(Exception):
    """Raised from a parser callback: httptools stops parsing, uvicorn answers."""


_ANSWERS = {
    408: b"HTTP/1.1 408 Request Timeout\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
}
_on_header = HttpToolsProtocol.on_header
_on_url = HttpToolsProtocol.on_url


class GuardedHttpTools(HttpToolsProtocol):
    def __init__(self, *args: Any, limits: HttpLimits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = limits
        self._deadline = 0.0  # loop time by which the current request is due; 0: none
        self._head_bytes = 0
        self._too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = self.loop.time() + self._limits.request_seconds  # even for no byte
        _Sweep.of(self.loop).watch(self)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._deadline = self.loop.time() + self._limits.request_seconds

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        _on_url(self, url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        if len(self.headers) >= self._limits.headers:
            self._refuse()
        _on_header(self, name, value)

    def on_message_complete(self) -> None:
        self._deadline = 0.0
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse; 431 when we stopped the parser."""
        if self._too_large:
            self._answer(431, "Request header fields too large")
        else:
            super().send_400_response(msg)

    def overdue(self, now: float) -> bool:
        return 0.0 < self._deadline <= now

    def time_out(self) -> None:
        """The request is late: 408, unless an answer has begun (then only close)."""
        self._deadline = 0.0
        if self.transport.is_closing():
            return
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()
            return
        self._answer(408, "Request not received in time")

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self._limits.head_bytes:
            self._refuse()

    def _refuse(self) -> None:
        self._too_large = True
        raise _HeadTooLarge

    def _answer(self, status: int, message: str) -> None:
        body = message.encode("ascii")
        head = b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
        length = b"content-length: " + str(len(body)).encode("ascii") + b"\r\n\r\n"
        self.transport.write(_ANSWERS[status] + head + length + body)
        self.transport.close()


class _Sweep:
    """One per event loop: every `SWEEP_SECONDS`, times out the connections that are overdue;
    it stops when none is left, and the next connection starts it again."""

    _of: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sweep]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._connections: weakref.WeakSet[GuardedHttpTools] = weakref.WeakSet()
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> _Sweep:
        sweep = cls._of.get(loop)
        if sweep is None:
            sweep = cls._of[loop] = cls(loop)
        return sweep

    def watch(self, connection: GuardedHttpTools) -> None:
        self._connections.add(connection)
        if self._timer is None:
            self._timer = self._loop.call_later(SWEEP_SECONDS, self._sweep)

    def _sweep(self) -> None:
        now = self._loop.time()
        for connection in list(self._connections):
            if connection.transport.is_closing():
                self._connections.discard(connection)
            elif connection.overdue(now):
                connection.time_out()
        alive = len(self._connections) > 0
        self._timer = self._loop.call_later(SWEEP_SECONDS, self._sweep) if alive else None

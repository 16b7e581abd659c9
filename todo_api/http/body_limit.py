"""Refuse request bodies over the limit with a 413 problem, before the route runs.

Not FastAPI 0.165's `max_body_size` (Starlette's RequestBodyLimitMiddleware), which was tried:
when a route never reads its body (DELETE, PATCH .../complete) it lets the route run and only
swaps the response for a `text/plain` 413, so a DELETE with an oversized body deleted the task
and told the client it had not; and it sits outside the app's middleware, so its 413 would
carry no CORS headers. This one checks the declared length up front, counts what is streamed,
and always answers a problem.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_api.http.problems import problem


class BodyTooLarge(HTTPException):
    """Raised mid-read; an HTTPException so that FastAPI's body parser passes it through."""

    def __init__(self) -> None:
        super().__init__(413)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                await self._refuse(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge()
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"Request body over {self.max_bytes} bytes"
        response = problem(413, "content_too_large", detail)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)

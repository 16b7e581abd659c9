"""Refuse request bodies over the limit with a 413 problem, before the route runs.

Not FastAPI 0.165's `max_body_size` (Starlette's RequestBodyLimitMiddleware), which was tried:
when a route never reads its body (DELETE, PATCH .../complete) it lets the route run and only
swaps the response for a `text/plain` 413, so a DELETE with an oversized body deleted the task
and told the client it had not; and it sits outside the app's middleware, so its 413 would
carry no CORS headers. This one checks the declared length up front, counts what is streamed,
and always ends in a problem.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_api.http.middleware.base import HttpMiddleware


class BodyTooLarge(HTTPException):
    """An HTTPException so that FastAPI's body parser passes it through to its handler; one
    raised outside a route is answered by InternalErrors, just outside this middleware."""

    def __init__(self, max_bytes: int) -> None:
        detail = f"Request body over {max_bytes} bytes"
        super().__init__(413, detail, headers={"Connection": "close"})


class BodyLimit(HttpMiddleware):
    """Refuses a declared length over the limit before the app runs, and stops a streamed
    body at the limit. It only raises: answering is InternalErrors' job."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                raise BodyTooLarge(self.max_bytes)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)

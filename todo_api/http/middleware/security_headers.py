"""Headers that keep answers where they belong: every answer says `X-Content-Type-Options:
nosniff` (a browser never guesses a type we did not send), and every answer about a user's
tasks (`/api/...`, errors included) says `Cache-Control: no-store`: they are private, and no
cache between the page and us, nor the browser's disk, should keep them."""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from todo_api.http.middleware.base import HttpMiddleware

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        added = [NOSNIFF, NO_STORE] if scope["path"].startswith("/api/") else [NOSNIFF]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

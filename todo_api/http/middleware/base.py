"""The base of our ASGI middleware: each concerns HTTP requests only."""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """HTTP requests go to `handle`; anything else (the lifespan) passes straight through.

    `__call__` is a plain function that hands back the coroutine to await: no coroutine frame
    of its own between the server and `handle`, on every request, for every middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "http":
            return self.handle(scope, receive, send)
        return self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError

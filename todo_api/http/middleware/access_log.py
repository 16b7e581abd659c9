"""One log line per request, and the request id that ties it to every other line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_api.http.middleware.base import HttpMiddleware
from todo_api.logs import request_id

log = logging.getLogger("todo_api.access")

_CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # anything else could forge log lines
UNMATCHED = "<unmatched>"  # the route template of a request no route took


class AccessLog(HttpMiddleware):
    """Honours a sane `X-Request-ID` (else makes one), echoes it, and logs method, route
    template (`/api/{user_id}/tasks`, never the raw path), status and duration."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        super().__init__(app)
        self.enabled = enabled

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _CLIENT_ID.fullmatch(given) else uuid.uuid4().hex
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
                message = {**message, "headers": headers}
            await send(message)

        token = request_id.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.enabled:
                path = route_template(scope)
                elapsed = (time.perf_counter() - started) * 1000
                log.info(
                    "%s %s %d %.1f ms",
                    scope["method"],
                    path,
                    status,
                    elapsed,
                    extra={
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "duration_ms": round(elapsed, 2),
                    },
                )
            request_id.reset(token)


def route_template(scope: Scope) -> str:
    """The matched route's template (`/api/{user_id}/tasks`), never the raw path, which holds
    user ids and whatever a client typed."""
    return getattr(scope.get("route"), "path_format", None) or UNMATCHED

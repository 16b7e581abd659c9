"""What no handler answered, answered inside CORS and the access log: a 500 a browser page
can read, and an HTTPException raised outside the routes (the body limit's 413).

Starlette answers unhandled exceptions in its outermost ServerErrorMiddleware, outside every
middleware the app adds: that 500 has no CORS header (a page on another origin sees only
"Failed to fetch") and no request id. This middleware sits innermost of ours, so the 500 it
sends passes through CORS and gets the request id like any other answer.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from todo_api.http.middleware.access_log import route_template
from todo_api.http.middleware.base import HttpMiddleware
from todo_api.http.problems import http_problem, problem
from todo_api.logs import request_id

log = logging.getLogger("todo_api.errors")


class InternalErrors(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except HTTPException as error:  # an answer, not a bug
            if started:
                raise
            await http_problem(error)(scope, receive, send)
        except Exception:
            # The traceback, the route template and (from the log context) the request id;
            # never the headers or the body, which may hold a token.
            log.exception("unhandled error in %s %s", scope["method"], route_template(scope))
            if started:  # too late for a clean answer: let the server drop the connection
                raise
            detail = "Internal server error"
            response = problem(500, "internal_error", detail, request_id=request_id.get())
            await response(scope, receive, send)

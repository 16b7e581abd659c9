"""Each request measured and traced, as the app is configured: counted and timed by route
template, method and status; a 503 problem counted by its `code`; a span per request, named by
method and route template, child of the caller's `traceparent` when it sends one.

It sits inside the access log (the span carries its request id) and outside CORS (preflights
count too). With metrics and traces both off, `create_app` leaves it out: no cost at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter

from opentelemetry.trace import Span, SpanKind, StatusCode, Tracer
from starlette.types import Message, Receive, Scope, Send

from todo_api.http.middleware.access_log import UNMATCHED, route_template
from todo_api.http.middleware.base import HttpMiddleware
from todo_api.logs import request_id
from todo_api.telemetry.observing import Telemetry

REQUEST_ID_ATTRIBUTE = "request.id"  # the access log's request id, on the request's span
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_CODE = re.compile(r"[a-z_]{1,64}")
_SNIFFED_BYTES = 4096  # a problem document is far shorter
CLIENT_GONE = 499  # nginx's "client closed request": not a server error, not a span error


class RequestTelemetry(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        telemetry = _telemetry(scope)
        if telemetry is None:
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"  # no made-up labels
        if telemetry.tracer is None:  # no span object at all
            await self._measured(telemetry, method, None, scope, receive, send)
            return
        with _request_span(telemetry.tracer, scope, method) as span:
            await self._measured(telemetry, method, span, scope, receive, send)

    async def _measured(
        self,
        telemetry: Telemetry,
        method: str,
        span: Span | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        answer = _Answer(send)
        started = perf_counter()
        try:
            await self.app(scope, receive, answer.send)
        finally:
            route = route_template(scope)
            if span is not None:
                _finish(span, method, route, answer.status)
            metrics = telemetry.metrics
            if metrics is not None:
                metrics.request(route, method, answer.status, perf_counter() - started)
                if answer.status == 503:
                    metrics.unavailable(answer.problem_code())


def _telemetry(scope: Scope) -> Telemetry | None:
    """The running app's telemetry (from the lifespan's state), if anything is on."""
    shared = (scope.get("state") or {}).get("shared")
    telemetry: Telemetry | None = getattr(shared, "telemetry", None)
    return telemetry if telemetry is not None and telemetry.on else None


@contextmanager
def _request_span(tracer: Tracer, scope: Scope, method: str) -> Iterator[Span]:
    """A server span, child of the caller's `traceparent` (or whatever OTEL_PROPAGATORS
    names) when there is one."""
    from opentelemetry.propagate import extract  # builds the propagators from OTEL_PROPAGATORS

    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    attributes = {"http.request.method": method, REQUEST_ID_ATTRIBUTE: request_id.get() or ""}
    with tracer.start_as_current_span(
        method, context=extract(headers), kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        yield span


def _finish(span: Span, method: str, route: str, status: int) -> None:
    if route != UNMATCHED:
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(StatusCode.ERROR)


class _Answer:
    """Passes the response on, noting its status, and the body of a 503 (for its code)."""

    __slots__ = ("_body", "_send", "status")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = CLIENT_GONE  # nothing sent: the client left, or the request was cancelled
        self._body: bytearray | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            if self.status == 503:
                self._body = bytearray()
        elif self._body is not None and len(self._body) < _SNIFFED_BYTES:
            self._body += message.get("body", b"")
        await self._send(message)

    def problem_code(self) -> str:
        """The problem document's `code`, or `unknown` for a 503 that is not ours."""
        try:
            code = json.loads(bytes(self._body or b""))["code"]
        except (ValueError, KeyError, TypeError):
            return "unknown"
        return code if isinstance(code, str) and _CODE.fullmatch(code) else "unknown"

"""`/metrics` on the API's port, when METRICS_TOKEN is set: Prometheus' text, for a scraper that
sends `Authorization: Bearer <METRICS_TOKEN>`; a 401 problem for anyone else, whose guesses
spend their address's read budget (429 once it is spent). Not in the
OpenAPI document: it is for operators, not clients."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from todo_api.http.challenges import challenge
from todo_api.http.problems import problem
from todo_api.http.state import shared
from todo_api.rate_limits.charging import address_key, charge

EXPOSITION_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # prometheus_client's


def router_for(token: str) -> APIRouter:
    metrics_routes = APIRouter()
    expected = _digest(token)

    @metrics_routes.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            await charge(request, address_key(request))  # guesses spend the address's budget
            detail = "Send Authorization: Bearer <METRICS_TOKEN>"
            return problem(401, "token_missing", detail, challenge("token_missing", detail))
        # Digests of equal length, compared in constant time: neither the token nor its
        # length can be found by timing.
        if not hmac.compare_digest(_digest(given), expected):
            await charge(request, address_key(request))
            detail = "Not the metrics token"
            return problem(401, "invalid_token", detail, challenge("invalid_token", detail))
        from todo_api.telemetry.scraping import exposition  # imported once metrics are on

        kept = shared(request).telemetry.metrics
        if kept is not None:
            kept.flush()  # this process's latest counts (on the event loop, like the counting)
        body = await run_in_threadpool(exposition, kept)  # multiprocess: it reads files
        return Response(body, media_type=EXPOSITION_TYPE)

    return metrics_routes


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()

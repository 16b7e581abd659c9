"""The `Idempotency-Key` request header (IETF httpapi draft) and the `Idempotent-Replayed`
answer. The draft writes the key as a structured-field string (`"abc"`); Stripe and most
clients send it bare: both are taken, as the same key. What a key may hold is the domain's
rule (`todo_core.idempotency.check_key`)."""

from __future__ import annotations

from fastapi import Request, Response

from todo_core.idempotency import Done

REPLAYED = "Idempotent-Replayed"


def idempotency_key(request: Request) -> str | None:
    value = request.headers.get("idempotency-key")
    if value is None:
        return None
    value = value.strip(" \t")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def marked(response: Response, done: Done) -> Response:
    """The response, saying so when it is the kept answer to an earlier request."""
    if done.replayed:
        response.headers[REPLAYED] = "true"
    return response

"""The list's query string and the conditional headers, read by hand and documented by
`openapi_extra`: FastAPI solving them as parameters made the plain list much dearer (the docs'
performance page), for a request that, without a query string, uses none of them."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from todo_api.http.list_query import ListParameters
from todo_core.idempotency import KEY_MAX

REPEATABLE = frozenset({"priority", "tag"})  # any of these priorities; all of these tags


def list_parameters(request: Request) -> ListParameters | None:
    """The list's parameters, or None when there are none (the seed's whole list). A
    parameter given twice is refused rather than guessed at, but for the `REPEATABLE` ones."""
    query = request.query_params
    if not query:
        return None
    given: dict[str, str | list[str]] = {}
    for name, value in query.multi_items():
        if name in REPEATABLE:
            given[name] = query.getlist(name)
        elif name in given:
            raise RequestValidationError(
                [{"loc": ("query", name), "msg": "is given twice", "type": "duplicate"}]
            )
        else:
            given[name] = value
    try:
        return ListParameters.model_validate(given)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


def _header(name: str, description: str, **schema: object) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


IF_MATCH = _header("If-Match", 'Write only if the task\'s ETag is still this one (`"3"`), else 412')
IF_NONE_MATCH = _header("If-None-Match", "304 with no body when the ETag is still this one")
IDEMPOTENCY_KEY = _header(
    "Idempotency-Key",
    "1 to 255 printable ASCII characters (bare or as a quoted string), unique per request: "
    "a retry with the same key and request answers with the first one's result "
    "(`Idempotent-Replayed: true`) instead of writing again. Kept 24 hours",
    minLength=1,
    maxLength=KEY_MAX,
    pattern=r"^[\x20-\x7e]+$",
)


def documented_query(model: type[ListParameters]) -> list[dict[str, Any]]:
    """The model's fields as OpenAPI query parameters, with the model's own schemas."""
    schema = model.model_json_schema()
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": field.pop("description", ""),
            "schema": {k: v for k, v in field.items() if k != "title"},
        }
        for name, field in schema["properties"].items()
    ]

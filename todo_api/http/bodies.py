"""Request bodies, read once the caller is known.

FastAPI parses a route's JSON body before any dependency runs, so a malformed body from
someone without a token was a 422 where a 401 was due (and a 422 for another user's path,
where a 403 was): whoever sends a request learns first who may send it. The write routes read
their body here, after `CallerTasksDep`, with FastAPI's own answers for what is not a body
(the same 422 `invalid_request` and 400 `bad_request`), and document it with `documented`.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

M = TypeVar("M", bound=BaseModel)
_NOT_AN_OBJECT = "Input should be a valid dictionary or object to extract fields from"


async def required(request: Request, model: type[M]) -> M:
    body = await optional(request, model)
    if body is None:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    return body


async def optional(request: Request, model: type[M]) -> M | None:
    """The body as `model`; None for none at all (or JSON `null`)."""
    raw = await request.body()
    if not raw:
        return None
    if not _is_json(request.headers.get("content-type", "")):  # FastAPI's strict check
        raise _invalid("model_attributes_type", ("body",), _NOT_AN_OBJECT)
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise _invalid("json_invalid", ("body", error.pos), "JSON decode error") from None
    except ValueError:  # bytes that are not UTF-8
        raise HTTPException(400, "There was an error parsing the body") from None
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
        raise RequestValidationError(
            [{**problem, "loc": ("body", *problem["loc"])} for problem in problems]
        ) from None


def documented(
    model: type[BaseModel], *, required: bool = True, examples: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `openapi_extra` that declares `model` as the route's JSON body (its schema is a
    component of the document: `openapi.install_openapi` adds it), with named `examples`
    (each an OpenAPI Example Object: `{"summary": ..., "value": ...}`)."""
    schema: dict[str, Any] = {"$ref": f"#/components/schemas/{model.__name__}"}
    if not required:  # none at all, or JSON null: the same (`optional`)
        schema = {"anyOf": [schema, {"type": "null"}]}
    media: dict[str, Any] = {"schema": schema}
    if examples:
        media["examples"] = examples
    return {"requestBody": {"required": required, "content": {"application/json": media}}}


def _is_json(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _invalid(kind: str, loc: tuple[object, ...], message: str) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": loc, "msg": message}])

"""The OpenAPI document declares every status a route can answer, as problem+json.

So that client generators and fuzzers (schemathesis) find nothing undocumented.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from todo_api.http.problems import PROBLEM_TYPE, Problem
from todo_api.http.schemas import TASK_FIELDS, Completion, TaskIn, TaskPatch

_WHY = {
    400: "A body that cannot be parsed; a cursor from another list, user or query; an If-Match "
    "with several tags; changed_since with another parameter; an Idempotency-Key that is not "
    "1 to 255 printable ASCII characters",
    401: "Missing, malformed, expired or wrongly signed token, or no user id in it",
    403: "The URL names another user",
    404: "No such task for this user",
    409: "The first request with this Idempotency-Key is still running (retry after "
    "`Retry-After` seconds); or, creating, the user already has the most tasks allowed "
    "(`task_limit_reached`)",
    410: "The sync cursor (changed_since) is older than the deletions kept; sync from 0",
    412: "The task changed since the ETag in If-Match; nothing was changed",
    413: "Request body too large",
    422: "Invalid body or parameters; an Idempotency-Key used before for another request",
    429: "Too many requests of this kind (reads or writes) from this user, or from this "
    "address without a valid token; retry after `Retry-After` seconds",
    503: "Database or token keys unavailable; retry after `Retry-After` seconds",
}


_BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "A JWT from Better Auth (or from `todo-api token`)",
}


def errors_doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with the Problem schema."""
    documented: dict[int | str, dict[str, Any]] = {
        status: {"model": Problem, "description": _WHY[status]} for status in statuses
    }
    if 429 in documented:
        documented[429].update(headers_doc("Retry-After", "RateLimit", "RateLimit-Policy"))
    return documented


_HEADERS = {
    "ETag": "The version: send it back in If-Match (writes) or If-None-Match (reads)",
    "Link": 'The next page, as `<URL>; rel="next"`, while more tasks follow',
    "Location": "The new task's path",
    "Idempotent-Replayed": "`true` when this is the answer kept from an earlier request "
    "with the same Idempotency-Key (nothing was written again)",
    "Retry-After": "Seconds to wait before sending again",
    "RateLimit": 'What is left of the budget: `"writes";r=0;t=12` (IETF httpapi draft)',
    "RateLimit-Policy": 'The budget: `"writes";q=600;w=60`, requests per window of seconds',
}


def headers_doc(*names: str) -> dict[str, Any]:
    """`responses=` entry for a success that carries these headers."""
    return {
        "headers": {
            name: {"description": _HEADERS[name], "schema": {"type": "string"}} for name in names
        }
    }


def install_openapi(app: FastAPI) -> None:
    """Generate the schema once: error bodies as `application/problem+json`, the bearer scheme
    on task routes, and the words for the Task fields."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            components = schema.setdefault("components", {})
            components["securitySchemes"] = {"bearer": _BEARER}
            schemas = components["schemas"]
            for body in (TaskIn, TaskPatch, Completion):  # read by the routes themselves
                schemas.update(_component_schemas(body))
            _describe_task(schemas["Task"])
            _describe_recurrence(schemas["Recurrence"])
            _describe_changes(schemas["Changes"])
            schemas["TagCount"]["description"] = "A tag, and on how many of the user's tasks"
            for route, path in schema.get("paths", {}).items():
                for operation in path.values():
                    _problem_media_type(operation.get("responses", {}))
                    if route.startswith("/api/"):
                        operation["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_media_type(responses: dict[str, Any]) -> None:
    """Every error is problem+json, whatever a route's own answers are (FastAPI gives an
    error the route's media type: JSON, or the change stream's `text/event-stream`)."""
    for status, response in responses.items():
        content = response.get("content", {})
        if status.isdigit() and int(status) >= 400 and content:
            response["content"] = {PROBLEM_TYPE: next(iter(content.values()))}


def _describe_task(task: dict[str, Any]) -> None:
    task["description"] = "One of the caller's tasks"  # not the dataclass's note to adapters
    for name, field in task["properties"].items():
        field["description"] = TASK_FIELDS[name]
    task["required"] = list(task["properties"])  # every body has every field, defaults or not


def _component_schemas(model: type[BaseModel]) -> dict[str, Any]:
    """The model's schema and those of the models it holds, as components of the document."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**schema.pop("$defs", {}), model.__name__: schema}


def _describe_recurrence(recurrence: dict[str, Any]) -> None:
    recurrence["description"] = "How a task comes back when completed"
    recurrence["required"] = list(recurrence["properties"])
    properties = recurrence["properties"]
    properties["rule"]["description"] = "The RRULE, in one spelling (upper case, parts in order)"
    properties["from"]["description"] = "The next due counts from the due, or the completion"
    # A wall time in the task's zone, with no offset: not an RFC 3339 date-time.
    properties["series_start"] = {
        "anyOf": [{"type": "string", "pattern": _WALL_TIME}, {"type": "null"}],
        "description": "Where the series starts (iCalendar's DTSTART): the due it had when the "
        "recurrence or the due was last set, in the wall time of the task's zone (no offset)",
    }


_WALL_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?$"


def _describe_changes(changes: dict[str, Any]) -> None:
    changes["description"] = "What changed since a sync's cursor"  # not the note to adapters

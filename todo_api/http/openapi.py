"""The OpenAPI document declares every status a route can answer, as problem+json.

So that client generators and fuzzers (schemathesis) find nothing undocumented.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

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
            for body in (TaskIn, TaskPatch, Completion):  # read by the routes themselves
                components["schemas"][body.__name__] = body.model_json_schema()
            _describe_task(components["schemas"]["Task"])
            _describe_changes(components["schemas"]["Changes"])
            for route, path in schema.get("paths", {}).items():
                for operation in path.values():
                    _problem_media_type(operation.get("responses", {}))
                    if route.startswith("/api/"):
                        operation["security"] = [{"bearer": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_media_type(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        content = response.get("content", {})
        if status.isdigit() and int(status) >= 400 and "application/json" in content:
            content[PROBLEM_TYPE] = content.pop("application/json")


def _describe_task(task: dict[str, Any]) -> None:
    task["description"] = "One of the caller's tasks"  # not the dataclass's note to adapters
    for name, field in task["properties"].items():
        field["description"] = TASK_FIELDS[name]
    task["required"] = list(task["properties"])  # every body has every field, defaults or not


def _describe_changes(changes: dict[str, Any]) -> None:
    changes["description"] = "What changed since a sync's cursor"  # not the note to adapters

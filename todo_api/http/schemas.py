"""The JSON the API reads and writes. Rules about tasks live in todo_core, not here.

Request models are strict (no "yes" for true, no number for a string) and refuse unknown
fields, so a typo in a field name is an error rather than a silently ignored change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from todo_api.http.problems import ConflictingParameters
from todo_core.listing import LIMIT_MAX, TEXT_MAX, TaskQuery
from todo_core.syncing import Changes
from todo_core.tasks import DESCRIPTION_MAX, TITLE_MAX, Task

# todo_core.listing.SORTS, restated for the document (a test holds them equal).
Sort = Literal[
    "id", "-id", "created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"
]

# The spellings of the seed's REST spec (`@specs/api/rest-endpoints.md`), which frontends
# written against it send on every list: what they mean in ours.
Status = Literal["all", "pending", "completed"]
STATUSES: dict[str, bool | None] = {"all": None, "pending": False, "completed": True}
SortAlias = Literal["created"]
SORT_ALIASES = {"created": "-created_at"}  # newest first

_TITLE = (
    f"1 to {TITLE_MAX} characters once surrounding whitespace is trimmed (stored trimmed); "
    "no control characters."
)
_DESCRIPTION = (
    f"At most {DESCRIPTION_MAX} characters, or null; no control characters but newline and tab."
)
_REQUEST = ConfigDict(extra="forbid", strict=True)

# The domain's rules restated as JSON Schema, so that the document is exact: a client (or a
# fuzzer) that follows it is never refused, and one that breaks it always is. Documentation
# only: todo_core is the one place that enforces them. (Lone surrogates, which the domain also
# refuses, are left out: UTF-8 cannot carry them, and schemathesis drops a pattern naming them.)
_CTRL = r"\x00-\x1f\x7f-\x9f"
_TITLE_PATTERN = rf"^\s*[^\s{_CTRL}](?:[^{_CTRL}]{{0,{TITLE_MAX - 2}}}[^\s{_CTRL}])?\s*$"
_DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f]*$"
_TITLE_SCHEMA = {"type": "string", "pattern": _TITLE_PATTERN, "description": _TITLE}
_DESCRIPTION_SCHEMA = {
    "anyOf": [
        {"type": "string", "maxLength": DESCRIPTION_MAX, "pattern": _DESCRIPTION_PATTERN},
        {"type": "null"},
    ],
    "description": _DESCRIPTION,
}


def _exactly(schema: Mapping[str, object]) -> Any:
    """Replace the generated field schema with the domain's rule."""

    def replace(field_schema: dict[str, Any]) -> None:
        field_schema.clear()
        field_schema.update(schema)

    return replace


class TaskIn(BaseModel):
    model_config = _REQUEST

    title: str = Field(json_schema_extra=_exactly(_TITLE_SCHEMA))
    description: str | None = Field(default=None, json_schema_extra=_exactly(_DESCRIPTION_SCHEMA))
    completed: bool = False


class ListParameters(BaseModel):
    """The list's query string; none of it given is the whole list, as the seed has it."""

    model_config = ConfigDict(extra="forbid")

    limit: int | None = Field(
        default=None, ge=1, le=LIMIT_MAX, description="At most this many tasks; more: `Link`"
    )
    cursor: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        description='From a `Link: <...>; rel="next"` header; opaque',
    )
    completed: bool | None = Field(default=None, description="Only done, or only open, tasks")
    status: Status | None = Field(
        default=None,
        description="The seed's REST spec's spelling of `completed`: `pending` (open), "
        "`completed` (done) or `all`; not with `completed`",
    )
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=TEXT_MAX,
        pattern=r"^[^\x00]+$",
        description="A case-insensitive substring of the title or the description",
    )
    sort: Sort | SortAlias = Field(
        default="id",
        description="A field; `-` for descending; ties by id. `created` (the seed's REST "
        "spec's spelling): newest first",
    )
    changed_since: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        description="Incremental sync: `0`, then the `cursor` of the last sync; answers what "
        "changed since, as {tasks, deleted, cursor}. Takes no other parameter",
    )

    def query(self, owner: str) -> TaskQuery:
        """The domain's query for `owner`'s list (a cursor must be from their own pages)."""
        completed = self.completed
        if self.status is not None:
            if "completed" in self.model_fields_set:
                raise ConflictingParameters("status and completed say the same thing: send one")
            completed = STATUSES[self.status]
        return TaskQuery.of(
            completed=completed,
            text=self.q,
            sort=SORT_ALIASES.get(self.sort, self.sort),
            limit=self.limit,
            cursor=self.cursor,
            owner=owner,
        )

    def others_than_sync(self) -> list[str]:
        """The parameters given besides `changed_since` (a sync takes none)."""
        return [name for name in self.model_fields_set if name != "changed_since"]


class TaskPatch(BaseModel):
    """Only the fields sent change; `description: null` clears the description."""

    model_config = _REQUEST

    # Defaults of None only mark "not sent"; null itself is refused for title and completed.
    title: str = Field(default=None, json_schema_extra=_exactly(_TITLE_SCHEMA))  # type: ignore[assignment]
    description: str | None = Field(default=None, json_schema_extra=_exactly(_DESCRIPTION_SCHEMA))
    completed: bool = Field(default=None, json_schema_extra=_exactly({"type": "boolean"}))  # type: ignore[assignment]


class Completion(BaseModel):
    """The state a task should be in, whatever it is now."""

    model_config = _REQUEST

    completed: bool


# Responses are the domain's own Task dataclass: the routes declare `response_model=Task` and
# the body is dumped from the same type, so the documented shape and the real one are one
# definition and cannot drift. The document adds these words to its fields.
TASK_FIELDS = {
    "id": "64-bit task id (a JavaScript number holds it exactly up to 2^53)",
    "user_id": "The owner: the token's user id",
    "title": f"Trimmed, 1 to {TITLE_MAX} characters",
    "description": f"At most {DESCRIPTION_MAX} characters, or null",
    "completed": "Whether the task is done",
    "created_at": "ISO 8601, UTC",
    "updated_at": "ISO 8601, UTC; advances on every change",
    "version": "1 when created, one more on every change; the task's ETag is this, quoted",
}

# Dumped by pydantic-core straight from the dataclasses, with no validation of what the domain
# just built: as fast as orjson on a long list (the docs' performance page).
_ONE = TypeAdapter(Task)
_MANY = TypeAdapter(list[Task])
_CHANGES = TypeAdapter(Changes)


def task_response(task: Task, status_code: int = 200) -> Response:
    return Response(_ONE.dump_json(task), status_code, media_type="application/json")


def tasks_response(tasks: list[Task]) -> Response:
    return Response(_MANY.dump_json(tasks), media_type="application/json")


def changes_response(changes: Changes) -> Response:
    return Response(_CHANGES.dump_json(changes), media_type="application/json")

"""The JSON the API reads and writes. Rules about tasks live in todo_core, not here.

Request models are strict (no "yes" for true, no number for a string) and refuse unknown
fields, so a typo in a field name is an error rather than a silently ignored change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated, Any, Literal, cast

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from todo_api.http import planning
from todo_api.http.planning import Day, DayOrInstant, Instant, TimeZone
from todo_api.http.problems import ConflictingParameters
from todo_core.errors import InvalidTask
from todo_core.listing import LIMIT_MAX, TEXT_MAX, TagCount, TaskQuery
from todo_core.planning import PRIORITIES, RULE_MAX, TAGS_MAX, Priority, Recurrence
from todo_core.syncing import Changes
from todo_core.tasks import DESCRIPTION_MAX, TITLE_MAX, ChangedFields, PlannedFields, Task

# todo_core.listing.SORTS, restated for the document (a test holds them equal).
Sort = Literal[
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "priority",
    "-priority",
    "due",
    "-due",
]

# The spellings of the seed's REST spec (`@specs/api/rest-endpoints.md`), which frontends
# written against it send on every list: what they mean in ours.
Status = Literal["all", "pending", "completed"]
STATUSES: dict[str, bool | None] = {"all": None, "pending": False, "completed": True}
SortAlias = Literal["created", "due_date"]
SORT_ALIASES = {"created": "-created_at", "due_date": "due"}  # newest first; soonest first

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


_RULE_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "maxLength": RULE_MAX,
    "description": "An RFC 5545 RRULE (any case; an `RRULE:` prefix is taken) in a subset: "
    "FREQ (DAILY, WEEKLY, MONTHLY or YEARLY; required), INTERVAL (1 to 99), BYDAY (`MO,WE`; "
    "numbered, `1MO` or `-1FR`, only MONTHLY or YEARLY), BYMONTHDAY (`1,-1`; not WEEKLY), and "
    "COUNT (1 to 1000) or UNTIL (`20301231` or `20301231T170000Z`); each part once. It must "
    "occur again after the due. Answered in one spelling: upper case, parts in that order",
    "examples": ["FREQ=WEEKLY;BYDAY=MO,WE", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12"],
}


class RecurrenceIn(BaseModel):
    """How a task comes back when completed (answered with the `series_start` it got)."""

    model_config = _REQUEST

    rule: str = Field(json_schema_extra=_exactly(_RULE_SCHEMA))
    start_from: Literal["due", "completion"] = Field(
        default="due",
        alias="from",
        description="Count the next due from the due it had (`due`, the default: a missed "
        "week stays missed) or from when it was completed (`completion`: every 7 days after "
        "the last time it was done)",
    )

    def domain(self) -> Recurrence:
        return Recurrence(self.rule, self.start_from)


_PLANNED = PlannedFields.__optional_keys__


class TaskIn(BaseModel):
    """A new task: a title, the rest optional (the seed's body is `{title, description}`)."""

    model_config = _REQUEST

    title: str = Field(json_schema_extra=_exactly(_TITLE_SCHEMA))
    description: str | None = Field(default=None, json_schema_extra=_exactly(_DESCRIPTION_SCHEMA))
    completed: bool = False
    # Typed loosely where the domain judges the value, which then names the field and says why
    # (422 `invalid_task`); the document states the rule exactly.
    priority: str = Field(default="medium", json_schema_extra=_exactly(planning.PRIORITY))
    tags: list[str] = Field(default_factory=list, json_schema_extra=_exactly(planning.TAGS))
    due_date: Day = Field(default=None, json_schema_extra=_exactly(planning.DUE_DATE))
    due_at: Instant = Field(default=None, json_schema_extra=_exactly(planning.DUE_AT))
    time_zone: TimeZone | None = Field(default=None, description=planning.TIME_ZONE)
    recurrence: RecurrenceIn | None = Field(default=None, description=planning.RECURRENCE)
    remind_at: Instant = Field(default=None, json_schema_extra=_exactly(planning.REMIND_AT))

    def planned(self) -> PlannedFields:
        """The optional planning fields sent, as the service takes them."""
        return cast(PlannedFields, _sent(self, _PLANNED))


_PRIORITIES_PARAMETER = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "enum": list(PRIORITIES)},
    "description": "Only tasks of this priority; repeated, of any of them "
    "(`priority=high&priority=medium`)",
}
_TAGS_PARAMETER = {
    "type": "array",
    "minItems": 1,
    "maxItems": TAGS_MAX,
    "items": {"type": "string", "pattern": planning.TAG_PATTERN},
    "description": "Only tasks with this tag, whatever its case; repeated, with all of them "
    "(`tag=work&tag=urgent`)",
}


def _due_bound(words: str) -> dict[str, object]:
    return {
        "anyOf": [planning.DAY_SCHEMA, planning.INSTANT_SCHEMA],
        "description": f"{words}: a day (YYYY-MM-DD), compared with each task's due day in its "
        "own zone, or an RFC 3339 moment with an offset, compared with the moment it is due "
        "(a due day from its start in the task's zone). Years 1970 to 2999",
    }


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
        description="A field; `-` for descending; ties by id. `priority`: low first, "
        "`-priority` high first. `due`: soonest first (a due day from its start in the "
        "task's zone), `-due` latest first; tasks without a due last both ways. `created` (the "
        "seed's REST spec's spelling): newest first; `due_date` (a peer's): `due`",
    )
    # Repeatable, these two (`parameters.list_parameters` keeps every value of them).
    priority: Annotated[tuple[Priority, ...], Field(min_length=1)] | None = Field(
        default=None, json_schema_extra=_exactly(_PRIORITIES_PARAMETER)
    )
    tag: Annotated[list[str], Field(min_length=1, max_length=TAGS_MAX)] | None = Field(
        default=None, json_schema_extra=_exactly(_TAGS_PARAMETER)
    )
    due_before: DayOrInstant = Field(
        default=None,
        json_schema_extra=_exactly(
            _due_bound("Only tasks due before this day or moment (not on it)")
        ),
    )
    due_after: DayOrInstant = Field(
        default=None,
        json_schema_extra=_exactly(_due_bound("Only tasks due on or after this day or moment")),
    )
    overdue: bool | None = Field(
        default=None,
        description="`true`: only open tasks whose due has passed (a due day once it has ended "
        "in the task's zone); `false`: every other task",
    )
    has_due: bool | None = Field(
        default=None, description="Only tasks with a due (`true`), or only those without"
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
            priorities=self.priority,
            tags=self.tag,
            due_before=self.due_before,
            due_after=self.due_after,
            overdue=self.overdue,
            has_due=self.has_due,
        )

    def others_than_sync(self) -> list[str]:
        """The parameters given besides `changed_since` (a sync takes none)."""
        return [name for name in self.model_fields_set if name != "changed_since"]


class TaskPatch(BaseModel):
    """Only the fields sent change; null clears an optional one (`description`, `due_date`,
    `due_at`, `time_zone`, `recurrence`, `remind_at`)."""

    model_config = _REQUEST

    # Defaults of None only mark "not sent"; null itself is refused for the fields that are
    # never null (title, completed, priority, tags).
    title: str = Field(default=None, json_schema_extra=_exactly(_TITLE_SCHEMA))  # type: ignore[assignment]
    description: str | None = Field(default=None, json_schema_extra=_exactly(_DESCRIPTION_SCHEMA))
    completed: bool = Field(default=None, json_schema_extra=_exactly({"type": "boolean"}))  # type: ignore[assignment]
    priority: str = Field(default=None, json_schema_extra=_exactly(planning.PRIORITY))  # type: ignore[assignment]
    tags: list[str] = Field(default=None, json_schema_extra=_exactly(planning.TAGS))  # type: ignore[arg-type]
    due_date: Day = Field(default=None, json_schema_extra=_exactly(planning.DUE_DATE))
    due_at: Instant = Field(default=None, json_schema_extra=_exactly(planning.DUE_AT))
    time_zone: TimeZone | None = Field(default=None, description=planning.TIME_ZONE)
    recurrence: RecurrenceIn | None = Field(default=None, description=planning.RECURRENCE)
    remind_at: Instant = Field(default=None, json_schema_extra=_exactly(planning.REMIND_AT))

    def changes(self) -> ChangedFields:
        """The fields sent, as the service takes them."""
        return cast(ChangedFields, _sent(self, type(self).model_fields))


def _sent(body: BaseModel, names: Collection[str]) -> dict[str, Any]:
    """The fields of `names` the body sent, with a recurrence as the domain's. More than
    TAGS_MAX tags are refused as sent, duplicates included, as the document says (it cannot
    say which the domain would fold into one)."""
    sent = {name: getattr(body, name) for name in body.model_fields_set if name in names}
    recurrence = sent.get("recurrence")
    if isinstance(recurrence, RecurrenceIn):
        sent["recurrence"] = recurrence.domain()
    if len(sent.get("tags") or ()) > TAGS_MAX:
        raise InvalidTask({"tags": f"must be at most {TAGS_MAX}"})
    return sent


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
    "priority": "`low`, `medium` or `high`",
    "tags": "Its tags, trimmed, in the order given (tags equal but for case are one)",
    "due_date": "The day it is due (YYYY-MM-DD) in `time_zone`, or null",
    "due_at": "The moment it is due (ISO 8601, UTC), or null; never with `due_date`",
    "time_zone": "The IANA zone it is planned in, or null for UTC",
    "recurrence": "How it comes back when completed (`series_start`: the due its series "
    "counts from, in the wall time of `time_zone`: iCalendar's DTSTART of what is to come), "
    "or null",
    "remind_at": "When to remind (ISO 8601, UTC), or null",
    "last_completed_at": "When it was last completed (ISO 8601, UTC), a roll of a recurring "
    "task included; or null",
}

# Dumped by pydantic-core straight from the dataclasses, with no validation of what the domain
# just built: as fast as orjson on a long list (the docs' performance page).
_ONE = TypeAdapter(Task)
_MANY = TypeAdapter(list[Task])
_CHANGES = TypeAdapter(Changes)
_TAGS = TypeAdapter(list[TagCount])


def task_response(task: Task, status_code: int = 200) -> Response:
    return Response(_ONE.dump_json(task), status_code, media_type="application/json")


def tasks_response(tasks: list[Task]) -> Response:
    return Response(_MANY.dump_json(tasks), media_type="application/json")


def changes_response(changes: Changes) -> Response:
    return Response(_CHANGES.dump_json(changes), media_type="application/json")


def tags_response(tags: list[TagCount]) -> Response:
    return Response(_TAGS.dump_json(tags), media_type="application/json")

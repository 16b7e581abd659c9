"""The JSON the API reads and writes. Rules about tasks live in todo_core, not here.

Request models are strict (no "yes" for true, no number for a string) and refuse unknown
fields, so a typo in a field name is an error rather than a silently ignored change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from todo_api.http import planning
from todo_api.http.planning import Day, Instant, TimeZone
from todo_core.errors import InvalidTask
from todo_core.planning import RULE_MAX, TAGS_MAX, PlannedFields, Recurrence
from todo_core.tasks import DESCRIPTION_MAX, TITLE_MAX, ChangedFields

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


def exactly(schema: Mapping[str, object]) -> Any:
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

    rule: str = Field(json_schema_extra=exactly(_RULE_SCHEMA))
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

    title: str = Field(json_schema_extra=exactly(_TITLE_SCHEMA))
    description: str | None = Field(default=None, json_schema_extra=exactly(_DESCRIPTION_SCHEMA))
    completed: bool = False
    # Typed loosely where the domain judges the value, which then names the field and says why
    # (422 `invalid_task`); the document states the rule exactly.
    priority: str = Field(default="medium", json_schema_extra=exactly(planning.PRIORITY))
    tags: list[str] = Field(default_factory=list, json_schema_extra=exactly(planning.TAGS))
    due_date: Day = Field(default=None, json_schema_extra=exactly(planning.DUE_DATE))
    due_at: Instant = Field(default=None, json_schema_extra=exactly(planning.DUE_AT))
    time_zone: TimeZone | None = Field(default=None, description=planning.TIME_ZONE)
    recurrence: RecurrenceIn | None = Field(default=None, description=planning.RECURRENCE)
    remind_at: Instant = Field(default=None, json_schema_extra=exactly(planning.REMIND_AT))

    def planned(self) -> PlannedFields:
        """The optional planning fields sent, as the service takes them."""
        return cast(PlannedFields, _sent(self, _PLANNED))


class TaskPatch(BaseModel):
    """Only the fields sent change; null clears an optional one (`description`, `due_date`,
    `due_at`, `time_zone`, `recurrence`, `remind_at`)."""

    model_config = _REQUEST

    # Defaults of None only mark "not sent"; null itself is refused for the fields that are
    # never null (title, completed, priority, tags).
    title: str = Field(default=None, json_schema_extra=exactly(_TITLE_SCHEMA))  # type: ignore[assignment]
    description: str | None = Field(default=None, json_schema_extra=exactly(_DESCRIPTION_SCHEMA))
    completed: bool = Field(default=None, json_schema_extra=exactly({"type": "boolean"}))  # type: ignore[assignment]
    priority: str = Field(default=None, json_schema_extra=exactly(planning.PRIORITY))  # type: ignore[assignment]
    tags: list[str] = Field(default=None, json_schema_extra=exactly(planning.TAGS))  # type: ignore[arg-type]
    due_date: Day = Field(default=None, json_schema_extra=exactly(planning.DUE_DATE))
    due_at: Instant = Field(default=None, json_schema_extra=exactly(planning.DUE_AT))
    time_zone: TimeZone | None = Field(default=None, description=planning.TIME_ZONE)
    recurrence: RecurrenceIn | None = Field(default=None, description=planning.RECURRENCE)
    remind_at: Instant = Field(default=None, json_schema_extra=exactly(planning.REMIND_AT))

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
# the body is written from the same objects (`answers`, held equal to pydantic's dump of this
# type by a test), so the documented shape and the real one cannot drift. The document adds
# these words to its fields.
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

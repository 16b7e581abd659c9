"""The list's query string as the API reads it: filters, orders, pages and sync, checked
loosely here and exactly by the domain's `TaskQuery`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from todo_api.http import planning
from todo_api.http.planning import DayOrInstant
from todo_api.http.refusals import ConflictingParameters
from todo_api.http.schemas import exactly
from todo_core.listing import LIMIT_MAX, TEXT_MAX, TaskQuery
from todo_core.planning import PRIORITIES, TAGS_MAX, Priority

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
        default=None, json_schema_extra=exactly(_PRIORITIES_PARAMETER)
    )
    tag: Annotated[list[str], Field(min_length=1, max_length=TAGS_MAX)] | None = Field(
        default=None, json_schema_extra=exactly(_TAGS_PARAMETER)
    )
    due_before: DayOrInstant = Field(
        default=None,
        json_schema_extra=exactly(
            _due_bound("Only tasks due before this day or moment (not on it)")
        ),
    )
    due_after: DayOrInstant = Field(
        default=None,
        json_schema_extra=exactly(_due_bound("Only tasks due on or after this day or moment")),
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

"""The planning fields on the wire: days, instants, tags and zones as the document describes
them, and the strict reading of days and instants that makes the description true.

pydantic reads "0" as 1970-01-01 and "2024-01-01 10:00Z" as an instant, strict mode or not: a
client that follows the document never sends them, and one that breaks it should be told. Days
and instants are read here as RFC 3339 writes them, in the years 1970 to 2999 only. Beyond
them the domain fails where it should refuse: a moment of year 1 at +05:00 has no UTC; a
recurrence looks a hundred years past its due, and a roll moves a reminder as far as the due
moves, both past Python's year 9999; and a roll walks its series from the start (a daily one
due in year 1000 takes a second of CPU). Other rules (one due, a rule that occurs again, a
zone that exists) stay the domain's.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime
from typing import Annotated, Any, Final

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from todo_core.planning import PRIORITIES, TAG_MAX, TAGS_MAX

_YEAR = "(?:19[7-9][0-9]|2[0-9]{3})"
_DAY = rf"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
DAY_PATTERN: Final = f"^{_DAY}$"
INSTANT_PATTERN: Final = f"^{_DAY}T{_TIME}{_OFFSET}$"
_IS_DAY = re.compile(_DAY)
_IS_INSTANT = re.compile(f"{_DAY}T{_TIME}{_OFFSET}")

# A tag as `todo_core.planning.check_tags` takes it: 1 to TAG_MAX characters once trimmed, no
# control characters (the title's pattern, shorter).
_CTRL = r"\x00-\x1f\x7f-\x9f"
TAG_PATTERN: Final = rf"^\s*[^\s{_CTRL}](?:[^{_CTRL}]{{0,{TAG_MAX - 2}}}[^\s{_CTRL}])?\s*$"
_TAG = f"1 to {TAG_MAX} characters once trimmed (stored trimmed), no control characters"

_DAY_WORDS = "a date, YYYY-MM-DD (RFC 3339 full-date), in the years 1970 to 2999"
_INSTANT_WORDS = "an RFC 3339 date-time with an offset (`Z` or `+02:00`), in the years 1970 to 2999"


def _day(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, str) and _IS_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:  # a day the month does not have
            pass
    raise PydanticCustomError("day_format", f"must be {_DAY_WORDS}")


def _instant(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str) and _IS_INSTANT.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("instant_format", f"must be {_INSTANT_WORDS}")


def _day_or_instant(value: object) -> date | datetime | None:
    if isinstance(value, str) and "T" in value:
        return _instant(value)
    return _day(value)


# The types of the models' fields: None stays None (a null that clears, or no filter).
Day = Annotated[date | None, BeforeValidator(_day)]
Instant = Annotated[datetime | None, BeforeValidator(_instant)]
DayOrInstant = Annotated[datetime | date | None, BeforeValidator(_day_or_instant)]


def _nullable(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}], "description": description}


DAY_SCHEMA: Final = {"type": "string", "format": "date", "pattern": DAY_PATTERN}
INSTANT_SCHEMA: Final = {"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}

PRIORITY: Final = {
    "type": "string",
    "enum": list(PRIORITIES),
    "description": "How much it matters: `low`, `medium` (the default) or `high`",
}
TAGS: Final = {
    "type": "array",
    "maxItems": TAGS_MAX,
    "items": {"type": "string", "pattern": TAG_PATTERN, "description": _TAG},
    "description": f"At most {TAGS_MAX} as sent; each {_TAG}. Tags equal but for case are "
    "one: the first spelling is kept, in the order sent",
}
DUE_DATE: Final = _nullable(
    DAY_SCHEMA,
    f"Due on this day ({_DAY_WORDS}), in `time_zone`; not with `due_at`. Null: no due day",
)
DUE_AT: Final = _nullable(
    INSTANT_SCHEMA,
    f"Due at this moment ({_INSTANT_WORDS}; answered in UTC); not with `due_date`. "
    "Null: no due moment",
)
TIME_ZONE: Final = (
    "The IANA zone the task is planned in (`Europe/Berlin`): where its due day is, and the "
    "wall time its recurrence keeps. Null: UTC"
)
RECURRENCE: Final = (
    "How the task comes back when completed; only with a `due_date` or a `due_at`. "
    "Completing it then moves its due to the rule's next occurrence (same task, `completed` "
    "stays false); when the series is used up it completes. Null: it does not recur"
)
REMIND_AT: Final = _nullable(
    INSTANT_SCHEMA,
    f"When to remind ({_INSTANT_WORDS}; answered in UTC); a roll moves it with the due. "
    "Null: no reminder",
)


class _ZoneNames:
    """The zones this machine's zone database knows (the domain's rule), listed when the
    document is made (not at import: reading the database takes a while); any string, where
    no database lists them."""

    def __get_pydantic_json_schema__(self, *_: object) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "description": "An IANA time zone name"}
        names = sorted(zoneinfo.available_timezones())
        if names:
            schema["enum"] = names
        return {**schema, "examples": ["Europe/Berlin"]}


# A component of its own in the document, which both bodies refer to.
TimeZone = TypeAliasType("TimeZone", Annotated[str, _ZoneNames()])

"""What a user plans a task with: its priority, its tags, when it is due (a day, or a moment),
the zone they plan in, how it recurs and when to remind them; and the rules each obeys.

Peers' weak spots, avoided: priorities are words, never Todoist's inverted integers; tags are
a list, never a joined string; a timed due is an instant with its zone kept beside it, never a
naive time; an all-day due is a date, with no time invented for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, ClassVar, Final, Literal, TypedDict
from zoneinfo import ZoneInfo, available_timezones

from todo_core.errors import InvalidTask

TAG_MAX: Final = 50
TAGS_MAX: Final = 20
RULE_MAX: Final = 200
INTERVAL_MAX: Final = 99  # a YEARLY rule then recurs within the port's hundred-year search
COUNT_MAX: Final = 1000
# The years a due or a reminder may fall in. Beyond them a moment may have no UTC (year 1 at
# +05:00), a recurrence's hundred-year search would pass Python's year 9999, and a roll from a
# series' start would walk centuries of occurrences.
YEAR_MIN: Final = 1970
YEAR_MAX: Final = 2999
_YEARS: Final = f"in the years {YEAR_MIN} to {YEAR_MAX}"

# Control characters (C0, DEL, C1) and lone surrogates, which a tag may not hold.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


Priority = Literal["low", "medium", "high"]
PRIORITIES: Final[tuple[Priority, ...]] = ("low", "medium", "high")  # low to high
RANK: Final[dict[str, int]] = {name: rank for rank, name in enumerate(PRIORITIES)}
"""A priority's place in a list by `priority` (low first); `-priority` goes high first."""


StartFrom = Literal["due", "completion"]
_WIRE_NAMES: Final = {"start_from": "from", "anchor": "series_start"}


def _wire_name(name: str) -> str:
    return _WIRE_NAMES.get(name, name)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a task comes back when completed: an RFC 5545 RRULE (in its canonical form,
    `canonical_rule`), counted from the due it had or from the moment it was completed.

    `anchor` is where the series starts, in the wall time of the task's zone: the due it had
    when the recurrence (or the due) was last set, or the occurrence the last roll moved it
    to (`recurring.rolled`). From `due`, every occurrence is the rule's from there, so a 02:30
    that a spring-forward night moved to 03:30 is 02:30 again the day after, and COUNT and
    UNTIL count as RFC 5545 says (a series with a COUNT keeps its first anchor). From
    `completion` the series restarts at each completion, keeping the anchor's time of day; a
    COUNT is then what is left, one less at each roll."""

    # How a serialiser that reads this (pydantic) names the fields on the wire: `from`, as the
    # API's requests spell it, and the anchor as iCalendar's DTSTART would be, `series_start`.
    __pydantic_config__: ClassVar = {"serialize_by_alias": True, "alias_generator": _wire_name}

    rule: str
    start_from: StartFrom = "due"
    anchor: datetime | None = None


class PlannedFields(TypedDict, total=False):
    """A task's optional fields, as the services take them by keyword (`**planned`)."""

    priority: Priority
    tags: list[str] | tuple[str, ...]
    due_date: date | None
    due_at: datetime | None
    time_zone: str | None
    recurrence: Recurrence | None
    remind_at: datetime | None


def check_schedule(clean: dict[str, Any], *, whole: bool) -> None:
    """One due, of one kind; a recurrence only with a due. Of a `whole` task; of a change,
    what it sets (the service checks it against the stored task too)."""
    if clean.get("due_date") is not None and clean.get("due_at") is not None:
        raise InvalidTask({"due_at": "cannot be given with due_date: a task has one due"})
    has_due = clean.get("due_date") is not None or clean.get("due_at") is not None
    if clean.get("recurrence") is not None and not has_due and whole:
        raise InvalidTask({"recurrence": "needs a due_date or a due_at"})


def check_priority(priority: object) -> Priority:
    for name in PRIORITIES:
        if priority == name and isinstance(priority, str):
            return name
    raise ValueError("must be one of low, medium, high")


def check_tags(tags: object) -> tuple[str, ...]:
    """Each trimmed; the first spelling of tags equal but for case is kept, in the order given."""
    if not isinstance(tags, list | tuple):
        raise ValueError("must be a list of strings")
    kept: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, str):
            raise ValueError("must be a list of strings")
        trimmed = tag.strip()
        if not 0 < len(trimmed) <= TAG_MAX:
            raise ValueError(f"each must be 1 to {TAG_MAX} characters")
        if _CONTROL.search(trimmed):
            raise ValueError("must not contain control characters")
        kept.setdefault(trimmed.casefold(), trimmed)
    if len(kept) > TAGS_MAX:
        raise ValueError(f"must be at most {TAGS_MAX}")
    return tuple(kept.values())


def check_time_zone(name: object) -> str | None:
    """An IANA zone name this machine's zone database (or the tzdata package) knows."""
    if name is None:
        return None
    if not isinstance(name, str) or not 0 < len(name) <= 64 or _CONTROL.search(name):
        raise ValueError("must be an IANA time zone name, such as Europe/Berlin")
    if name not in _zone_names():  # nor a folder ("Europe"), nor "posix/..." or "right/..."
        raise ValueError("must be an IANA time zone name, such as Europe/Berlin")
    return name


@cache
def _zone_names() -> frozenset[str]:
    """The zones this machine (or the tzdata package) knows, read once: a file system walk."""
    return frozenset(available_timezones())


def check_due_date(due: object) -> date | None:
    if due is None:
        return None
    if isinstance(due, datetime) or not isinstance(due, date):
        raise ValueError("must be a date (YYYY-MM-DD)")
    if not YEAR_MIN <= due.year <= YEAR_MAX:
        raise ValueError(f"must be a date {_YEARS}")
    return due


def check_instant(moment: object) -> datetime | None:
    """An aware moment, kept in UTC; a naive one would be a guess about the zone."""
    if moment is None:
        return None
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError("must be a moment with a time zone offset (RFC 3339)")
    if not YEAR_MIN <= moment.year <= YEAR_MAX:  # so that it has a UTC: year 1 at +05:00 has not
        raise ValueError(f"must be a moment {_YEARS}")
    return moment.astimezone(UTC)


def check_recurrence(recurrence: object) -> Recurrence | None:
    if recurrence is None:
        return None
    if not isinstance(recurrence, Recurrence):
        raise ValueError("must be a rule and where it starts from")
    if recurrence.start_from not in ("due", "completion"):
        raise ValueError("must start from due or completion")
    anchor = recurrence.anchor
    if anchor is not None and (not isinstance(anchor, datetime) or anchor.tzinfo is not None):
        raise ValueError("anchor must be a wall time (no zone)")
    return Recurrence(canonical_rule(recurrence.rule), recurrence.start_from, anchor)


def zone_of(time_zone: str | None) -> ZoneInfo:
    """The zone a task is planned in: its own, or UTC."""
    return ZoneInfo(time_zone or "UTC")


# The RRULE subset: each part, and what its value may be.
_FREQUENCIES: Final = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_DAY: Final = r"(?:[+-]?(?:[1-9]|[1-4][0-9]|5[0-3]))?(?:MO|TU|WE|TH|FR|SA|SU)"
_MONTH_DAY: Final = r"[+-]?(?:[1-9]|[12][0-9]|3[01])"
_VALUES: Final = {
    "FREQ": re.compile("|".join(_FREQUENCIES)),
    "INTERVAL": re.compile(r"[1-9][0-9]{0,2}"),
    "BYDAY": re.compile(rf"{_DAY}(?:,{_DAY})*"),
    "BYMONTHDAY": re.compile(rf"{_MONTH_DAY}(?:,{_MONTH_DAY})*"),
    "COUNT": re.compile(r"[1-9][0-9]{0,3}"),
    "UNTIL": re.compile(r"[0-9]{8}(?:T[0-9]{6}Z)?"),
}
_ORDER: Final = tuple(_VALUES)
_IN_A_MONTH_DAY: Final = r"(?:[+-]?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU)"
_IN_A_MONTH: Final = re.compile(rf"{_IN_A_MONTH_DAY}(?:,{_IN_A_MONTH_DAY})*")


def canonical_rule(rule: object) -> str:
    """The rule in one spelling (upper case, parts in a fixed order, no `RRULE:` prefix), if
    it stays within the subset: FREQ DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, BYDAY,
    BYMONTHDAY, COUNT or UNTIL. Whether it ever occurs is the recurrence port's to tell."""
    if not isinstance(rule, str) or not 0 < len(rule) <= RULE_MAX:
        raise ValueError(f"rule must be an RRULE of at most {RULE_MAX} characters")
    text = rule.strip().upper().removeprefix("RRULE:")
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, equals, value = part.partition("=")
        if not equals or name not in _VALUES:
            raise ValueError(f"rule part {name or part!r} is not supported")
        if name in parts:
            raise ValueError(f"rule part {name} is given twice")
        if not _VALUES[name].fullmatch(value):
            raise ValueError(f"rule part {name}={value} is not valid")
        parts[name] = value
    _check_combination(parts)
    return rule_of({name: parts[name] for name in _ORDER if name in parts})


def rule_parts(rule: str) -> dict[str, str]:
    """A canonical rule's parts by name (`canonical_rule` checked them), in its order."""
    return dict(part.split("=", 1) for part in rule.split(";"))


def rule_of(parts: dict[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in parts.items())


def _check_combination(parts: dict[str, str]) -> None:
    if "FREQ" not in parts:
        raise ValueError("rule needs a FREQ")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("rule may have COUNT or UNTIL, not both")
    if int(parts.get("INTERVAL", "1")) > INTERVAL_MAX:
        raise ValueError(f"rule INTERVAL must be at most {INTERVAL_MAX}")
    if int(parts.get("COUNT", "1")) > COUNT_MAX:
        raise ValueError(f"rule COUNT must be at most {COUNT_MAX}")
    numbered = any(day[0] in "+-0123456789" for day in parts.get("BYDAY", "").split(",") if day)
    if numbered and parts["FREQ"] not in ("MONTHLY", "YEARLY"):
        raise ValueError("rule BYDAY may number its days (1MO, -1FR) only MONTHLY or YEARLY")
    if numbered and parts["FREQ"] == "MONTHLY" and not _IN_A_MONTH.fullmatch(parts["BYDAY"]):
        raise ValueError("rule BYDAY numbers a month's days from -5 to 5 (no 6th Monday)")
    if "BYMONTHDAY" in parts and parts["FREQ"] == "WEEKLY":
        raise ValueError("rule BYMONTHDAY does not go with FREQ=WEEKLY")
    if "UNTIL" in parts:
        until = parts["UNTIL"]
        try:
            last = datetime.strptime(until, "%Y%m%dT%H%M%SZ" if "T" in until else "%Y%m%d")
        except ValueError:
            raise ValueError(f"rule part UNTIL={until} is not a date") from None
        if not YEAR_MIN <= last.year <= YEAR_MAX:
            raise ValueError(f"rule part UNTIL must be {_YEARS}")

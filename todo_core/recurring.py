"""Completing a recurring task rolls it forward: the same task, due at the rule's next
occurrence, its reminder moved with it; when the series is used up it completes for good.

Occurrences are computed in the wall time of the zone the user plans in, so that "every day
at 09:00 in Berlin" stays at 09:00 across daylight saving, and an all-day due stays a day.
The RRULE expansion itself is a port (`Occurrences`; its adapter uses python-dateutil): the
domain only decides where a series starts, which occurrence is next, and what COUNT is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Protocol

from todo_core.planning import Recurrence, zone_of

_COUNT = re.compile(r"(?:^|;)COUNT=([0-9]+)")
_COUNT_VALUE = re.compile(r"COUNT=[0-9]+")
_UNTIL = re.compile(r"UNTIL=([0-9]{8})(T[0-9]{6}Z)?")


class Occurrences(Protocol):
    """An RRULE expanded in naive wall time (the zone is the caller's business)."""

    def following(
        self, rule: str, start: datetime, moment: datetime
    ) -> tuple[datetime, int] | None:
        """The first occurrence of the series `rule` starts at `start` strictly after both
        `start` and `moment`, and how many occurrences lie strictly between `start` and it;
        None when the series has none left (its UNTIL has passed). `rule` has no COUNT."""
        ...


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a task is due and how it recurs: the fields a roll moves. At most one of
    `due_date` and `due_at`; a recurrence only with one of them."""

    due_date: date | None = None
    due_at: datetime | None = None
    time_zone: str | None = None
    recurrence: Recurrence | None = None
    remind_at: datetime | None = None


def rolled(schedule: Schedule, completed_at: datetime, occurrences: Occurrences) -> Schedule | None:
    """The schedule after a completion at `completed_at`, or None when the series is used up
    (the task then completes for good). From `due`: the first occurrence after the old due
    that is not in the past, those skipped counted as used; from `completion`: the first
    after the moment of completion."""
    recurrence = schedule.recurrence
    assert recurrence is not None, "only a recurring task rolls"
    zone = zone_of(schedule.time_zone)
    old = _wall_due(schedule, zone.key)
    now = completed_at.astimezone(zone).replace(tzinfo=None)
    if schedule.due_date is not None:  # a day: "after" a moment is from the next day on
        now = datetime.combine(now.date(), time())
    if recurrence.start_from == "completion":
        start = now if schedule.due_date is not None else datetime.combine(now.date(), old.time())
        moment = start
    else:
        start, moment = old, max(old, now - timedelta(days=1) if schedule.due_date else now)
    rule, left = _for_expansion(recurrence.rule, zone.key)
    found = occurrences.following(rule, start, moment)
    if found is None:
        return None
    wall, skipped = found
    used = 1 + (skipped if recurrence.start_from == "due" else 0)
    if left is not None and left - used < 1:
        return None
    counted = recurrence.rule if left is None else _with_count(recurrence.rule, left - used)
    return _moved(schedule, old, wall, replace(recurrence, rule=counted))


def occurs_after_due(schedule: Schedule, occurrences: Occurrences) -> bool:
    """Whether the rule has any occurrence after the due it starts from: one that never does
    is refused when it is set."""
    assert schedule.recurrence is not None
    zone = zone_of(schedule.time_zone).key
    old = _wall_due(schedule, zone)
    rule, _ = _for_expansion(schedule.recurrence.rule, zone)
    return occurrences.following(rule, old, old) is not None


def _wall_due(schedule: Schedule, zone: str) -> datetime:
    if schedule.due_date is not None:
        return datetime.combine(schedule.due_date, time())
    assert schedule.due_at is not None, "a recurrence needs a due"
    return schedule.due_at.astimezone(zone_of(zone)).replace(tzinfo=None)


def _for_expansion(rule: str, zone: str) -> tuple[str, int | None]:
    """The rule as the port expands it, and its COUNT: without the COUNT (the domain counts
    what is left), its UNTIL in the zone's wall time (a date UNTIL: to the end of that day)."""
    found = _COUNT.search(rule)
    parts = [part for part in rule.split(";") if not part.startswith("COUNT=")]
    return ";".join(_UNTIL.sub(partial(_wall_until, zone), p) for p in parts), (
        None if found is None else int(found.group(1))
    )


def _with_count(rule: str, count: int) -> str:
    """The stored rule with what is left of its COUNT (it keeps its place in the rule)."""
    return _COUNT_VALUE.sub(f"COUNT={count}", rule)


def _wall_until(zone: str, until: re.Match[str]) -> str:
    day, moment = until.group(1), until.group(2)
    if moment is None:
        return f"UNTIL={day}T235959"
    instant = datetime.strptime(day + moment, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return f"UNTIL={instant.astimezone(zone_of(zone)):%Y%m%dT%H%M%S}"


def _moved(schedule: Schedule, old: datetime, new: datetime, recurrence: Recurrence) -> Schedule:
    """Due at `new` (wall time); the reminder keeps its wall-time distance from the due."""
    zone = zone_of(schedule.time_zone)
    remind_at = schedule.remind_at
    if remind_at is not None:
        wall = remind_at.astimezone(zone).replace(tzinfo=None) + (new - old)
        remind_at = wall.replace(tzinfo=zone).astimezone(UTC)
    if schedule.due_date is not None:
        return replace(schedule, due_date=new.date(), recurrence=recurrence, remind_at=remind_at)
    due_at = new.replace(tzinfo=zone).astimezone(UTC)
    return replace(schedule, due_at=due_at, recurrence=recurrence, remind_at=remind_at)

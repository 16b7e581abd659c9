"""Completing a recurring task rolls it forward: the same task, due at the rule's next
occurrence, its reminder moved with it; when the series is used up it completes for good.

Occurrences are computed in the wall time of the zone the user plans in, so that "every day
at 09:00 in Berlin" stays at 09:00 across daylight saving, and an all-day due stays a day.
The RRULE expansion itself is a port (`ports_async.Occurrences`; its adapter uses
python-dateutil): the domain decides where a series starts and which occurrence is next.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from todo_core.errors import InvalidTask
from todo_core.planning import Recurrence, rule_of, rule_parts, zone_of
from todo_core.ports_async import Occurrences
from todo_core.tasks import SCHEDULE, NewTask, Task, TaskChanges
from todo_core.writes import Change, Toggle

_MOVED: Final = (*SCHEDULE, "remind_at")  # what a roll moves: a Schedule's fields


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
    (the task then completes for good).

    From `due`: the first occurrence of the series after the old due that is not in the
    past (today or later for a day, later than now for a moment); those skipped are used up.
    From `completion`: the series restarts on the day of the completion, at the anchor's time
    of day, and the new due is its first occurrence after that start (an all-day task
    completed today is next due on the rule's first day after today)."""
    recurrence = schedule.recurrence
    assert recurrence is not None, "only a recurring task rolls"
    zone = zone_of(schedule.time_zone).key
    old = wall_due(schedule)
    anchor = recurrence.anchor or old
    anchored = replace(recurrence, anchor=anchor)
    now = completed_at.astimezone(zone_of(zone)).replace(tzinfo=None)
    rule = _expanded(recurrence.rule, zone)
    if recurrence.start_from == "completion":
        left = _count(recurrence.rule)
        if left == 1:
            return None
        start = datetime.combine(now.date(), anchor.time())
        new = occurrences.following(_without_count(rule), start, start)
        if new == old:  # completed before its due, which the series from today hits again
            new = occurrences.following(_without_count(rule), start, new)
        if left is not None:
            anchored = replace(anchored, rule=_with_count(recurrence.rule, left - 1))
    else:
        today = datetime.combine(now.date(), time())
        moment = max(old, today - timedelta(days=1) if schedule.due_date is not None else now)
        new = occurrences.following(rule, anchor, moment)
        if new is not None and "COUNT" not in recurrence.rule:
            # The series goes on from its occurrence alike (its phase and its UNTIL are the
            # same), so the next roll walks from here, not from the first due.
            anchored = replace(anchored, anchor=new)
    if new is None:
        return None
    return _moved(schedule, old, new, anchored)


def occurs_after_due(schedule: Schedule, occurrences: Occurrences) -> bool:
    """Whether the series has an occurrence after the task's due: a rule that never comes
    back (UNTIL before the due, COUNT=1, a day no month has) is refused when it is set."""
    due = wall_due(schedule).replace(tzinfo=zone_of(schedule.time_zone))
    return rolled(schedule, due, occurrences) is not None


def wall_due(schedule: Schedule) -> datetime:
    """The due in the wall time of the task's zone (a day: its midnight)."""
    if schedule.due_date is not None:
        return datetime.combine(schedule.due_date, time())
    assert schedule.due_at is not None, "a recurrence needs a due"
    return schedule.due_at.astimezone(zone_of(schedule.time_zone)).replace(tzinfo=None)


def _count(rule: str) -> int | None:
    count = rule_parts(rule).get("COUNT")
    return None if count is None else int(count)


def _with_count(rule: str, count: int) -> str:
    return rule_of({**rule_parts(rule), "COUNT": str(count)})


def _without_count(rule: str) -> str:
    return rule_of({k: v for k, v in rule_parts(rule).items() if k != "COUNT"})


def _expanded(rule: str, zone: str) -> str:
    """The rule as the port expands it in wall time: its UNTIL in the zone's wall time (a
    date UNTIL keeps its whole day)."""
    parts = rule_parts(rule)
    until = parts.get("UNTIL")
    if until is not None:
        if "T" not in until:
            parts["UNTIL"] = until + "T235959"
        else:
            instant = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            parts["UNTIL"] = f"{instant.astimezone(zone_of(zone)):%Y%m%dT%H%M%S}"
    return rule_of(parts)


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


def planned(new: NewTask, occurrences: Occurrences) -> NewTask:
    """A new task's recurrence anchored at its due, if the rule ever comes back after it."""
    if new.recurrence is None:
        return new
    schedule = _anchored(Schedule(new.due_date, new.due_at, new.time_zone, new.recurrence))
    _check_occurs(schedule, occurrences)
    return replace(new, recurrence=schedule.recurrence)


def rescheduled(
    task: Task, changes: TaskChanges, now: datetime, occurrences: Occurrences
) -> TaskChanges:
    """`changes` made whole against the stored `task`: every schedule field set (so that the
    store writes them and what it derives from them together), the recurrence anchored
    afresh at the new due, checked; and, when they complete an open recurring task, rolled."""
    given = {name: getattr(changes, name) for name in changes.fields}
    schedule = _schedule_of({name: given.get(name, getattr(task, name)) for name in _MOVED})
    if schedule.recurrence is not None:
        if schedule.due_date is None and schedule.due_at is None:
            raise InvalidTask({"recurrence": "needs a due_date or a due_at"})
        if changes.reschedules:
            schedule = _anchored(
                replace(schedule, recurrence=replace(schedule.recurrence, anchor=None))
            )
            _check_occurs(schedule, occurrences)
    whole = {**given, **_fields_of(schedule)}
    if given.get("completed") is True and not task.completed and schedule.recurrence:
        whole.update(_completion(schedule, now, occurrences))
    return TaskChanges(**whole)


def completion(task: Task, now: datetime, occurrences: Occurrences) -> TaskChanges:
    """Completing an open recurring task: rolled forward, or completed for good when its
    series is used up (its recurrence kept, so that un-completing it is plain)."""
    schedule = _schedule_of({name: getattr(task, name) for name in _MOVED})
    return TaskChanges(**{**_fields_of(schedule), **_completion(schedule, now, occurrences)})


def rewritten(
    task: Task, write: Change | Toggle, now: datetime, occurrences: Occurrences
) -> Change | Toggle:
    """`write` as made on the stored `task`, at its version: a change made whole (and rolled,
    when it completes the task), a toggle rolled, or a toggle as it was."""
    if isinstance(write, Change):
        changes = rescheduled(task, write.changes, now, occurrences)
    elif task.completed or task.recurrence is None:
        return Toggle(task.id, now, task.version)
    else:
        changes = completion(task, now, occurrences)
    return Change(task.id, changes, now, task.version)


def rolls(task: Task, changes: TaskChanges) -> bool:
    """Whether `changes` complete an open recurring task without saying what becomes of its
    recurrence: a store does not apply such a change (the service rolls the task instead)."""
    return (
        changes.completed is True
        and not task.completed
        and task.recurrence is not None
        and "recurrence" not in changes.fields
    )


def _schedule_of(fields: dict[str, Any]) -> Schedule:
    return Schedule(**fields)


def _completion(schedule: Schedule, now: datetime, occurrences: Occurrences) -> dict[str, Any]:
    following = rolled(schedule, now, occurrences)
    if following is None:
        return {"completed": True, "last_completed_at": now}
    return {**_fields_of(following), "completed": False, "last_completed_at": now}


def _fields_of(schedule: Schedule) -> dict[str, Any]:
    return {name: getattr(schedule, name) for name in _MOVED}


def _anchored(schedule: Schedule) -> Schedule:
    recurrence = schedule.recurrence
    assert recurrence is not None
    if recurrence.anchor is not None:
        return schedule
    return replace(schedule, recurrence=replace(recurrence, anchor=wall_due(schedule)))


def _check_occurs(schedule: Schedule, occurrences: Occurrences) -> None:
    if not occurs_after_due(schedule, occurrences):
        raise InvalidTask({"recurrence": "never occurs after the due: the rule has no next date"})


class NoOccurrences:
    """What a service given no `occurrences` expands a rule with: nothing, loudly."""

    def following(self, rule: str, start: datetime, moment: datetime) -> datetime | None:
        raise RuntimeError(
            "recurring tasks need the service's `occurrences` "
            "(todo_adapters.occurrences.DateutilOccurrences())"
        )

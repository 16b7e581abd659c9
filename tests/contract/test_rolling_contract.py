"""Recurring tasks rolled by the service over every store, in both flavours: completed again
and again from their due or from each completion, until COUNT or UNTIL ends the series; due
and reminder keeping their wall times across daylight saving; and concurrent completions,
each of which rolls the task once more or is told it is stale. (The roll's own rule, against
dateutil: tests/unit/test_recurring.py.)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.clocks import SetClock
from todo_adapters.occurrences import DateutilOccurrences
from todo_core.errors import StaleTask, TaskBusy
from todo_core.planning import Recurrence
from todo_core.ports import TaskRepository
from todo_core.service import TaskService
from todo_core.tasks import Task, TaskChanges

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
OCCURRENCES = DateutilOccurrences()


def serving(repository: TaskRepository, now: datetime) -> tuple[TaskService, SetClock]:
    """The service over `repository`, rolling recurring tasks, at `now` until moved."""
    clock = SetClock(now)
    return TaskService(repository, clock, occurrences=OCCURRENCES), clock


def unanchored(task: Task) -> Task:
    """`task` but for where its series is anchored, which a roll may move (the domain's
    business: tests/unit/test_recurring.py)."""
    assert task.recurrence is not None
    return replace(task, recurrence=replace(task.recurrence, anchor=None))


def test_completing_a_weekly_task_twice_moves_it_two_weeks(repository: TaskRepository) -> None:
    service, clock = serving(repository, T0)
    task = service.add(
        "alice", "weekly", due_date=date(2026, 3, 2), time_zone="Europe/Berlin",
        recurrence=Recurrence("FREQ=WEEKLY"),
    )  # fmt: skip
    assert task.recurrence == Recurrence("FREQ=WEEKLY", "due", datetime(2026, 3, 2))
    first = service.toggle("alice", task.id)
    assert unanchored(first) == unanchored(
        replace(task, due_date=date(2026, 3, 9), last_completed_at=T0, updated_at=T0, version=2)
    )
    later = clock.advance(timedelta(days=2))
    second = service.change("alice", task.id, completed=True)
    assert unanchored(second) == unanchored(
        replace(
            first, due_date=date(2026, 3, 16), last_completed_at=later, updated_at=later, version=3
        )
    )
    assert repository.get("alice", task.id) == second


def test_a_series_from_completion_restarts_at_each_completion(repository: TaskRepository) -> None:
    berlin_nine = datetime(2026, 3, 2, 8, tzinfo=UTC)
    service, clock = serving(repository, T0)
    every_third_day = Recurrence("FREQ=DAILY;INTERVAL=3", "completion")
    task = service.add(
        "alice", "water", due_at=berlin_nine, time_zone="Europe/Berlin", recurrence=every_third_day
    )
    clock.at(datetime(2026, 3, 5, 15, tzinfo=UTC))  # three days late
    assert service.toggle("alice", task.id).due_at == berlin_nine + timedelta(days=6)
    clock.at(datetime(2026, 3, 6, 10, tzinfo=UTC))  # two days early
    rolled = service.toggle("alice", task.id)
    assert (rolled.due_at, rolled.completed) == (berlin_nine + timedelta(days=7), False)
    assert rolled.last_completed_at == clock.now
    assert unanchored(rolled).recurrence == every_third_day
    assert repository.get("alice", task.id) == rolled


@pytest.mark.parametrize(
    ("recurrence", "dues"),
    [
        (Recurrence("FREQ=DAILY;COUNT=3"), [date(2026, 3, 3), date(2026, 3, 4)]),
        (Recurrence("FREQ=DAILY;UNTIL=20260303"), [date(2026, 3, 3)]),
        (Recurrence("FREQ=WEEKLY;COUNT=2", "completion"), [date(2026, 3, 8)]),
    ],
)
def test_a_used_up_series_completes_for_good(
    repository: TaskRepository, recurrence: Recurrence, dues: list[date]
) -> None:
    service, _ = serving(repository, T0)
    task = service.add("alice", "few", due_date=date(2026, 3, 2), recurrence=recurrence)
    for due in dues:
        task = service.toggle("alice", task.id)
        assert (task.due_date, task.completed) == (due, False)
    last = service.change("alice", task.id, completed=True)
    assert (last.completed, last.due_date, last.last_completed_at) == (True, dues[-1], T0)
    assert last.recurrence == task.recurrence  # kept, so that reopening it is plain
    reopened = service.toggle("alice", task.id)
    assert (reopened.completed, reopened.due_date) == (False, dues[-1])


@pytest.mark.parametrize(
    ("zone", "due", "remind", "rule", "walls"),
    [
        (  # Berlin springs forward on 2026-03-29: the instants move by 23 hours
            "Europe/Berlin", datetime(2026, 3, 28, 9), datetime(2026, 3, 27, 20, 30),
            "FREQ=DAILY", [(29, 9, 28, 20), (30, 9, 29, 20)],
        ),
        (  # and falls back on 2026-10-25
            "Europe/Berlin", datetime(2026, 10, 24, 9), datetime(2026, 10, 24, 8, 45),
            "FREQ=WEEKLY", [(31, 9, 31, 8), (7, 9, 7, 8)],
        ),
        (  # New York falls back on 2026-11-01
            "America/New_York", datetime(2026, 10, 31, 9), datetime(2026, 10, 30, 18),
            "FREQ=DAILY", [(1, 9, 31, 18), (2, 9, 1, 18)],
        ),
        (  # and springs forward on 2026-03-08
            "America/New_York", datetime(2026, 3, 7, 23, 30), datetime(2026, 3, 7, 23),
            "FREQ=DAILY", [(8, 23, 8, 23), (9, 23, 9, 23)],
        ),
    ],
)  # fmt: skip
def test_a_roll_keeps_the_wall_times_of_due_and_reminder_across_daylight_saving(
    repository: TaskRepository,
    zone: str,
    due: datetime,
    remind: datetime,
    rule: str,
    walls: list[tuple[int, int, int, int]],
) -> None:
    """Each roll: (the due's day, its hour; the reminder's day, its hour) in the zone."""
    here = ZoneInfo(zone)
    service, _ = serving(repository, due.replace(tzinfo=here) - timedelta(days=5))
    task = service.add(
        "alice", "zoned", due_at=due.replace(tzinfo=here), time_zone=zone,
        remind_at=remind.replace(tzinfo=here), recurrence=Recurrence(rule),
    )  # fmt: skip
    for wall in walls:
        task = service.toggle("alice", task.id)
        assert task.due_at is not None
        assert task.remind_at is not None
        due_here, remind_here = task.due_at.astimezone(here), task.remind_at.astimezone(here)
        assert (due_here.day, due_here.hour, remind_here.day, remind_here.hour) == wall
        assert (due_here.minute, remind_here.minute) == (due.minute, remind.minute)
    assert repository.get("alice", task.id) == task


@pytest.mark.parametrize("expected", [None, 1])
def test_concurrent_completions_of_a_recurring_task_each_roll_it_or_are_told_stale(
    repository: TaskRepository, expected: int | None
) -> None:
    """Without a version each completion rolls the task once more; at one version, one
    does and the others are stale. No roll is ever lost without a word."""
    service, _ = serving(repository, T0)
    task = service.add(
        "alice", "daily", due_date=date(2026, 3, 2), recurrence=Recurrence("FREQ=DAILY")
    )
    contenders = 6

    def complete(n: int) -> Task | None:
        try:
            if n % 2:
                return service.toggle("alice", task.id, expected=expected)
            return service.change("alice", task.id, expected=expected, completed=True)
        except StaleTask:
            return None

    with ThreadPoolExecutor(contenders) as pool:
        landed = [done for done in pool.map(complete, range(contenders)) if done is not None]
    rolls = contenders if expected is None else 1
    assert len(landed) == rolls
    assert sorted(done.version for done in landed) == list(range(2, 2 + rolls))
    assert {done.due_date for done in landed} == {
        date(2026, 3, 2) + timedelta(days=n) for n in range(1, rolls + 1)
    }
    final = repository.get("alice", task.id)
    assert final == max(landed, key=lambda done: done.version)
    assert final is not None
    assert not final.completed


def test_a_keyed_reschedule_retried_replays_though_the_task_moved_on(
    repository: TaskRepository,
) -> None:
    """A reschedule is checked against the stored task; its retry, which finds the task at
    the version it wrote, replays the first answer instead of failing that check (412)."""
    service, _ = serving(repository, T0)
    task = service.add("alice", "move me", due_date=date(2026, 3, 2))
    first = service.change_once("alice", "k1", task.id, expected=1, due_date=date(2026, 4, 1))
    again = service.change_once("alice", "k1", task.id, expected=1, due_date=date(2026, 4, 1))
    assert not first.replayed
    assert again.replayed
    assert again.task == first.task
    assert first.task is not None
    assert (first.task.version, first.task.due_date) == (2, date(2026, 4, 1))
    service.remove("alice", task.id)  # gone since: the retry still replays
    assert service.change_once(
        "alice", "k1", task.id, expected=1, due_date=date(2026, 4, 1)
    ).replayed


def test_a_store_refuses_a_change_of_part_of_the_schedule(repository: TaskRepository) -> None:
    """What a store derives from a due needs all of it: the service sends the schedule whole."""
    service, _ = serving(repository, T0)
    task = service.add("alice", "due", due_date=date(2026, 3, 2))
    with pytest.raises(ValueError, match="schedule"):
        repository.change("alice", task.id, TaskChanges.of(time_zone="Asia/Tokyo"), T0)
    assert repository.get("alice", task.id) == task


class Contended:
    """A real store where another request's write always lands between a read and a write
    made at the version read: what a busy task looks like to the service."""

    def __init__(self, repository: TaskRepository) -> None:
        self._repository = repository

    def __getattr__(self, name: str) -> object:
        return getattr(self._repository, name)

    def change(
        self,
        owner: str,
        task_id: int,
        changes: TaskChanges,
        now: datetime,
        expected: int | None = None,
    ) -> Task | None:
        if expected is not None:
            self._repository.change(owner, task_id, TaskChanges.of(title="meanwhile"), now)
        return self._repository.change(owner, task_id, changes, now, expected)


def test_a_roll_that_never_finds_the_task_still_is_busy_not_stale(
    repository: TaskRepository,
) -> None:
    """Without If-Match the caller expected no version: after ten tries it is 409 task_busy
    (retry), not 412 task_changed, and nothing of the roll was written."""
    service, _ = serving(repository, T0)
    task = service.add(
        "alice", "weekly", due_date=date(2026, 3, 2), recurrence=Recurrence("FREQ=WEEKLY")
    )
    busy = TaskService(Contended(repository), SetClock(T0), occurrences=OCCURRENCES)  # type: ignore[arg-type]
    with pytest.raises(TaskBusy):
        busy.toggle("alice", task.id)
    stored = repository.get("alice", task.id)
    assert stored is not None
    assert (stored.due_date, stored.completed, stored.last_completed_at) == (
        date(2026, 3, 2),
        False,
        None,
    )
    assert stored.version == 1 + 10  # the ten writes that came between, and no roll

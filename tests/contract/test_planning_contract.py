"""The TaskRepository contract for what a task is planned with (priority, tags, a due day or
moment and its zone, a recurrence, a reminder), on every adapter in both flavours: each field
stored exactly, set and cleared; a completion noted; the completion of a recurring task left
to the service (which rolls it: test_rolling_contract.py); tags counted."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from tests.support.repositories import written
from todo_core.listing import TaskQuery
from todo_core.planned_lists import TagCount
from todo_core.planning import Recurrence
from todo_core.ports import TaskRepository
from todo_core.tasks import SCHEDULE, NewTask, Task, TaskChanges

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
LONG_RULE = "FREQ=MONTHLY;INTERVAL=99;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYMONTHDAY=" + ",".join(
    str(day) for day in range(1, 32)
)

PLANS: dict[str, dict[str, Any]] = {
    "nothing planned": {},
    "a moment in a zone": {
        "priority": "high",
        "tags": ["Work", " home ", "WORK", "Straße", "🎉 party", "apple"],
        "due_at": datetime(2026, 3, 29, 3, 30, 59, 999999, tzinfo=timezone(timedelta(hours=2))),
        "time_zone": "America/Argentina/Buenos_Aires",
        "recurrence": Recurrence("rrule:freq=weekly;byday=mo,fr;count=12", "completion"),
        "remind_at": datetime(2026, 3, 28, 23, 59, 59, 1, tzinfo=UTC),
    },
    "a day with its anchor": {
        "priority": "low",
        "due_date": date(2028, 2, 29),
        "time_zone": "Pacific/Kiritimati",
        "recurrence": Recurrence(
            "FREQ=YEARLY;UNTIL=20991231T235959Z", "due", datetime(2028, 2, 29)
        ),
    },
    "the longest": {
        "tags": [f"{n:02}" + "🎉" * 48 for n in range(20)],
        "due_date": date(2026, 1, 31),
        "recurrence": Recurrence(LONG_RULE, "due", datetime(2026, 1, 31, 23, 59, 59, 999999)),
    },
}


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS)
def test_every_planned_field_is_stored_exactly(
    repository: TaskRepository, plan: dict[str, Any]
) -> None:
    new = NewTask.of("planned", **plan)
    task = written(repository.add("alice", new, T0))
    assert task == Task(
        task.id, "alice", "planned", None, False, T0, T0, 1, new.priority, new.tags,
        new.due_date, new.due_at, new.time_zone, new.recurrence, new.remind_at, None,
    )  # fmt: skip
    for moment in (task.due_at, task.remind_at):
        assert moment is None or moment.utcoffset() == timedelta(0)
    assert repository.get("alice", task.id) == task
    assert repository.list("alice") == [task]
    assert repository.list("alice", TaskQuery.of(sort="-due", has_due=bool(plan))) == [task]
    assert repository.changed_since("alice", 0).tasks == [task]


STEPS: list[dict[str, Any]] = [
    {"priority": "high"},
    {"tags": ["Zeta", "alpha", "ALPHA", "Ähre"]},
    {"remind_at": datetime(2026, 3, 4, 8, 15, tzinfo=timezone(timedelta(hours=5, minutes=45)))},
    {
        "due_date": date(2026, 3, 5),
        "due_at": None,
        "time_zone": "Europe/Berlin",
        "recurrence": None,
    },
    {
        "due_at": datetime(2026, 3, 6, 7, 0, 0, 1, tzinfo=UTC),
        "time_zone": "Asia/Tokyo",
        "recurrence": Recurrence("FREQ=DAILY;COUNT=3", "completion", datetime(2026, 3, 6, 16)),
        "due_date": None,
    },
    {
        "due_date": date(2026, 3, 9),
        "time_zone": None,
        "recurrence": Recurrence("FREQ=WEEKLY"),
        "due_at": None,
    },
    {"priority": "low", "tags": [], "remind_at": None, "title": "plain again"},
    {"due_date": None, "due_at": None, "time_zone": None, "recurrence": None},
]


def test_a_change_sets_and_clears_each_planned_field(repository: TaskRepository) -> None:
    """Each step writes the whole schedule when it touches it, as the service does."""
    task = written(repository.add("alice", NewTask.of("plain"), T0))
    for n, step in enumerate(STEPS, start=1):
        changes = TaskChanges.of(**step)
        now = T0 + timedelta(minutes=n)
        task = replace(task, **changes.values(), updated_at=now, version=task.version + 1)
        assert repository.change("alice", task.id, changes, now) == task, step
        assert repository.get("alice", task.id) == task
    assert repository.changed_since("alice", 0).tasks == [task]


def test_completing_an_open_task_notes_when_it_was_done(repository: TaskRepository) -> None:
    task = written(repository.add("alice", NewTask.of("t"), T0))
    assert task.last_completed_at is None
    moments = [T0 + timedelta(hours=n) for n in range(7)]
    done = written(repository.change("alice", task.id, TaskChanges.of(completed=True), moments[1]))
    assert done.last_completed_at == moments[1]
    again = written(repository.change("alice", task.id, TaskChanges.of(completed=True), moments[2]))
    assert again.last_completed_at == moments[1]  # it was done already
    reopened = written(repository.toggle("alice", task.id, moments[3]))
    assert (reopened.completed, reopened.last_completed_at) == (False, moments[1])
    toggled = written(repository.toggle("alice", task.id, moments[4]))
    assert (toggled.completed, toggled.last_completed_at) == (True, moments[4])
    repository.toggle("alice", task.id, moments[5])
    said = TaskChanges(completed=True, last_completed_at=moments[0])  # a roll says when
    assert repository.change("alice", task.id, said, moments[6]) == replace(
        toggled, last_completed_at=moments[0], updated_at=moments[6], version=7
    )


def test_a_task_created_done_was_done_when_created(repository: TaskRepository) -> None:
    task = written(repository.add("alice", NewTask.of("done", completed=True), T0))
    assert task.last_completed_at == T0
    assert repository.get("alice", task.id) == task


def every_day(repository: TaskRepository, **fields: Any) -> Task:
    """An open task due on Monday 2026-03-02 and every day after, as the service stores one."""
    anchored = Recurrence("FREQ=DAILY", "due", datetime(2026, 3, 2))
    new = NewTask.of("daily", due_date=date(2026, 3, 2), recurrence=anchored, **fields)
    return written(repository.add("alice", new, T0))


def test_the_store_alone_does_not_complete_an_open_recurring_task(
    repository: TaskRepository,
) -> None:
    """Completing one rolls it forward: the service's to work out, never the store's."""
    task = every_day(repository)
    since = repository.changed_since("alice", 0).stamp
    t1 = T0 + timedelta(hours=1)
    assert repository.toggle("alice", task.id, t1) is None
    assert repository.toggle("alice", task.id, t1, expected=1) is None
    for completing in (
        TaskChanges.of(completed=True),
        TaskChanges.of(completed=True, title="renamed", priority="high", tags=["x"]),
        TaskChanges(completed=True, last_completed_at=t1),
    ):
        assert repository.change("alice", task.id, completing, t1) is None
        assert repository.change("alice", task.id, completing, t1, expected=1) is None
    assert repository.get("alice", task.id) == task
    assert repository.changed_since("alice", since).tasks == []  # not even touched


def test_a_completion_that_says_what_becomes_of_the_recurrence_is_made(
    repository: TaskRepository,
) -> None:
    task = every_day(repository, remind_at=T0)
    t1, t2, t3 = (T0 + timedelta(hours=n) for n in (1, 2, 3))
    kept = {name: getattr(task, name) for name in SCHEDULE}
    done = repository.change("alice", task.id, TaskChanges.of(completed=True, **kept), t1)
    assert done == replace(task, completed=True, last_completed_at=t1, updated_at=t1, version=2)
    reopened = repository.toggle("alice", task.id, t2)  # a done recurring task is flipped
    assert reopened == replace(done, completed=False, updated_at=t2, version=3)
    assert repository.toggle("alice", task.id, t3) is None  # and open again, it rolls
    ended = {**kept, "recurrence": None}
    last = repository.change("alice", task.id, TaskChanges.of(completed=True, **ended), t3)
    assert last == replace(
        reopened, completed=True, recurrence=None, last_completed_at=t3, updated_at=t3, version=4
    )


def test_anything_but_a_completion_of_a_recurring_task_is_the_stores(
    repository: TaskRepository,
) -> None:
    task = every_day(repository)
    t1 = T0 + timedelta(hours=1)
    changes = TaskChanges.of(title="renamed", completed=False, tags=["new"])
    assert repository.change("alice", task.id, changes, t1, expected=1) == replace(
        task, title="renamed", tags=("new",), updated_at=t1, version=2
    )


def test_tags_are_counted_per_tag_whatever_its_case(repository: TaskRepository) -> None:
    """One tag, however spelled (Straße is STRASSE), named by its least spelling (by code
    point, as are the tags ordered), counted over the owner's tasks, done ones too."""
    for done, tags in [
        (False, ["Work", "home"]),
        (False, ["work", "Straße", "zoo"]),
        (True, ["WORK", "STRASSE", "école"]),
        (False, []),
    ]:
        repository.add("alice", NewTask.of("t", tags=tags, completed=done), T0)
    doomed = written(repository.add("alice", NewTask.of("t", tags=["ZOO", "gone"]), T0))
    repository.add("bob", NewTask.of("t", tags=["Work", "bob"]), T0)
    assert repository.tags("alice") == [
        TagCount("gone", 1),
        TagCount("home", 1),
        TagCount("STRASSE", 2),
        TagCount("WORK", 3),
        TagCount("ZOO", 2),
        TagCount("école", 1),
    ]
    repository.remove("alice", doomed.id)
    assert [(tag.tag, tag.count) for tag in repository.tags("alice")][-2:] == [
        ("zoo", 1),
        ("école", 1),
    ]
    assert repository.tags("bob") == [TagCount("bob", 1), TagCount("Work", 1)]
    assert repository.tags("carol") == []

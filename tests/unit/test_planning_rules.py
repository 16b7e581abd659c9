"""The planning rules where they meet a task: a change sets one kind of due; every broken
field is named; a schedule is whole; and what the service does with a recurring task before
a store writes it (anchored, checked, rolled). (The fields' own checks: test_planning.py; the
roll against dateutil: test_recurring.py.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from todo_adapters.occurrences import DateutilOccurrences
from todo_core.errors import InvalidTask
from todo_core.planning import YEAR_MAX, YEAR_MIN, Recurrence
from todo_core.recurring import completion, planned, rescheduled, rolls
from todo_core.tasks import SCHEDULE, UNSET, NewTask, Task, TaskChanges

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = date(2026, 3, 2)
MOMENT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
NAIVE = datetime(2026, 3, 2, 9, 30)

# A valid value and a broken one for every field a new task takes.
GOOD: dict[str, object] = {
    "title": "plan",
    "description": "why",
    "completed": False,
    "priority": "high",
    "tags": ["work"],
    "due_date": DAY,
    "time_zone": "Europe/Berlin",
    "recurrence": Recurrence("FREQ=DAILY"),
    "remind_at": MOMENT,
}
BROKEN: dict[str, object] = {
    "title": " ",
    "description": 7,
    "completed": "yes",
    "priority": "urgent",
    "tags": ["ok", ""],
    "due_date": "2026-03-02",
    "due_at": NAIVE,
    "time_zone": "Mars/Olympus",
    "recurrence": Recurrence("FREQ=HOURLY"),
    "remind_at": NAIVE,
}


@given(st.sets(st.sampled_from(sorted(BROKEN)), min_size=1))
def test_every_broken_field_of_a_new_task_is_named_at_once(broken: set[str]) -> None:
    fields = {**GOOD, **{name: BROKEN[name] for name in broken}}
    if "due_at" in broken and "due_date" not in broken:  # not two dues: one problem at a time
        fields.pop("due_date")
    with pytest.raises(InvalidTask) as raised:
        NewTask.of(**fields)
    assert set(raised.value.problems) == broken


@given(st.sets(st.sampled_from(sorted(BROKEN)), min_size=1))
def test_every_broken_field_of_a_change_is_named_at_once(broken: set[str]) -> None:
    with pytest.raises(InvalidTask) as raised:
        TaskChanges.of(**{name: BROKEN[name] for name in broken})
    assert set(raised.value.problems) == broken


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"recurrence": Recurrence("FREQ=DAILY")}, "recurrence"),  # a series needs a due
        ({"due_date": DAY, "due_at": MOMENT}, "due_at"),  # one due, of one kind
        ({"due_at": MOMENT, "recurrence": Recurrence("FREQ=DAILY", anchor=MOMENT)}, "recurrence"),
        ({"recurrence": Recurrence("FREQ=DAILY", "now"), "due_date": DAY}, "recurrence"),  # type: ignore[arg-type]
    ],
)
def test_a_new_tasks_schedule_is_whole(fields: dict[str, Any], named: str) -> None:
    with pytest.raises(InvalidTask) as raised:
        NewTask.of("plan", **fields)
    assert list(raised.value.problems) == [named]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("due_date", date(YEAR_MIN - 1, 12, 31)),
        ("due_date", date(YEAR_MAX + 1, 1, 1)),
        ("due_at", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))),  # no UTC at all
        ("remind_at", datetime(YEAR_MAX + 1, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_due_or_a_reminder_outside_the_years_is_named(name: str, value: object) -> None:
    with pytest.raises(InvalidTask) as new:
        NewTask.of("p", **{name: value})
    with pytest.raises(InvalidTask) as change:
        TaskChanges.of(**{name: value})
    assert list(new.value.problems) == list(change.value.problems) == [name]


def test_the_first_and_the_last_day_of_the_years_are_in_them() -> None:
    first, last = date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)
    assert NewTask.of("p", due_date=last, recurrence=Recurrence("FREQ=DAILY")).due_date == last
    assert TaskChanges.of(due_date=first).due_date == first
    latest = datetime(YEAR_MAX, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12)))
    assert NewTask.of("p", due_at=latest).due_at == latest  # in UTC, the year after


def test_neither_a_new_task_nor_a_change_takes_a_field_it_does_not_have() -> None:
    with pytest.raises(TypeError, match="colour"):
        NewTask.of("plan", colour="red")
    with pytest.raises(TypeError, match="last_completed_at"):  # only the service sets it
        TaskChanges.of(last_completed_at=T0)


@pytest.mark.parametrize(
    ("given_", "fields"),
    [
        ({"due_date": DAY}, {"due_date": DAY, "due_at": None}),
        ({"due_at": MOMENT}, {"due_at": MOMENT, "due_date": None}),
        ({"due_date": None}, {"due_date": None}),  # clearing one leaves the other alone
        ({"due_at": None}, {"due_at": None}),
        ({"due_date": DAY, "due_at": None}, {"due_date": DAY, "due_at": None}),
        ({"due_date": None, "due_at": MOMENT}, {"due_date": None, "due_at": MOMENT}),
        ({"time_zone": "Asia/Tokyo"}, {"time_zone": "Asia/Tokyo"}),
        ({"due_date": UNSET, "title": "t"}, {"title": "t"}),
    ],
)
def test_a_change_that_sets_a_due_clears_the_other_kind(
    given_: dict[str, Any], fields: dict[str, object]
) -> None:
    assert TaskChanges.of(**given_).values() == fields


def test_a_change_keeps_its_fields_in_the_tasks_order_and_says_when_it_reschedules() -> None:
    changes = TaskChanges.of(remind_at=MOMENT, title="t", due_date=DAY, tags=["b", "A", "a"])
    assert changes.fields == ("title", "tags", "due_date", "due_at", "remind_at")
    assert changes.tags == ("b", "A")
    assert changes.reschedules
    assert not TaskChanges.of(remind_at=MOMENT, priority="low").reschedules
    for name in SCHEDULE:
        assert TaskChanges.of(**{name: None}).reschedules


def test_a_moment_is_kept_in_utc_whatever_offset_it_came_in() -> None:
    plus_nine = MOMENT.astimezone(timezone(timedelta(hours=9)))
    new = NewTask.of("plan", due_at=plus_nine, remind_at=plus_nine)
    changes = TaskChanges.of(due_at=plus_nine, remind_at=plus_nine)
    for moment in (new.due_at, new.remind_at, changes.due_at, changes.remind_at):
        assert moment == MOMENT
        assert isinstance(moment, datetime)
        assert moment.tzinfo is UTC


OCCURRENCES = DateutilOccurrences()
BERLIN_NINE = datetime(2026, 3, 2, 8, tzinfo=UTC)  # 09:00 in Berlin (CET)


def recurring_task(**fields: Any) -> Task:
    """An open task due 09:00 in Berlin on Monday 2026-03-02, every day, anchored there."""
    anchored = Recurrence("FREQ=DAILY", "due", datetime(2026, 3, 2, 9))
    task = Task(1, "alice", "t", None, False, T0, T0, 1, due_at=BERLIN_NINE, recurrence=anchored)
    return replace(task, time_zone="Europe/Berlin", **fields)


def test_a_new_series_starts_at_the_due_in_the_wall_time_of_its_zone() -> None:
    new = NewTask.of(
        "p", due_at=BERLIN_NINE, time_zone="Europe/Berlin", recurrence=Recurrence("FREQ=DAILY")
    )
    assert planned(new, OCCURRENCES).recurrence == Recurrence(
        "FREQ=DAILY", "due", datetime(2026, 3, 2, 9)
    )
    on_a_day = NewTask.of("p", due_date=DAY, recurrence=Recurrence("FREQ=WEEKLY", "completion"))
    assert planned(on_a_day, OCCURRENCES).recurrence == Recurrence(
        "FREQ=WEEKLY", "completion", datetime(2026, 3, 2)
    )


def test_a_new_series_that_never_comes_back_is_refused() -> None:
    new = NewTask.of("p", due_date=DAY, recurrence=Recurrence("FREQ=DAILY;UNTIL=20260301"))
    with pytest.raises(InvalidTask) as raised:
        planned(new, OCCURRENCES)
    assert list(raised.value.problems) == ["recurrence"]


@pytest.mark.parametrize(
    ("task", "changes", "rolls_"),
    [
        (recurring_task(), TaskChanges.of(completed=True), True),
        (recurring_task(), TaskChanges.of(completed=True, title="x"), True),
        (recurring_task(), TaskChanges.of(completed=True, recurrence=None), False),
        (recurring_task(), TaskChanges.of(completed=False), False),
        (recurring_task(), TaskChanges.of(title="x"), False),
        (recurring_task(completed=True), TaskChanges.of(completed=True), False),
        (recurring_task(recurrence=None), TaskChanges.of(completed=True), False),
    ],
)
def test_a_store_leaves_only_a_completion_of_an_open_series_to_the_service(
    task: Task, changes: TaskChanges, rolls_: bool
) -> None:
    assert rolls(task, changes) is rolls_


def test_a_change_of_anything_else_carries_the_schedule_as_stored() -> None:
    task = recurring_task(remind_at=BERLIN_NINE - timedelta(hours=1))
    whole = rescheduled(task, TaskChanges.of(title="x"), T0, OCCURRENCES)
    assert whole.values() == {
        "title": "x",
        "due_date": None,
        "due_at": BERLIN_NINE,
        "time_zone": "Europe/Berlin",
        "recurrence": task.recurrence,
        "remind_at": task.remind_at,
    }


def test_a_new_due_starts_the_series_afresh_there() -> None:
    whole = rescheduled(recurring_task(), TaskChanges.of(due_date=DAY), T0, OCCURRENCES)
    assert (whole.due_date, whole.due_at) == (DAY, None)
    assert whole.recurrence == Recurrence("FREQ=DAILY", "due", datetime(2026, 3, 2))
    moved = rescheduled(recurring_task(), TaskChanges.of(time_zone="Asia/Tokyo"), T0, OCCURRENCES)
    assert moved.recurrence == Recurrence("FREQ=DAILY", "due", datetime(2026, 3, 2, 17))


@pytest.mark.parametrize(
    "changes",
    [
        TaskChanges.of(due_at=None),  # the series would be left without a due
        TaskChanges.of(recurrence=Recurrence("FREQ=DAILY;COUNT=1")),  # nothing after the due
    ],
)
def test_a_change_that_leaves_a_series_with_no_next_date_is_refused(changes: TaskChanges) -> None:
    with pytest.raises(InvalidTask) as raised:
        rescheduled(recurring_task(), changes, T0, OCCURRENCES)
    assert list(raised.value.problems) == ["recurrence"]


def test_a_change_that_completes_an_open_series_rolls_it() -> None:
    whole = rescheduled(recurring_task(), TaskChanges.of(completed=True), T0, OCCURRENCES)
    assert (whole.completed, whole.last_completed_at) == (False, T0)
    assert whole.due_at == BERLIN_NINE + timedelta(days=1)
    ended = rescheduled(
        recurring_task(), TaskChanges.of(completed=True, recurrence=None), T0, OCCURRENCES
    )
    assert (ended.completed, ended.due_at, ended.recurrence) == (True, BERLIN_NINE, None)


def test_a_used_up_series_completes_for_good_and_keeps_its_rule() -> None:
    last = Recurrence("FREQ=DAILY;UNTIL=20260302", "due", datetime(2026, 3, 2, 9))
    changes = completion(recurring_task(recurrence=last), T0, OCCURRENCES)
    assert (changes.completed, changes.last_completed_at) == (True, T0)
    assert (changes.due_at, changes.recurrence) == (BERLIN_NINE, last)

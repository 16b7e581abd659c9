"""List queries with the planning filters and orders: a query refuses what it cannot answer
by the parameter's name, keeps its filters in one spelling, and its cursors (null due keys
included) come back as the key they were made of, for that query only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from todo_core import cursors
from todo_core.errors import InvalidCursor, InvalidQuery
from todo_core.listing import TaskQuery
from todo_core.planning import PRIORITIES, Priority
from todo_core.tasks import Task

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = date(2026, 3, 2)
MOMENT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
NAIVE = datetime(2026, 3, 2, 9, 30)


@pytest.mark.parametrize(
    ("given_", "parameter"),
    [
        ({"priorities": ["urgent"]}, "priority"),
        ({"priorities": ["high", "HIGH"]}, "priority"),
        ({"priorities": []}, "priority"),
        ({"priorities": "high"}, "priority"),
        ({"tags": [""]}, "tag"),
        ({"tags": ["  "]}, "tag"),
        ({"tags": []}, "tag"),
        ({"tags": ["a\x00"]}, "tag"),
        ({"tags": "work"}, "tag"),
        ({"due_before": NAIVE}, "due_before"),
        ({"due_after": NAIVE}, "due_after"),
        ({"due_after": "2026-03-02"}, "due_after"),
        ({"overdue": "yes"}, "overdue"),
        ({"has_due": 1}, "has_due"),
        ({"sort": "due_date"}, "sort"),
    ],
)
def test_a_query_names_the_parameter_it_cannot_answer(
    given_: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(InvalidQuery) as raised:
        TaskQuery.of(**given_)
    assert raised.value.parameter == parameter


def test_a_query_keeps_its_filters_in_one_spelling() -> None:
    plus_two = MOMENT.astimezone(timezone(timedelta(hours=2)))
    query = TaskQuery.of(
        priorities=["high", "low", "high"], tags=["Work", "STRASSE", "straße"], due_after=plus_two
    )
    assert query.priorities == ("low", "high")
    assert query.tags == ("strasse", "work")
    assert query.due_after == MOMENT
    assert isinstance(query.due_after, datetime)
    assert query.due_after.tzinfo is UTC
    assert TaskQuery.of(due_before=DAY).due_before == DAY


def test_only_an_overdue_query_depends_on_the_moment_it_is_asked() -> None:
    assert TaskQuery.of(has_due=True).at(T0).now is None
    assert TaskQuery.of(overdue=False).at(T0).now == T0


dues = st.one_of(
    st.just({}),
    st.builds(
        lambda day, zone: {"due_date": day, "time_zone": zone},
        st.dates(date(1900, 1, 2), date(2999, 12, 30)),
        st.sampled_from([None, "Europe/Berlin", "Pacific/Kiritimati", "America/Adak"]),
    ),
    st.builds(
        lambda moment, zone: {"due_at": moment, "time_zone": zone},
        st.datetimes(datetime(1900, 1, 2), datetime(2999, 12, 30), timezones=st.just(UTC)),
        st.sampled_from([None, "Asia/Kathmandu"]),
    ),
)


@given(
    task_id=st.integers(1, 2**63 - 1),
    priority=st.sampled_from(PRIORITIES),
    due=dues,
    sort=st.sampled_from(["priority", "-priority", "due", "-due"]),
)
def test_a_cursor_of_a_new_order_hands_back_the_tasks_key(
    task_id: int, priority: Priority, due: dict[str, Any], sort: str
) -> None:
    """A due-less task's key is null (it sorts last); a day's, the start of it in its zone."""
    task = Task(task_id, "alice", "t", None, False, T0, T0, 1, priority, [], **due)
    query = TaskQuery.of(sort=sort, limit=2, tags=["x"])
    cursor = query.cursor_after(task, "alice")
    assert TaskQuery.of(sort=sort, limit=2, tags=["X"], cursor=cursor, owner="alice").after == (
        query.key_of(task)
    )
    with pytest.raises(InvalidCursor):
        TaskQuery.of(sort=sort, limit=2, tags=["y"], cursor=cursor, owner="alice")


def forged(query: TaskQuery, value: object) -> str:
    return cursors.encode({"v": 1, "q": query._fingerprint("alice"), "k": [value, 1]})


@pytest.mark.parametrize(
    ("sort", "value"),
    [
        ("priority", 3),
        ("priority", -1),
        ("-priority", "high"),
        ("priority", True),
        ("priority", None),  # only a due may be missing
        ("priority", 1.0),
        ("due", "2026-03-02T09:00:00"),  # no offset
        ("-due", "2026-03-02"),
        ("due", 17),
        ("-due", "0001-01-01T00:00:00+01:00"),  # before the calendar in UTC
    ],
)
def test_a_forged_key_of_a_new_order_is_refused(sort: str, value: object) -> None:
    query = TaskQuery.of(sort=sort, limit=2)
    with pytest.raises(InvalidCursor):
        TaskQuery.of(sort=sort, limit=2, cursor=forged(query, value), owner="alice")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"priorities": ["high", "low"]}, {"priorities": ["low", "high"]}),
        ({"tags": ["Work", "home"]}, {"tags": ["HOME", "work"]}),
        ({"due_after": MOMENT}, {"due_after": MOMENT.astimezone(timezone(timedelta(hours=-5)))}),
    ],
)
def test_a_cursor_is_good_for_the_same_filters_however_spelled(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    task = Task(3, "alice", "t", None, False, T0, T0)
    cursor = TaskQuery.of(limit=1, **first).cursor_after(task, "alice")
    assert TaskQuery.of(limit=1, cursor=cursor, owner="alice", **second).after == (3, 3)


@pytest.mark.parametrize(
    "other",
    [
        {},
        {"priorities": ["high"]},
        {"due_before": datetime(2026, 3, 2, tzinfo=UTC)},  # a day is not its midnight
        {"due_after": DAY},
        {"due_before": DAY, "overdue": False},
        {"due_before": DAY, "has_due": True},
    ],
)
def test_a_cursor_is_good_for_its_filters_only(other: dict[str, Any]) -> None:
    task = Task(3, "alice", "t", None, False, T0, T0)
    cursor = TaskQuery.of(limit=1, due_before=DAY).cursor_after(task, "alice")
    assert TaskQuery.of(limit=1, cursor=cursor, owner="alice", due_before=DAY).after == (3, 3)
    with pytest.raises(InvalidCursor):
        TaskQuery.of(limit=1, cursor=cursor, owner="alice", **other)


def test_a_query_without_planning_filters_belongs_where_it_did_before_them() -> None:
    """Cursors handed out before the planning filters existed keep working."""
    query = TaskQuery.of(completed=True, text="milk", sort="-title")
    before = cursors.digest(json.dumps(["alice", True, "milk", "-title"], ensure_ascii=False))
    assert query._fingerprint("alice") == before


# Another value for every field a write may carry.

"""The TaskRepository contract for the planning filters and orders, on every adapter in both
flavours: priorities, tags (folded), dues before and after a day or an instant, overdue at a
moment, with a due or without; by priority and by due either way, walked in keyset pages.

Expected lists are written out by hand: the domain's own rule (`TaskQuery.matches`) is what
the in-memory stores run, so comparing with it would prove nothing of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.clocks import SetClock
from tests.support.pages import in_order, walked
from tests.support.repositories import written
from todo_core.listing import TaskQuery
from todo_core.planning import PRIORITIES
from todo_core.ports import TaskRepository
from todo_core.service import TaskService
from todo_core.tasks import NewTask

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)  # what the overdue filters are asked at

# Alice's planned tasks, in the order they are added (ids ascending); bob's matches anything.
PLANNED: dict[str, dict[str, Any]] = {
    "berlin day": {  # from 2026-03-09T23:00Z; overdue from 2026-03-10T23:00Z
        "priority": "high",
        "tags": ["Work", "Straße"],
        "due_date": date(2026, 3, 10),
        "time_zone": "Europe/Berlin",
    },
    "utc day": {"tags": ["work"], "due_date": date(2026, 3, 9)},
    "tokyo moment": {  # 01:00 on the 11th in Tokyo
        "tags": ["STRASSE", "home"],
        "due_at": datetime(2026, 3, 10, 16, tzinfo=UTC),
        "time_zone": "Asia/Tokyo",
    },
    "new york moment": {  # 23:00 on the 9th in New York
        "priority": "low",
        "due_at": datetime(2026, 3, 10, 3, tzinfo=UTC),
        "time_zone": "America/New_York",
    },
    "no due": {"priority": "low", "tags": ["home"]},
    "done and late": {
        "priority": "high",
        "tags": ["WORK"],
        "due_date": date(2026, 3, 1),
        "completed": True,
    },
    "kiritimati day": {  # UTC+14: from 2026-03-10T10:00Z
        "tags": ["Work", "home"],
        "due_date": date(2026, 3, 11),
        "time_zone": "Pacific/Kiritimati",
    },
    "same start": {"priority": "high", "due_at": datetime(2026, 3, 9, 23, tzinfo=UTC)},
    "no due either": {"priority": "high", "tags": ["straße"]},
    "no due, done": {"completed": True},
}


def add_planned(repository: TaskRepository) -> dict[int, str]:
    """Alice's planned tasks by id, and bob's one that every filter keeps."""
    names = {}
    for name, fields in PLANNED.items():
        names[written(repository.add("alice", NewTask.of(name, **fields), T0)).id] = name
    everything = {"priority": "high", "tags": ["work", "Straße", "home"], "due_date": T0.date()}
    repository.add("bob", NewTask.of("bob's", **everything), T0)
    return names


DAY_10, DAY_11 = date(2026, 3, 10), date(2026, 3, 11)
MIDNIGHT_10 = datetime(2026, 3, 10, tzinfo=UTC)
FILTERS: list[tuple[dict[str, Any], set[str]]] = [
    ({"priorities": ["high"]}, {"berlin day", "done and late", "same start", "no due either"}),
    (
        {"priorities": ["medium", "low"]},
        {"utc day", "tokyo moment", "new york moment", "no due", "kiritimati day", "no due, done"},
    ),
    ({"tags": ["work"]}, {"berlin day", "utc day", "done and late", "kiritimati day"}),
    ({"tags": ["STRASSE"]}, {"berlin day", "tokyo moment", "no due either"}),
    ({"tags": ["Straße", "WORK"]}, {"berlin day"}),
    ({"tags": ["home", "work"]}, {"kiritimati day"}),
    ({"tags": ["home", "nowhere"]}, set()),
    ({"due_before": DAY_10}, {"utc day", "new york moment", "done and late", "same start"}),
    (
        {"due_before": DAY_11},
        {"utc day", "new york moment", "done and late", "same start", "berlin day"},
    ),
    ({"due_after": DAY_11}, {"tokyo moment", "kiritimati day"}),
    ({"due_after": DAY_10, "due_before": DAY_11}, {"berlin day"}),
    ({"due_before": MIDNIGHT_10}, {"berlin day", "utc day", "done and late", "same start"}),
    ({"due_after": MIDNIGHT_10 + timedelta(hours=10)}, {"tokyo moment", "kiritimati day"}),
    (
        {"due_after": MIDNIGHT_10 - timedelta(hours=1), "due_before": MIDNIGHT_10.replace(hour=10)},
        {"berlin day", "same start", "new york moment"},
    ),
    ({"overdue": True}, {"utc day", "new york moment", "same start"}),
    (
        {"overdue": True, "at": datetime(2026, 3, 10, 23, tzinfo=UTC)},
        {"utc day", "new york moment", "same start", "berlin day", "tokyo moment"},
    ),
    (
        {"overdue": False},
        {"berlin day", "tokyo moment", "no due", "done and late", "kiritimati day"}
        | {"no due either", "no due, done"},
    ),
    ({"has_due": False}, {"no due", "no due either", "no due, done"}),
    (
        {"has_due": True},
        {"berlin day", "utc day", "tokyo moment", "new york moment", "done and late"}
        | {"kiritimati day", "same start"},
    ),
    ({"completed": False, "has_due": False, "tags": ["straße"]}, {"no due either"}),
    ({"completed": True, "overdue": False, "priorities": ["high"]}, {"done and late"}),
]


def query_of(filters: dict[str, Any], **more: Any) -> TaskQuery:
    """The query of `filters`, as of their `at` (NOW unless said)."""
    given = {name: value for name, value in filters.items() if name != "at"}
    return TaskQuery.of(**given, **more).at(filters.get("at", NOW))


@pytest.mark.parametrize(("filters", "names"), FILTERS)
def test_planning_filters_keep_what_they_say(
    repository: TaskRepository, filters: dict[str, Any], names: set[str]
) -> None:
    """A day is compared with the due's day in the task's zone; an instant with the due's
    moment (a day's: its start there); an open task is overdue once its moment, or its day
    there, is over."""
    named = add_planned(repository)
    assert {named[task.id] for task in repository.list("alice", query_of(filters))} == names


ORDERS = {
    "priority": [
        "new york moment", "no due", "utc day", "tokyo moment", "kiritimati day", "no due, done",
        "berlin day", "done and late", "same start", "no due either",
    ],
    "-priority": [
        "no due either", "same start", "done and late", "berlin day", "no due, done",
        "kiritimati day", "tokyo moment", "utc day", "no due", "new york moment",
    ],
    "due": [
        "done and late", "utc day", "berlin day", "same start", "new york moment",
        "kiritimati day", "tokyo moment", "no due", "no due either", "no due, done",
    ],
    "-due": [
        "tokyo moment", "kiritimati day", "new york moment", "same start", "berlin day",
        "utc day", "done and late", "no due, done", "no due either", "no due",
    ],
}  # fmt: skip


@pytest.mark.parametrize("sort", ORDERS)
def test_planning_orders_break_ties_by_id_and_put_tasks_without_a_due_last(
    repository: TaskRepository, sort: str
) -> None:
    named = add_planned(repository)
    assert [named[task.id] for task in repository.list("alice", TaskQuery.of(sort=sort))] == (
        ORDERS[sort]
    )


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.parametrize(
    ("sort", "filters"),
    [
        ("due", {}),
        ("-due", {}),
        ("priority", {}),
        ("-priority", {}),
        ("due", {"completed": False}),
        ("-due", {"tags": ["home"]}),
        ("-priority", {"overdue": False}),
        ("priority", {"due_before": DAY_11, "priorities": ["high", "medium"]}),
    ],
)
def test_pages_of_a_planning_order_walk_the_list_once_in_order(
    repository: TaskRepository, sort: str, filters: dict[str, Any], limit: int
) -> None:
    named = add_planned(repository)
    service = TaskService(repository, SetClock(NOW))
    whole = repository.list("alice", query_of(filters, sort=sort))
    assert walked(service, "alice", limit, sort=sort, **filters) == whole
    kept = {named[task.id] for task in repository.list("alice", query_of(filters))}
    assert [named[task.id] for task in whole] == [name for name in ORDERS[sort] if name in kept]


dues: st.SearchStrategy[dict[str, Any]] = st.sampled_from(
    [
        {},
        {"due_date": DAY_10},
        {"due_date": DAY_11, "time_zone": "Pacific/Kiritimati"},
        {"due_date": DAY_10, "time_zone": "America/New_York"},
        {"due_at": MIDNIGHT_10 - timedelta(hours=1)},  # the start of DAY_10 in Berlin
        {"due_at": NOW, "time_zone": "Europe/Berlin"},
        {"due_at": MIDNIGHT_10 + timedelta(hours=10), "time_zone": "Asia/Tokyo"},
    ]
)
plans = st.fixed_dictionaries(
    {
        "priority": st.sampled_from(PRIORITIES),
        "tags": st.lists(
            st.sampled_from(["Work", "work", "home", "Straße", "STRASSE"]), max_size=3
        ),
        "completed": st.booleans(),
    }
).flatmap(lambda fields: dues.map(lambda due: {**fields, **due}))
bounds = st.sampled_from([DAY_10, DAY_11, MIDNIGHT_10, MIDNIGHT_10 - timedelta(hours=1), NOW])
filterings = st.fixed_dictionaries(
    {},
    optional={
        "priorities": st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=2),
        "tags": st.lists(st.sampled_from(["work", "HOME", "strasse"]), min_size=1, max_size=2),
        "due_before": bounds,
        "due_after": bounds,
        "overdue": st.booleans(),
        "has_due": st.booleans(),
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    planned=st.lists(plans, max_size=10),
    sort=st.sampled_from(["priority", "-priority", "due", "-due"]),
    filters=filterings,
    limit=st.integers(1, 4),
)
def test_any_planning_query_pages_through_exactly_what_the_whole_query_returns(
    fresh_repository: Callable[[], TaskRepository],
    planned: list[dict[str, Any]],
    sort: str,
    filters: dict[str, Any],
    limit: int,
) -> None:
    """Ties on every key, and tasks without a due on page boundaries, in both directions."""
    repository = fresh_repository()
    for fields in planned:
        repository.add("alice", NewTask.of("t", **fields), T0)
    whole = repository.list("alice", query_of(filters, sort=sort))
    assert whole == in_order(repository.list("alice"), query_of(filters, sort=sort))
    service = TaskService(repository, SetClock(NOW))
    assert walked(service, "alice", limit, sort=sort, **filters) == whole

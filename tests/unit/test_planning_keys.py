"""Keyed writes with the planning fields: a repeat with any field different is another
request, caught when its key is reused; a moment in another offset is the same request; and a
write without a plan fingerprints as it did before plans existed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from todo_core.planning import Recurrence
from todo_core.tasks import NewTask, TaskChanges
from todo_core.writes import Add, Change, fingerprint

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
MOMENT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)

PLANNED = NewTask.of(
    "plan",
    "why",
    False,
    priority="high",
    tags=["Work", "home"],
    due_at=MOMENT,
    time_zone="Europe/Berlin",
    recurrence=Recurrence("FREQ=WEEKLY", "completion", datetime(2026, 3, 2, 10, 30)),
    remind_at=MOMENT - timedelta(minutes=5),
)
OTHER_VALUES: dict[str, Any] = {
    "title": "plan!",
    "description": None,
    "completed": True,
    "priority": "medium",
    "tags": ("home", "Work"),  # the order is the user's
    "due_at": MOMENT + timedelta(microseconds=1),
    "time_zone": "Europe/Paris",
    "recurrence": Recurrence("FREQ=WEEKLY", "completion", datetime(2026, 3, 2, 10, 31)),
    "remind_at": None,
}


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_a_keyed_add_with_any_field_different_is_another_request(name: str) -> None:
    other = replace(PLANNED, **{name: OTHER_VALUES[name]})
    assert fingerprint(Add(other, T0)) != fingerprint(Add(PLANNED, T0))
    assert fingerprint(Add(PLANNED, T0 + timedelta(hours=1), limit=3)) == fingerprint(
        Add(PLANNED, T0)
    )


@pytest.mark.parametrize(
    "other",
    [
        Recurrence("FREQ=WEEKLY", "due", datetime(2026, 3, 2, 10, 30)),
        Recurrence("FREQ=WEEKLY;COUNT=2", "completion", datetime(2026, 3, 2, 10, 30)),
        Recurrence("FREQ=WEEKLY", "completion"),
    ],
)
def test_a_keyed_add_with_another_recurrence_is_another_request(other: Recurrence) -> None:
    assert fingerprint(Add(replace(PLANNED, recurrence=other), T0)) != fingerprint(Add(PLANNED, T0))


def test_a_keyed_add_without_a_plan_is_recognised_as_before_plans_existed() -> None:
    """A key kept before the planning fields existed still matches its retry."""
    asked = json.dumps(["add", "plan", "why", False], sort_keys=True, ensure_ascii=False)
    before = hashlib.sha256(asked.encode()).hexdigest()
    assert fingerprint(Add(NewTask.of("plan", "why"), T0)) == before
    assert fingerprint(Add(NewTask.of("plan", "why", priority="low"), T0)) != before


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_a_keyed_change_with_any_field_different_is_another_request(name: str) -> None:
    first = TaskChanges(**{name: getattr(PLANNED, name)})
    second = TaskChanges(**{name: OTHER_VALUES[name]})
    prints = {fingerprint(Change(1, changes, T0)) for changes in (first, second, TaskChanges())}
    assert len(prints) == 3


def test_a_keyed_change_that_clears_a_field_is_not_one_that_leaves_it() -> None:
    cleared = TaskChanges.of(title="t", due_date=None)
    left = TaskChanges.of(title="t")
    assert fingerprint(Change(1, cleared, T0)) != fingerprint(Change(1, left, T0))


def test_a_keyed_write_of_one_moment_in_another_offset_is_the_same_request() -> None:
    minus_five = MOMENT.astimezone(timezone(timedelta(hours=-5)))
    assert fingerprint(Add(NewTask.of("p", due_at=minus_five), T0)) == fingerprint(
        Add(NewTask.of("p", due_at=MOMENT), T0)
    )
    assert fingerprint(Change(1, TaskChanges.of(remind_at=minus_five), T0)) == fingerprint(
        Change(1, TaskChanges.of(remind_at=MOMENT), T0)
    )

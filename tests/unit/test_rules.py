"""The task rules, driven by hypothesis: what they accept round-trips, what they refuse raises
InvalidTask and nothing else."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from todo_core.errors import InvalidTask
from todo_core.tasks import (
    DESCRIPTION_MAX,
    TASK_ID_MAX,
    TITLE_MAX,
    UNSET,
    NewTask,
    TaskChanges,
    is_owner_id,
    is_task_id,
)

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_BUT_NEWLINE_TAB = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
anything = st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.lists(st.text())


def title_ok(value: object) -> bool:
    """The rule, restated independently of the implementation."""
    if not isinstance(value, str):
        return False
    trimmed = value.strip()
    return 0 < len(trimmed) <= TITLE_MAX and not CONTROL.search(trimmed)


def description_ok(value: object) -> bool:
    return value is None or (
        isinstance(value, str)
        and len(value) <= DESCRIPTION_MAX
        and not CONTROL_BUT_NEWLINE_TAB.search(value)
    )


@given(title=anything | st.text(max_size=260), description=anything | st.text(max_size=1100))
@example(title="  x  ", description=None)
@example(title=" " * 10, description="")
@example(title="x" * 200, description="y" * 1000)
@example(title="x" * 201, description=None)
@example(title="x", description="y" * 1001)
@example(title="a\x00b", description=None)
@example(title="ok", description="line\nnext\ttab")
@example(title="ok", description="carriage\rreturn")
@example(title="\ud800", description=None)
@example(title="🎉 ' OR 1=1; --", description="🎉" * 1000)
def test_new_task_accepts_exactly_what_the_rules_allow(title: object, description: object) -> None:
    if title_ok(title) and description_ok(description):
        task = NewTask.of(title, description)
        assert isinstance(title, str)
        assert task.title == title.strip()
        assert task.description == description
    else:
        with pytest.raises(InvalidTask) as raised:
            NewTask.of(title, description)
        assert set(raised.value.problems) == {
            name
            for name, ok in (
                ("title", title_ok(title)),
                ("description", description_ok(description)),
            )
            if not ok
        }


@given(
    title=st.just(UNSET) | anything,
    description=st.just(UNSET) | anything,
    completed=st.just(UNSET) | anything,
)
def test_changes_validate_only_the_fields_given(
    title: object, description: object, completed: object
) -> None:
    ok = (
        (title is UNSET or title_ok(title))
        and (description is UNSET or description_ok(description))
        and (completed is UNSET or isinstance(completed, bool))
    )
    if not ok:
        with pytest.raises(InvalidTask):
            TaskChanges.of(title=title, description=description, completed=completed)
        return
    changes = TaskChanges.of(title=title, description=description, completed=completed)
    given_fields = {
        name: value
        for name, value in (
            ("title", title),
            ("description", description),
            ("completed", completed),
        )
        if value is not UNSET
    }
    assert set(changes.values()) == set(given_fields)
    if isinstance(title, str):
        assert changes.title == title.strip()


@pytest.mark.parametrize("value", [1, TASK_ID_MAX])
def test_task_ids_in_the_64_bit_range_are_ids(value: int) -> None:
    assert is_task_id(value)


@pytest.mark.parametrize("value", [0, -1, TASK_ID_MAX + 1, 10**30, True, 1.0, "1", None])
def test_anything_else_is_no_task_id(value: object) -> None:
    assert not is_task_id(value)


@given(st.text(max_size=300) | anything)
def test_owner_ids_are_short_printable_strings(value: object) -> None:
    expected = isinstance(value, str) and 0 < len(value) <= 255 and not CONTROL.search(value)
    assert is_owner_id(value) == expected

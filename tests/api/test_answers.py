"""The answers' bodies are msgspec's (todo_api/http/answers.py) while the OpenAPI document is
pydantic's: byte for byte the same JSON for any task, list, sync answer and tag count, or the
document would describe something the API does not send."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from todo_api.http.answers import changes_response, tags_response, task_response, tasks_response
from todo_core.planned_lists import TagCount
from todo_core.planning import PRIORITIES, YEAR_MAX, YEAR_MIN, Recurrence
from todo_core.syncing import Changes
from todo_core.tasks import Task

# Any text but lone surrogates, which neither writer can put into UTF-8 (nor a store hold).
texts = st.text(st.characters(exclude_categories=["Cs"]))
# Stores hand out UTC as psycopg's zone or the standard library's.
utc = st.sampled_from([UTC, ZoneInfo("UTC")])
moments = st.datetimes(timezones=utc)
planned_years = {"min_value": datetime(YEAR_MIN, 1, 1), "max_value": datetime(YEAR_MAX, 12, 31)}
recurrences = st.builds(
    Recurrence,
    texts,
    st.sampled_from(["due", "completion"]),
    st.none() | st.datetimes(**planned_years),  # the series' start, in the zone's wall time
)
tasks = st.builds(
    Task,
    id=st.integers(1, 2**63 - 1),
    user_id=texts,
    title=texts,
    description=st.none() | texts,
    completed=st.booleans(),
    created_at=moments,
    updated_at=moments,
    version=st.integers(1, 2**31),
    priority=st.sampled_from(PRIORITIES),
    tags=st.lists(texts, max_size=3).map(tuple),
    due_date=st.none() | st.dates(planned_years["min_value"].date()),
    due_at=st.none() | st.datetimes(timezones=utc, **planned_years),
    time_zone=st.none() | st.sampled_from(["Europe/Berlin", "UTC", "America/St_Johns"]),
    recurrence=st.none() | recurrences,
    remind_at=st.none() | moments,
    last_completed_at=st.none() | moments,
)


@given(tasks)
def test_a_task_is_written_as_pydantic_writes_it(task: Task) -> None:
    assert task_response(task).body == TypeAdapter(Task).dump_json(task)


@given(st.lists(tasks, max_size=4))
def test_a_list_is_written_as_pydantic_writes_it(listed: list[Task]) -> None:
    assert tasks_response(listed).body == TypeAdapter(list[Task]).dump_json(listed)


@given(st.lists(tasks, max_size=3), st.lists(st.integers(1, 2**63 - 1), max_size=3), texts)
def test_a_sync_answer_is_written_as_pydantic_writes_it(
    changed: list[Task], deleted: list[int], cursor: str
) -> None:
    changes = Changes(changed, deleted, cursor)
    assert changes_response(changes).body == TypeAdapter(Changes).dump_json(changes)


@given(st.lists(st.builds(TagCount, texts, st.integers(1, 10_000)), max_size=4))
def test_tag_counts_are_written_as_pydantic_writes_them(counts: list[TagCount]) -> None:
    assert tags_response(counts).body == TypeAdapter(list[TagCount]).dump_json(counts)


def test_a_recurring_task_names_its_fields_as_the_api_does() -> None:
    at = datetime(2027, 1, 4, 9, 30, tzinfo=UTC)
    task = Task(7, "alice", "Standup", None, False, at, at, due_at=at)
    task.recurrence = Recurrence("FREQ=DAILY", "completion", datetime(2027, 1, 4, 10, 30))
    body = task_response(task).body
    assert b'"recurrence":{"rule":"FREQ=DAILY","from":"completion",' in body
    assert b'"series_start":"2027-01-04T10:30:00"}' in body
    assert b'"due_at":"2027-01-04T09:30:00Z"' in body

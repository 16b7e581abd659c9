"""Hypothesis drives each repository (every adapter, sync and async) and a plain model side by
side; they must always agree: on every task as stored, planned fields included, on the tags
counted, and on every filtered, ordered, paged list (the model answers with the domain's own
rule, `TaskQuery.matches`; test_planning_lists_contract.py pins that rule down by hand)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from tests.support.pages import in_order
from tests.support.repositories import written
from todo_adapters.occurrences import DateutilOccurrences
from todo_core.errors import TaskNotFound
from todo_core.listing import SORTS, TaskQuery, is_after
from todo_core.planned_lists import TagCount
from todo_core.planning import PRIORITIES, Recurrence
from todo_core.ports import TaskRepository
from todo_core.recurring import completion, rolls
from todo_core.service import TaskService
from todo_core.tasks import SCHEDULE, UNSET, NewTask, Task, TaskChanges

OWNERS = ("alice", "bob", "🎉-carol")
owners = st.sampled_from(OWNERS)
# Whose task a write names: anyone's (None: the task's own owner, so that most writes land).
writers = st.none() | owners
titles = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=200).filter(
    lambda t: t == t.strip() and t
)
descriptions = st.none() | st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r\x0b\x0c"), max_size=40
).filter(lambda d: all(c in "\n\t" or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F) for c in d))
stray_ids = st.integers(min_value=-2, max_value=2**63 + 2) | st.sampled_from([0, 10**30])
# A write without a version check (None), with the task's current version (False), or with
# one it is not at (True).
preconditions = st.sampled_from([None, False, True])

# Plans around the machine's clock (2026-01-01), so that what is overdue changes as it runs.
START = datetime(2026, 1, 1, tzinfo=UTC)
tag_lists = st.lists(
    st.sampled_from(["Work", "work", "WORK", "home", "Straße", "STRASSE", "école", "🎉"]),
    max_size=4,
)
days = st.dates(date(2025, 12, 30), date(2026, 1, 2))
instants = st.datetimes(datetime(2025, 12, 31), datetime(2026, 1, 2), timezones=st.just(UTC))
zones = st.sampled_from([None, "Europe/Berlin", "America/New_York", "Pacific/Kiritimati"])
recurrences = st.builds(
    Recurrence,
    st.sampled_from(["FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;COUNT=2"]),
    st.sampled_from(["due", "completion"]),
    st.none() | st.datetimes(datetime(2025, 12, 31), datetime(2026, 1, 2)),
)
dues: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({}),
    days.map(lambda day: {"due_date": day}),
    instants.map(lambda moment: {"due_at": moment}),
)
plans = st.fixed_dictionaries(
    {
        "priority": st.sampled_from(PRIORITIES),
        "tags": tag_lists,
        "time_zone": zones,
        "remind_at": st.none() | instants,
    }
).flatmap(  # a recurrence only with a due, as every task has it
    lambda plan: dues.flatmap(
        lambda due: (
            st.just({**plan, **due})
            if not due
            else (st.none() | recurrences).map(lambda every: {**plan, **due, "recurrence": every})
        )
    )
)
# What a change plans anew: nothing, or some of the fields, or a schedule (a due among them).
replans: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {},
        optional={
            "priority": st.sampled_from(PRIORITIES),
            "tags": tag_lists,
            "remind_at": st.none() | instants,
        },
    ),
    st.fixed_dictionaries(
        {}, optional={"time_zone": zones, "recurrence": st.none() | recurrences}
    ).flatmap(
        lambda plan: st.one_of(
            st.just(plan),
            (st.none() | days).map(lambda day: {**plan, "due_date": day}),
            (st.none() | instants).map(lambda moment: {**plan, "due_at": moment}),
        )
    ),
)
# A query with at most two planning filters (more would mostly keep nothing).
bounds = days | instants
filters: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({}),
    st.fixed_dictionaries(
        {"priorities": st.lists(st.sampled_from(PRIORITIES), min_size=1, max_size=2)}
    ),
    st.fixed_dictionaries(
        {"tags": st.lists(st.sampled_from(["work", "HOME", "strasse", "🎉"]), min_size=1)}
    ),
    st.fixed_dictionaries({"due_before": bounds}),
    st.fixed_dictionaries({"due_after": bounds}),
    st.fixed_dictionaries({"overdue": st.booleans()}),
    st.fixed_dictionaries({"has_due": st.booleans()}),
)
queries = st.builds(
    lambda completed, sort, first, second: TaskQuery.of(
        completed=completed, sort=sort, **{**first, **second}
    ),
    st.sampled_from([None, True, False]),
    st.sampled_from(SORTS),
    filters,
    filters,
)
OCCURRENCES = DateutilOccurrences()


def repository_machine(fresh: Callable[[], TaskRepository]) -> type[RuleBasedStateMachine]:
    class RepositoryAgreesWithModel(RuleBasedStateMachine):
        ids = Bundle("ids")

        def __init__(self) -> None:
            super().__init__()
            self.repository: TaskRepository = fresh()
            self.model: dict[int, Task] = {}
            self.now = START
            # Rolls recurring tasks over the same store, at the machine's moment.
            self.service = TaskService(self.repository, lambda: self.now, occurrences=OCCURRENCES)

        def tick(self) -> datetime:
            self.now += timedelta(milliseconds=1)
            return self.now

        @initialize(target=ids, planned=st.lists(st.tuples(owners, plans), min_size=2, max_size=8))
        def plan(self, planned: list[tuple[str, Any]]) -> MultipleResults[int]:
            """Tasks to start from: every run has some to list, change and roll."""
            return multiple(*(self._add(owner, "planned", None, False, p) for owner, p in planned))

        @rule(
            target=ids,
            owner=owners,
            title=titles,
            description=descriptions,
            completed=st.booleans(),
            plan=plans,
        )
        def add(
            self, owner: str, title: str, description: str | None, completed: bool, plan: Any
        ) -> int:
            return self._add(owner, title, description, completed, plan)

        def _add(
            self, owner: str, title: str, description: str | None, completed: bool, plan: Any
        ) -> int:
            now = self.tick()
            new = NewTask.of(title, description, completed, **plan)
            task = written(self.repository.add(owner, new, now))
            assert task.id not in self.model
            assert all(task.id > known for known in self.model)
            assert task == Task(
                task.id, owner, title, description, completed, now, now, 1, new.priority,
                new.tags, new.due_date, new.due_at, new.time_zone, new.recurrence,
                new.remind_at, now if completed else None,
            )  # fmt: skip
            self.model[task.id] = task
            return task.id

        @rule(owner=owners, task_id=ids | stray_ids)
        def get(self, owner: str, task_id: int) -> None:
            assert self.repository.get(owner, task_id) == self._expected(owner, task_id)

        @rule(
            owner=writers,
            task_id=ids | stray_ids,
            title=st.just(UNSET) | titles,
            description=st.just(UNSET) | descriptions,
            completed=st.just(UNSET) | st.booleans(),
            replan=replans,
            stale=preconditions,
        )
        def change(
            self,
            owner: str | None,
            task_id: int,
            title: object,
            description: object,
            completed: object,
            replan: Any,
            stale: bool | None,
        ) -> None:
            owner = owner or self._owner_of(task_id)
            task = self._expected(owner, task_id)
            changes = whole(
                task,
                TaskChanges.of(title=title, description=description, completed=completed, **replan),
            )
            if not changes.fields:
                return
            now = self.tick()
            version, applies = self._precondition(owner, task_id, stale)
            expected = None
            if task is not None and applies and not rolls(task, changes):
                expected = self._written(task, changes.values(), now)
            assert self.repository.change(owner, task_id, changes, now, version) == expected

        @rule(owner=writers, task_id=ids | stray_ids, stale=preconditions)
        def toggle(self, owner: str | None, task_id: int, stale: bool | None) -> None:
            owner = owner or self._owner_of(task_id)
            now = self.tick()
            version, applies = self._precondition(owner, task_id, stale)
            task = self._expected(owner, task_id) if applies else None
            expected = None
            if task is not None and (task.completed or task.recurrence is None):
                expected = self._written(task, {"completed": not task.completed}, now)
            assert self.repository.toggle(owner, task_id, now, version) == expected

        @rule(task_id=ids)
        def complete(self, task_id: int) -> None:
            """Through the service, by the task's owner: an open recurring task rolls forward
            instead of being completed."""
            now = self.tick()
            task = self.model.get(task_id)
            if task is None:
                with pytest.raises(TaskNotFound):
                    self.service.toggle(self._owner_of(task_id), task_id)
                return
            made: dict[str, Any] = {"completed": not task.completed}
            if task.recurrence is not None and not task.completed:
                made = completion(task, now, OCCURRENCES).values()
            assert self.service.toggle(task.user_id, task_id) == self._written(task, made, now)

        @rule(owner=owners, task_id=ids | stray_ids, stale=preconditions)
        def remove(self, owner: str, task_id: int, stale: bool | None) -> None:
            version, applies = self._precondition(owner, task_id, stale)
            expected = applies and self._expected(owner, task_id) is not None
            if expected:
                del self.model[task_id]
            assert self.repository.remove(owner, task_id, version) is expected

        @rule(owner=owners)
        def tags(self, owner: str) -> None:
            spellings: dict[str, list[str]] = {}
            for task in self._mine(owner):
                for tag in task.tags:
                    spellings.setdefault(tag.casefold(), []).append(tag)
            counted = [
                TagCount(min(spelled), len(spelled)) for _, spelled in sorted(spellings.items())
            ]
            assert self.repository.tags(owner) == counted

        @rule(
            of=ids,
            query=queries,
            limit=st.none() | st.integers(1, 3),
            after=st.none() | st.integers(0, 30),
        )
        def list_some(
            self, of: int, query: TaskQuery, limit: int | None, after: int | None
        ) -> None:
            """A filtered, ordered list of the owner of task `of`, from after the place of one
            of their tasks (a cursor's key: that task may have changed since, or gone out of
            the list)."""
            owner = self._owner_of(of)
            query = replace(query, limit=limit).at(self.now)
            mine = self._mine(owner)
            expected = in_order(mine, query)
            if after is not None and mine:
                key = query.key_of(mine[after % len(mine)])
                query, place = replace(query, after=key), query.position(key)
                expected = [
                    t
                    for t in expected
                    if is_after(query.position(query.key_of(t)), place, query.descending)
                ]
            if limit is not None:
                expected = expected[: limit + 1]  # one more says that another page follows
            assert self.repository.list(owner, query) == expected

        def _written(self, task: Task, values: dict[str, Any], now: datetime) -> Task:
            """`task` as the store writes `values` on it at `now`, noted in the model."""
            if values.get("completed") is True and not task.completed:
                values = {"last_completed_at": now, **values}
            written = replace(task, **values, updated_at=now, version=task.version + 1)
            self.model[task.id] = written
            return written

        def _precondition(
            self, owner: str, task_id: int, stale: bool | None
        ) -> tuple[int | None, bool]:
            """(the version a write requires, whether the write applies): none (None), the
            current one (False), or one the task is not at (True)."""
            task = self._expected(owner, task_id)
            if stale is None:
                return None, True
            current = task.version if task is not None else 1
            return (current + 1, False) if stale else (current, True)

        @invariant()
        def lists_agree(self) -> None:
            for owner in OWNERS:
                assert self.repository.list(owner) == self._mine(owner)

        def _mine(self, owner: str) -> list[Task]:
            return sorted(
                (t for t in self.model.values() if t.user_id == owner), key=lambda t: t.id
            )

        def _owner_of(self, task_id: int) -> str:
            """The owner of the task, or of none (a task gone, an id no task has)."""
            task = self.model.get(task_id)
            return "alice" if task is None else task.user_id

        def _expected(self, owner: str, task_id: int) -> Task | None:
            task = self.model.get(task_id)
            return task if task is not None and task.user_id == owner else None

    return RepositoryAgreesWithModel


def whole(task: Task | None, changes: TaskChanges) -> TaskChanges:
    """`changes` as the service hands them to a store: a schedule written whole (all four
    fields, the stored ones for those not given), and no recurrence left without a due."""
    if not changes.reschedules:
        return changes
    given = changes.values()
    schedule: dict[str, Any] = {
        name: given.get(name, getattr(task, name, None)) for name in SCHEDULE
    }
    if schedule["due_date"] is None and schedule["due_at"] is None:
        schedule["recurrence"] = None
    return replace(changes, **schedule)


def test_repository_behaves_like_the_model(
    fresh_repository: Callable[[], TaskRepository],
) -> None:
    machine = repository_machine(fresh_repository)
    machine.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine.TestCase().runTest()

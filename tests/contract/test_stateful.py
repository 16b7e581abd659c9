"""Hypothesis drives each repository (every adapter, sync and async) and a plain model side by
side; they must always agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from todo_core.ports import TaskRepository
from todo_core.tasks import UNSET, NewTask, Task, TaskChanges

owners = st.sampled_from(["alice", "bob", "🎉-carol"])
titles = st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1, max_size=200).filter(
    lambda t: t == t.strip() and t
)
descriptions = st.none() | st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r\x0b\x0c"), max_size=40
).filter(lambda d: all(c in "\n\t" or not (ord(c) < 32 or 0x7F <= ord(c) <= 0x9F) for c in d))
stray_ids = st.integers(min_value=-2, max_value=2**63 + 2) | st.sampled_from([0, 10**30])


def repository_machine(fresh: Callable[[], TaskRepository]) -> type[RuleBasedStateMachine]:
    class RepositoryAgreesWithModel(RuleBasedStateMachine):
        ids = Bundle("ids")

        def __init__(self) -> None:
            super().__init__()
            self.repository: TaskRepository = fresh()
            self.model: dict[int, Task] = {}
            self.now = datetime(2026, 1, 1, tzinfo=UTC)

        def tick(self) -> datetime:
            self.now += timedelta(milliseconds=1)
            return self.now

        @rule(target=ids, owner=owners, title=titles, description=descriptions)
        def add(self, owner: str, title: str, description: str | None) -> int:
            now = self.tick()
            task = self.repository.add(owner, NewTask(title, description), now)
            assert task.id not in self.model
            assert all(task.id > known for known in self.model)
            assert task == Task(task.id, owner, title, description, False, now, now)
            self.model[task.id] = task
            return task.id

        @rule(owner=owners, task_id=ids | stray_ids)
        def get(self, owner: str, task_id: int) -> None:
            assert self.repository.get(owner, task_id) == self._expected(owner, task_id)

        @rule(
            owner=owners,
            task_id=ids | stray_ids,
            title=st.just(UNSET) | titles,
            description=st.just(UNSET) | descriptions,
            completed=st.just(UNSET) | st.booleans(),
        )
        def change(
            self, owner: str, task_id: int, title: object, description: object, completed: object
        ) -> None:
            changes = TaskChanges.of(title, description, completed)
            if not changes.fields:
                return
            now = self.tick()
            expected = self._expected(owner, task_id)
            if expected is not None:
                expected = replace(expected, updated_at=now, **changes.values())  # type: ignore[arg-type]
                self.model[task_id] = expected
            assert self.repository.change(owner, task_id, changes, now) == expected

        @rule(owner=owners, task_id=ids | stray_ids)
        def toggle(self, owner: str, task_id: int) -> None:
            now = self.tick()
            expected = self._expected(owner, task_id)
            if expected is not None:
                expected = replace(expected, completed=not expected.completed, updated_at=now)
                self.model[task_id] = expected
            assert self.repository.toggle(owner, task_id, now) == expected

        @rule(owner=owners, task_id=ids | stray_ids)
        def remove(self, owner: str, task_id: int) -> None:
            expected = self._expected(owner, task_id) is not None
            if expected:
                del self.model[task_id]
            assert self.repository.remove(owner, task_id) is expected

        @invariant()
        def lists_agree(self) -> None:
            for owner in ("alice", "bob", "🎉-carol"):
                mine = sorted(
                    (t for t in self.model.values() if t.user_id == owner), key=lambda t: t.id
                )
                assert self.repository.list(owner) == mine

        def _expected(self, owner: str, task_id: int) -> Task | None:
            task = self.model.get(task_id)
            return task if task is not None and task.user_id == owner else None

    return RepositoryAgreesWithModel


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

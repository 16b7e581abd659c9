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
# A write without a version check (None), with the task's current version (False), or with
# one it is not at (True).
preconditions = st.sampled_from([None, False, True])


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
            stale=preconditions,
        )
        def change(
            self,
            owner: str,
            task_id: int,
            title: object,
            description: object,
            completed: object,
            stale: bool | None,
        ) -> None:
            changes = TaskChanges.of(title, description, completed)
            if not changes.fields:
                return
            now = self.tick()
            version, applies = self._precondition(owner, task_id, stale)
            expected = self._expected(owner, task_id) if applies else None
            if expected is not None:
                expected = replace(
                    expected,
                    updated_at=now,
                    version=expected.version + 1,
                    **changes.values(),  # type: ignore[arg-type]
                )
                self.model[task_id] = expected
            assert self.repository.change(owner, task_id, changes, now, version) == expected

        @rule(owner=owners, task_id=ids | stray_ids, stale=preconditions)
        def toggle(self, owner: str, task_id: int, stale: bool | None) -> None:
            now = self.tick()
            version, applies = self._precondition(owner, task_id, stale)
            expected = self._expected(owner, task_id) if applies else None
            if expected is not None:
                expected = replace(
                    expected,
                    completed=not expected.completed,
                    updated_at=now,
                    version=expected.version + 1,
                )
                self.model[task_id] = expected
            assert self.repository.toggle(owner, task_id, now, version) == expected

        @rule(owner=owners, task_id=ids | stray_ids, stale=preconditions)
        def remove(self, owner: str, task_id: int, stale: bool | None) -> None:
            version, applies = self._precondition(owner, task_id, stale)
            expected = applies and self._expected(owner, task_id) is not None
            if expected:
                del self.model[task_id]
            assert self.repository.remove(owner, task_id, version) is expected

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

"""Each sync twin is what its async source generates (tools/async_to_sync.py), and the
wrappers that forward every repository method forward every one."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime
from pathlib import Path

from tests.support.repositories import RecordingObserver
from todo_adapters.forwarding import REPOSITORY_METHODS
from todo_adapters.memory import AsyncInMemoryTaskRepository
from todo_adapters.observed import observed
from todo_core.idempotency import IdempotencyKey
from todo_core.ports import TaskRepository
from todo_core.tasks import NewTask, TaskChanges
from todo_core.writes import Toggle
from tools import async_to_sync

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_every_sync_twin_is_generated_fresh_from_its_async_source() -> None:
    assert async_to_sync.sources(), "no async source found"
    stale = [str(twin.relative_to(async_to_sync.ROOT)) for twin in async_to_sync.stale()]
    assert not stale, f"regenerate with `python -m tools.async_to_sync`: {stale}"


def test_a_changed_source_makes_its_twin_stale(tmp_path: Path) -> None:
    """The check can fail: a source edited after its twin was generated is caught."""
    package = tmp_path / "todo_core"
    package.mkdir()
    source = package / "thing_async.py"
    source.write_text('"""A twin."""\n\n\nasync def answer() -> int:\n    return 42\n')
    twin = async_to_sync.twin_of(source)
    twin.write_text(async_to_sync.generated(source, tmp_path))
    assert "def answer() -> int" in twin.read_text()
    assert async_to_sync.stale(tmp_path) == []
    source.write_text(source.read_text().replace("42", "43"))
    assert async_to_sync.stale(tmp_path) == [twin]


def test_the_forwarded_methods_are_the_ports_methods() -> None:
    sync_methods = {
        name
        for name, value in vars(TaskRepository).items()
        if inspect.isfunction(value) and not name.startswith("_")
    }
    assert set(REPOSITORY_METHODS) == sync_methods
    assert len(REPOSITORY_METHODS) == 12


def test_an_observed_store_reports_each_method_by_name() -> None:
    observer = RecordingObserver()
    tasks = observed(AsyncInMemoryTaskRepository(), observer)

    async def every_method() -> None:
        task = await tasks.add("alice", NewTask("a"), NOW)
        assert task is not None
        await tasks.list("alice")
        await tasks.get("alice", task.id)
        await tasks.tags("alice")
        await tasks.change("alice", task.id, TaskChanges.of(title="b"), NOW)
        await tasks.toggle("alice", task.id, NOW)
        write = Toggle(task.id, NOW)
        await tasks.write_once("alice", IdempotencyKey.of("k", write, NOW), write)
        await tasks.kept("alice", IdempotencyKey.of("k", write, NOW))
        await tasks.changed_since("alice", 0)
        await tasks.sync_stamp("alice")
        await tasks.remove("alice", task.id)
        await tasks.purge(NOW, NOW)

    asyncio.run(every_method())
    assert sorted(observer.operations) == sorted(REPOSITORY_METHODS)

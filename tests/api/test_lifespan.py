"""What the lifespan does to the process: garbage collection tuned as configured, and nothing
built before it starts or left open after it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.apps import memory_app, settings_for_tests
from tests.support.tokens import auth
from todo_api import Container, create_app


@pytest.fixture
def restored_gc() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_the_youngest_generation_is_collected_as_configured(
    restored_gc: tuple[int, int, int],
) -> None:
    app, _, _ = memory_app(gc_gen0_threshold=12_345)
    assert gc.get_threshold() == restored_gc  # nothing happens before the lifespan
    with TestClient(app):
        assert gc.get_threshold() == (12_345, *restored_gc[1:])


def test_zero_leaves_pythons_collector_alone(restored_gc: tuple[int, int, int]) -> None:
    app, _, _ = memory_app(gc_gen0_threshold=0)
    with TestClient(app):
        assert gc.get_threshold() == restored_gc


def test_what_requests_share_is_built_in_the_lifespan_closed_after_it_and_built_again(
    tmp_path: Path,
) -> None:
    """The task store (here the embedded SQLite one, on its threads) and the token checks'
    threads exist only while the app runs; an app started again builds them afresh."""
    container = Container()
    container.settings.override(settings_for_tests(database_url=f"sqlite:///{tmp_path / 't.db'}"))
    app = create_app(container)
    assert not container.task_store.initialized
    for title in ("first run", "second run"):
        with TestClient(app) as client:
            assert container.task_store.initialized
            assert container.token_threads.initialized
            created = client.post("/api/alice/tasks", json={"title": title}, headers=auth("alice"))
            assert created.status_code == 201
        assert not container.task_store.initialized
        assert not container.token_threads.initialized
    with TestClient(app) as client:
        titles = [
            task["title"] for task in client.get("/api/alice/tasks", headers=auth("alice")).json()
        ]
    assert titles == ["first run", "second run"]

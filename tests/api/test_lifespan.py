"""What the lifespan does to the process: garbage collection tuned as configured, and nothing
built before it starts or left open after it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.apps import memory_app


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


def test_what_requests_share_is_built_in_the_lifespan_and_closed_after_it() -> None:
    app, container, _ = memory_app()
    assert not container.token_threads.initialized
    with TestClient(app):
        assert container.token_threads.initialized
    assert not container.token_threads.initialized

"""A database that cannot be reached is a 503 with Retry-After, never a 500 or a hang."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from tests.support.apps import settings_for_tests
from todo_adapters.sql import AsyncSqlTaskRepository, Connections, PoolOptions
from todo_api import Container, create_app
from todo_api.resources.task_store import TaskStore

NOWHERE = "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2"  # port 1: refused


async def unreachable_store() -> AsyncIterator[TaskStore]:
    """The real async adapter, its pool opened without waiting on a server that refuses."""
    options = PoolOptions(size=1, max_overflow=0, timeout_seconds=2, call_timeout_seconds=5)
    connections = Connections(NOWHERE, options)
    await connections.pool.open(wait=False)
    store = AsyncSqlTaskRepository(connections)
    yield TaskStore(store, store.ping, "nowhere")
    await connections.close()


@pytest.fixture
def client() -> Iterator[TestClient]:
    container = Container()
    container.settings.override(settings_for_tests())
    container.task_store.override(providers.Resource(unreachable_store))
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/alice/tasks"),
        ("POST", "/api/alice/tasks"),
        ("GET", "/api/alice/tasks/1"),
        ("PUT", "/api/alice/tasks/1"),
        ("DELETE", "/api/alice/tasks/1"),
        ("PATCH", "/api/alice/tasks/1/complete"),
        ("GET", "/health/ready"),
    ],
)
def test_every_route_answers_503_quickly(
    client: TestClient, auth: Callable[[str], dict[str, str]], method: str, path: str
) -> None:
    started = time.monotonic()
    body = {"title": "x"} if method in ("POST", "PUT") else None
    response = client.request(method, path, json=body, headers=auth("alice"))
    assert time.monotonic() - started < 1  # at once, not after the 2 s pool timeout
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.headers["content-type"] == "application/problem+json"
    assert "postgres" not in response.text  # no connection details leak


def test_liveness_does_not_depend_on_the_database(client: TestClient) -> None:
    assert client.get("/health").status_code == 200

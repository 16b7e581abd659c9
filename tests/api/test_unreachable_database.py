"""A database that cannot be reached is a 503 with Retry-After, never a 500 or a hang."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from tests.conftest import settings_for_tests
from todo_adapters.database import PoolOptions, make_engine, ping
from todo_adapters.sql import SqlTaskRepository
from todo_api import Container, create_app

NOWHERE = "postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=2"  # port 1: refused


@pytest.fixture
def client() -> Iterator[TestClient]:
    engine = make_engine(NOWHERE, PoolOptions(timeout_seconds=2))
    container = Container()
    container.settings.override(settings_for_tests())
    container.task_repository.override(providers.Object(SqlTaskRepository(engine)))
    container.storage_probe.override(providers.Object(lambda: ping(engine)))
    with TestClient(create_app(container)) as test_client:
        yield test_client
    engine.dispose()


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
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.headers["retry-after"].isdigit()
    assert response.headers["content-type"] == "application/problem+json"
    assert "postgres" not in response.text  # no connection details leak


def test_liveness_does_not_depend_on_the_database(client: TestClient) -> None:
    assert client.get("/health").status_code == 200

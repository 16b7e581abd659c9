"""Shared fixtures: a private PostgreSQL database per run, tokens, and apps on either store.

PostgreSQL tests use TEST_DATABASE_URL (default: the local server), create a database of their
own and drop it afterwards. Without a server they skip, unless TODO_REQUIRE_POSTGRES=1 (CI),
where a missing server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from todo_adapters.database import make_engine
from todo_adapters.jwt import SharedSecretVerifier
from todo_adapters.memory import InMemoryTaskRepository
from todo_adapters.migrations import migrate
from todo_api import Container, create_app, use_memory
from todo_api.settings import Settings

SECRET = "test-secret-that-is-long-enough-0123456789"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def require_postgres() -> bool:
    return os.environ.get("TODO_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh, empty database on the test server, dropped at the end of the run."""
    server = os.environ.get("TEST_DATABASE_URL", DEFAULT_SERVER)
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL not reachable at TEST_DATABASE_URL ({type(error).__name__})"
        if require_postgres():
            pytest.fail(message + " and TODO_REQUIRE_POSTGRES=1")
        pytest.skip(message)
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    yield url
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_postgres(postgres_engine: Engine) -> Engine:
    with postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE tasks"))
    return postgres_engine


@pytest.fixture(scope="session")
def verifier() -> SharedSecretVerifier:
    return SharedSecretVerifier(SECRET)


@pytest.fixture(scope="session")
def token_for(verifier: SharedSecretVerifier) -> Callable[..., str]:
    def issue(user_id: str, ttl_seconds: int = 900, **claims: object) -> str:
        return verifier.issue(user_id, ttl_seconds, **claims)

    return issue


@pytest.fixture(scope="session")
def auth(token_for: Callable[..., str]) -> Callable[[str], dict[str, str]]:
    return lambda user_id: {"Authorization": f"Bearer {token_for(user_id)}"}


def settings_for_tests(**overrides: object) -> Settings:
    values: dict[str, object] = {"better_auth_secret": SECRET, "environment": "development"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def memory_app() -> tuple[FastAPI, Container, InMemoryTaskRepository]:
    container = Container()
    container.settings.override(settings_for_tests())
    repository = use_memory(container)
    return create_app(container), container, repository


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The API on the in-memory store, then on the private PostgreSQL database (emptied)."""
    if request.param == "memory":
        app, _, _ = memory_app()
    else:
        request.getfixturevalue("clean_postgres")
        container = Container()
        url = request.getfixturevalue("postgres_url")
        container.settings.override(settings_for_tests(database_url=url))
        app = create_app(container)
    with TestClient(app) as test_client:
        yield test_client


_POSTGRES_FIXTURES = {
    "postgres_url",
    "postgres_engine",
    "clean_postgres",
    "pg_server",
    "private_cluster",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whatever uses the PostgreSQL fixtures is a PostgreSQL test, marked or not."""
    for item in items:
        if _POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Under TODO_REQUIRE_POSTGRES=1 (CI) a skipped PostgreSQL test is a failed one."""
    report = yield
    if require_postgres() and report.skipped and item.get_closest_marker("postgres"):
        report.outcome = "failed"
        report.longrepr = (
            f"PostgreSQL test skipped under TODO_REQUIRE_POSTGRES=1: {report.longrepr}"
        )
    return report

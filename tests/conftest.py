"""Fixtures every suite may use: a private PostgreSQL database per run, a private cluster, an
event loop for async adapters, and the API on either store. Helpers live in tests/support.

Under TODO_REQUIRE_POSTGRES=1 (CI) a PostgreSQL test that cannot run fails instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.support import tokens
from tests.support.apps import memory_app, settings_for_tests
from tests.support.databases import create_database, drop_database, require_postgres
from tests.support.private_postgres import PrivateCluster, server_binaries
from tests.support.redis import require_redis
from tests.support.servers import free_port
from todo_adapters.sql import make_engine, migrate
from todo_api import Container, create_app


def unavailable(reason: str) -> NoReturn:
    """Skip, or under TODO_REQUIRE_POSTGRES=1 fail, for want of PostgreSQL."""
    if require_postgres():
        pytest.fail(reason + " and TODO_REQUIRE_POSTGRES=1")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server() -> None:
    """The real Redis is there (skip, or fail under TODO_REQUIRE_REDIS=1, without it)."""
    require_redis()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh, empty database on the test server, dropped at the end of the run."""
    try:
        url = create_database()
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL not reachable at TEST_DATABASE_URL ({type(error).__name__})")
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_postgres(postgres_engine: Engine) -> Engine:
    with postgres_engine.begin() as connection:
        # TRUNCATE fires no delete trigger: no tombstones are made for the emptied tasks.
        connection.execute(text("TRUNCATE tasks, task_tombstones, idempotency_keys, task_counts"))
        connection.execute(text("UPDATE sync_state SET purged_through = 0"))
    return postgres_engine


@pytest.fixture(scope="session")
def auth() -> Callable[[str], dict[str, str]]:
    """The headers a signed-in user sends: `auth("alice")`."""
    return tokens.auth


@pytest.fixture(scope="session")
def token_for() -> Callable[..., str]:
    """A token for a user, signed with the test secret: `token_for("alice", ttl_seconds)`."""
    return tokens.token_for


@pytest.fixture(scope="session")
def portal() -> Iterator[BlockingPortal]:
    """An event loop on a thread of its own, for driving async adapters from sync tests."""
    with start_blocking_portal() as running:
        yield running


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


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    """A PostgreSQL cluster of the test's own, which it may stop, freeze and restart."""
    binaries = server_binaries()
    if binaries is None:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    root = Path(tempfile.mkdtemp(prefix="todo-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = PrivateCluster(root, binaries, free_port())
    cluster.start()
    yield cluster
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        cluster.stop()
    shutil.rmtree(root, ignore_errors=True)


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

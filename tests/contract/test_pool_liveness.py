"""Pooled connections the server dropped: replaced before use when idle, never a 500.

Real PostgreSQL; the pooled backend is killed with pg_terminate_backend, as a restart or a
suspended Neon compute would.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import Engine, text

from todo_adapters.sql import PoolOptions, SqlTaskRepository, make_engine
from todo_core.errors import StorageUnavailable

pytestmark = pytest.mark.postgres
NOBODY = "owner-with-no-tasks"


def one_connection_engine(url: str, ping_after_idle: float) -> Engine:
    return make_engine(
        url, PoolOptions(size=1, max_overflow=0, ping_after_idle_seconds=ping_after_idle)
    )


def kill_pooled_backend(engine: Engine, admin_url: str) -> None:
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    time.sleep(0.05)


@pytest.fixture
def admin_url(postgres_url: str, postgres_engine: Engine) -> str:
    return postgres_url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.parametrize("ping_after_idle", [0.0, 0.2])
def test_an_idle_dead_connection_is_replaced_before_use(
    postgres_url: str, admin_url: str, ping_after_idle: float
) -> None:
    engine = one_connection_engine(postgres_url, ping_after_idle)
    repository = SqlTaskRepository(engine)
    repository.list(NOBODY)
    kill_pooled_backend(engine, admin_url)
    time.sleep(ping_after_idle + 0.05)
    assert repository.list(NOBODY) == []  # pinged, found dead, replaced: no error at all
    engine.dispose()


def test_a_just_used_dead_connection_fails_cleanly_once_then_recovers(
    postgres_url: str, admin_url: str
) -> None:
    engine = one_connection_engine(postgres_url, ping_after_idle=60)
    repository = SqlTaskRepository(engine)
    repository.list(NOBODY)
    kill_pooled_backend(engine, admin_url)
    with pytest.raises(StorageUnavailable):
        repository.list(NOBODY)  # a 503 at the API, never a 500
    assert repository.list(NOBODY) == []  # the pool dropped the dead connection
    engine.dispose()

"""The engine options reach the real server: statement timeout, prepared statements, recycle."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import exc, text

from todo_adapters.sql import PoolOptions, SqlTaskRepository, make_engine
from todo_core.errors import StorageUnavailable


def test_a_statement_over_the_timeout_is_cancelled(postgres_url: str) -> None:
    engine = make_engine(postgres_url, PoolOptions(statement_timeout_ms=200))
    try:
        with engine.connect() as connection, pytest.raises(exc.OperationalError, match="timeout"):
            connection.execute(text("SELECT pg_sleep(2)"))
        with engine.connect() as connection:  # and the connection is usable afterwards
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(("setting", "threshold"), [("off", None), ("on", 5)])
def test_prepared_statements_can_be_forced(
    postgres_url: str, setting: str, threshold: object
) -> None:
    options = PoolOptions(prepared_statements=setting)  # type: ignore[arg-type]
    engine = make_engine(postgres_url, options)
    try:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert getattr(raw, "prepare_threshold") == threshold  # noqa: B009
    finally:
        engine.dispose()


def test_connections_are_recycled_before_neon_suspends(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        assert engine.pool._recycle == 240  # the pool has no public accessor
    finally:
        engine.dispose()


@pytest.mark.usefixtures("clean_postgres")
def test_an_exhausted_pool_is_storage_unavailable_after_the_pool_timeout(postgres_url: str) -> None:
    """Every connection busy: the next caller waits DB_POOL_TIMEOUT, then gets a clean error
    (503 at the HTTP layer), not a hang."""
    engine = make_engine(postgres_url, PoolOptions(size=1, max_overflow=0, timeout_seconds=0.5))
    repository = SqlTaskRepository(engine)
    try:
        with engine.connect():  # the only connection, held
            started = time.monotonic()
            with pytest.raises(StorageUnavailable):
                repository.list("alice")
            assert 0.4 < time.monotonic() - started < 2
        assert repository.list("alice") == []  # and fine once it is back
    finally:
        engine.dispose()

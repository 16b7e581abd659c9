"""The engine options reach the real server: statement timeout, prepared statements, recycle."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from todo_adapters.database import PoolOptions, make_engine


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

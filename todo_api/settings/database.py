"""Where tasks are kept, how the pool reaches them, and how long keys and deletions stay."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator, model_validator

from todo_adapters.sql.options import PoolOptions, PreparedStatements
from todo_adapters.sql.urls import driver_url
from todo_api.settings.environment import EnvironmentSettings

DEFAULT_DATABASE_URL = "sqlite:///./todo.db"


class DatabaseSettings(EnvironmentSettings):
    database_url: str | None = None
    migrations_database_url: str | None = None
    migrate_on_start: bool = True
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_timeout: float = Field(default=5, gt=0)
    db_ping_after_idle_seconds: float = Field(default=1.0, ge=0)
    db_pool_recycle_seconds: float = Field(default=240, gt=0)
    db_connect_timeout_seconds: int = Field(default=5, ge=2, le=60)
    db_statement_timeout_ms: int = Field(default=5_000, ge=0)
    db_call_timeout_seconds: float = Field(default=10, gt=0)
    db_prepared_statements: PreparedStatements = "auto"
    db_startup_timeout_seconds: float = Field(default=30, ge=0)
    idempotency_ttl_hours: float = Field(default=24, gt=0, le=24 * 30)
    sync_retention_days: float = Field(default=30, gt=0, le=3650)
    housekeeping_interval_seconds: float = Field(default=3600, ge=0)

    @field_validator("database_url", "migrations_database_url")
    @classmethod
    def _known_driver(cls, url: str | None) -> str | None:
        if url:
            driver_url(url)  # raises on a URL we cannot drive
        return url or None

    @model_validator(mode="after")
    def _production_names_its_database(self) -> DatabaseSettings:
        if self.in_production and not self.database_url:
            raise ValueError("ENVIRONMENT=production needs DATABASE_URL")
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or DEFAULT_DATABASE_URL

    @property
    def effective_migrations_url(self) -> str:
        """Neon's direct host when given: DDL and long transactions stay off the pooler."""
        return self.migrations_database_url or self.effective_database_url

    @property
    def pool_options(self) -> PoolOptions:
        return PoolOptions(
            size=self.db_pool_size,
            max_overflow=self.db_max_overflow,
            timeout_seconds=self.db_pool_timeout,
            ping_after_idle_seconds=self.db_ping_after_idle_seconds,
            recycle_seconds=self.db_pool_recycle_seconds,
            connect_timeout_seconds=self.db_connect_timeout_seconds,
            statement_timeout_ms=self.db_statement_timeout_ms,
            prepared_statements=self.db_prepared_statements,
            call_timeout_seconds=self.db_call_timeout_seconds,
        )

    @property
    def idempotency_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_ttl_hours)

    @property
    def sync_retention(self) -> timedelta:
        return timedelta(days=self.sync_retention_days)

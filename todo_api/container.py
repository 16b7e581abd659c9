"""The composition root: the one place that decides which adapter serves each port.

Nothing is built at import time. Tests and embedders swap a provider with `.override(...)`
(see `use_memory`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from dependency_injector import containers, providers
from sqlalchemy import Engine

from todo_adapters.database import (
    connect_args_for,
    make_engine,
    ping,
    wait_for_database,
)
from todo_adapters.jwks import JwksVerifier
from todo_adapters.jwt import SharedSecretVerifier
from todo_adapters.memory import InMemoryTaskRepository
from todo_adapters.migrations import Migrated, migration_engine, upgrade
from todo_adapters.sql import SqlTaskRepository
from todo_adapters.verifiers import ByAlgorithm
from todo_api import dev_secret
from todo_api.settings import Settings
from todo_core.service import TaskService


def open_database(settings: Settings) -> Iterator[Engine]:
    """The engine for the configured database, once it answers and its schema is current."""
    engine = make_engine(settings.effective_database_url, settings.pool_options)
    try:
        wait_for_database(engine, settings.db_startup_timeout_seconds)
        if settings.migrate_on_start:
            migrate(settings)
        yield engine
    finally:
        engine.dispose()


def migrate(settings: Settings) -> Migrated:
    """Bring the schema to the newest revision, over MIGRATIONS_DATABASE_URL when set."""
    url = settings.effective_migrations_url
    no_timeout = replace(settings.pool_options, statement_timeout_ms=0)  # DDL may take a while
    engine = migration_engine(url, connect_args_for(url, no_timeout))
    try:  # the direct host may still be waking up when the pooled one already answers
        wait_for_database(engine, settings.db_startup_timeout_seconds)
        return upgrade(engine)
    finally:
        engine.dispose()


def shared_secret_verifier_for(settings: Settings) -> SharedSecretVerifier | None:
    """HS256 with BETTER_AUTH_SECRET; in development with nothing configured, with a secret
    generated on disk (so that `todo-api token` works out of the box)."""
    if settings.better_auth_secret is not None:
        secret = settings.better_auth_secret.get_secret_value()
    elif settings.uses_dev_secret:
        path = settings.dev_secret_file or dev_secret.dev_secret_path(
            settings.effective_database_url
        )
        secret = dev_secret.load_or_create(path)
    else:
        return None
    return SharedSecretVerifier(
        secret,
        [settings.jwt_algorithm],
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


def jwks_verifier_for(settings: Settings) -> JwksVerifier | None:
    """Better Auth's published keys, when JWT_JWKS_URL is set."""
    if settings.jwt_jwks_url is None:
        return None
    return JwksVerifier(
        settings.jwt_jwks_url,
        settings.jwt_jwks_algorithms,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
        timeout_seconds=settings.jwt_jwks_timeout_seconds,
        max_age_seconds=settings.jwt_jwks_max_age_seconds,
        min_refresh_seconds=settings.jwt_jwks_min_refresh_seconds,
    )


def either_verifier(
    shared: SharedSecretVerifier | None, published: JwksVerifier | None
) -> ByAlgorithm:
    """Every configured verifier, each token going to the one its algorithm names."""
    configured = [verifier for verifier in (shared, published) if verifier is not None]
    if not configured:  # Settings refuses this already; never accept tokens unverified
        raise RuntimeError("configure JWT_JWKS_URL or BETTER_AUTH_SECRET")
    return ByAlgorithm(configured)


def database_probe(engine: Engine) -> Callable[[], None]:
    return lambda: ping(engine)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    database = providers.Resource(open_database, settings)
    task_repository = providers.Singleton(SqlTaskRepository, database)
    task_service = providers.Singleton(TaskService, task_repository)
    storage_probe = providers.Singleton(database_probe, database)

    shared_secret_verifier = providers.Singleton(shared_secret_verifier_for, settings)
    jwks_verifier = providers.Singleton(jwks_verifier_for, settings)
    token_verifier = providers.Singleton(either_verifier, shared_secret_verifier, jwks_verifier)


def use_memory(container: Container) -> InMemoryTaskRepository:
    """Serve tasks from memory instead of a database (tests, demos); returns the repository."""
    repository = InMemoryTaskRepository()
    container.task_repository.override(providers.Object(repository))
    container.storage_probe.override(providers.Object(lambda: None))
    return repository

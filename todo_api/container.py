"""The composition root: the one place that decides which adapter serves each port.

Nothing is built at import time. Tests and embedders swap a provider with `.override(...)`
(see `use_memory`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dependency_injector import containers, providers
from sqlalchemy import Engine

from todo_adapters.database import PoolOptions, create_schema, make_engine, ping
from todo_adapters.jwt import SharedSecretVerifier
from todo_adapters.memory import InMemoryTaskRepository
from todo_adapters.sql import SqlTaskRepository
from todo_api import dev_secret
from todo_api.settings import Settings
from todo_core.service import TaskService


def open_database(settings: Settings) -> Iterator[Engine]:
    """The engine for the configured database, its tables created (migrations come later)."""
    engine = make_engine(
        settings.effective_database_url,
        PoolOptions(
            settings.db_pool_size,
            settings.db_max_overflow,
            settings.db_pool_timeout,
            settings.db_ping_after_idle_seconds,
        ),
    )
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()


def shared_secret(settings: Settings) -> str:
    """The configured secret; in development without one, the generated one on disk."""
    if settings.better_auth_secret is not None:
        return settings.better_auth_secret.get_secret_value()
    if settings.environment == "production":  # Settings refuses this already; never guess here
        raise RuntimeError("BETTER_AUTH_SECRET is required in production")
    path = settings.dev_secret_file or dev_secret.dev_secret_path(settings.effective_database_url)
    return dev_secret.load_or_create(path)


def database_probe(engine: Engine) -> Callable[[], None]:
    return lambda: ping(engine)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    database = providers.Resource(open_database, settings)
    task_repository = providers.Singleton(SqlTaskRepository, database)
    task_service = providers.Singleton(TaskService, task_repository)
    storage_probe = providers.Singleton(database_probe, database)

    token_verifier = providers.Singleton(
        SharedSecretVerifier,
        secret=providers.Callable(shared_secret, settings),
        algorithms=providers.List(settings.provided.jwt_algorithm),
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        leeway_seconds=settings.provided.jwt_leeway_seconds,
    )


def use_memory(container: Container) -> InMemoryTaskRepository:
    """Serve tasks from memory instead of a database (tests, demos); returns the repository."""
    repository = InMemoryTaskRepository()
    container.task_repository.override(providers.Object(repository))
    container.storage_probe.override(providers.Object(lambda: None))
    return repository

"""The API built in-process for TestClient: settings without any environment, and the app on
the in-memory store."""

from __future__ import annotations

from fastapi import FastAPI

from tests.support.tokens import SECRET
from todo_adapters.memory import AsyncInMemoryTaskRepository
from todo_api import Container, create_app, use_memory
from todo_api.settings import Settings


def settings_for_tests(**overrides: object) -> Settings:
    values: dict[str, object] = {"better_auth_secret": SECRET, "environment": "development"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def memory_app(**settings: object) -> tuple[FastAPI, Container, AsyncInMemoryTaskRepository]:
    container = Container()
    container.settings.override(settings_for_tests(**settings))
    repository = use_memory(container)
    return create_app(container), container, repository


def jwks_container(keys_url: str, **settings: object) -> Container:
    """A container on the in-memory store checking tokens against the key set at `keys_url`
    (no shared secret), fetching again whenever a token names an unknown key."""
    container = Container()
    values: dict[str, object] = {
        "better_auth_secret": None,
        "jwt_jwks_url": keys_url,
        "jwt_jwks_min_refresh_seconds": 0,
    }
    values.update(settings)
    container.settings.override(settings_for_tests(**values))
    use_memory(container)
    return container

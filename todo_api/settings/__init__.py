"""Configuration from the environment (and `.env`), read once by the container: one class
per concern, composed into `Settings`. Every variable is its field's name in upper case."""

from __future__ import annotations

from pydantic import ValidationError, model_validator

from todo_api.settings.browser import BrowserSettings
from todo_api.settings.database import DatabaseSettings
from todo_api.settings.events import EventsSettings
from todo_api.settings.lifecycle import LifecycleSettings
from todo_api.settings.limits import LimitSettings
from todo_api.settings.telemetry import TelemetrySettings
from todo_api.settings.tokens import TokenSettings


class Settings(
    LimitSettings,
    DatabaseSettings,
    TokenSettings,
    BrowserSettings,
    LifecycleSettings,
    TelemetrySettings,
    EventsSettings,
):
    """Every knob of the service. Production refuses the conveniences of development."""

    @model_validator(mode="after")
    def _pokes_have_somewhere_to_go(self) -> Settings:
        if self.events_backend == "redis" and self.redis_url is None:
            raise ValueError("EVENTS_BACKEND=redis needs REDIS_URL")
        return self

    @property
    def pokes_through_redis(self) -> bool:
        """Whether replicas poke each other through Redis (else within this process)."""
        return self.events_backend == "redis" or (
            self.events_backend == "auto" and self.redis_url is not None
        )


def describe(error: ValidationError) -> str:
    """What is wrong with the configuration, naming variables but never echoing a value
    (pydantic's own message repeats the input, which may hold a secret)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "invalid configuration: " + "; ".join(lines)


__all__ = ["Settings", "describe"]

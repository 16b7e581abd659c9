"""What every concern of the settings shares: where values come from, and which environment
(production refuses the conveniences of development)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "production"]


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


# A list written as `a, b, c` in the environment (not JSON, pydantic-settings' default).
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split)]


class EnvironmentSettings(BaseSettings):
    """Read from the environment, and `.env` when there is one; frozen once read."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Environment = "development"

    @property
    def in_production(self) -> bool:
        return self.environment == "production"

"""What every concern of the settings shares: where values come from, and which environment
(production refuses the conveniences of development)."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "production"]


class EnvironmentSettings(BaseSettings):
    """Read from the environment, and `.env` when there is one; frozen once read."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Environment = "development"

    @property
    def in_production(self) -> bool:
        return self.environment == "production"

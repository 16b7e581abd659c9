"""How the process logs, uses its threads and memory, and stops."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from todo_api.settings.environment import EnvironmentSettings


class LifecycleSettings(EnvironmentSettings):
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = True
    shutdown_grace_seconds: float = Field(default=20, gt=0)
    shutdown_drain_seconds: float = Field(default=0, ge=0, le=300)
    blocking_threads: int = Field(default=4, ge=1, le=64)
    gc_gen0_threshold: int = Field(default=20_000, ge=0)

    @property
    def logs_as_json(self) -> bool:
        if self.log_format == "auto":
            return self.in_production
        return self.log_format == "json"

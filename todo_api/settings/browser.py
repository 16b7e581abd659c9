"""What browser pages may call the API, and how much they may send."""

from __future__ import annotations

from pydantic import Field, field_validator

from todo_api.settings.environment import CommaList, EnvironmentSettings
from todo_api.settings.origins import loopback_twins, origin_from


class BrowserSettings(EnvironmentSettings):
    frontend_url: str = "http://localhost:3000"
    cors_origins: CommaList = Field(default_factory=list)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # /docs, /redoc and /openapi.json; unset: served in development only (frontends generate
    # their clients from the document a build or a test server hands out, not production's).
    api_docs: bool | None = None

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        return [origin_from(origin) for origin in origins]

    @field_validator("frontend_url")
    @classmethod
    def _origin(cls, url: str) -> str:
        return origin_from(url)

    @property
    def serves_docs(self) -> bool:
        return self.api_docs if self.api_docs is not None else not self.in_production

    @property
    def allowed_origins(self) -> list[str]:
        """FRONTEND_URL and CORS_ORIGINS; in development, each loopback origin under both of
        its names (a page opened at 127.0.0.1 instead of localhost is another origin)."""
        origins = [self.frontend_url, *self.cors_origins]
        if not self.in_production:
            origins = [twin for origin in origins for twin in loopback_twins(origin)]
        return list(dict.fromkeys(origins))

"""How bearer tokens are checked: Better Auth's shared secret, its published keys, or both."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from todo_adapters.tokens.claims import ASYMMETRIC_ALGORITHMS
from todo_adapters.tokens.jwks import BETTER_AUTH_ALGORITHMS, origin_of
from todo_api.settings.environment import CommaList, EnvironmentSettings

MIN_SECRET_LENGTH = 32


class TokenSettings(EnvironmentSettings):
    better_auth_secret: SecretStr | None = None
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: float = Field(default=30, ge=0, le=300)
    jwt_jwks_url: str | None = None
    jwt_jwks_algorithms: CommaList = Field(default_factory=lambda: list(BETTER_AUTH_ALGORITHMS))
    jwt_jwks_timeout_seconds: float = Field(default=3, gt=0, le=30)
    jwt_jwks_max_age_seconds: float = Field(default=300, ge=1)
    jwt_jwks_min_refresh_seconds: float = Field(default=5, ge=0)
    dev_secret_file: Path | None = None

    @field_validator("jwt_jwks_algorithms")
    @classmethod
    def _public_key_algorithms(cls, algorithms: list[str]) -> list[str]:
        if not algorithms or not set(algorithms) <= ASYMMETRIC_ALGORITHMS:
            raise ValueError(f"must be a comma list among {sorted(ASYMMETRIC_ALGORITHMS)}")
        return algorithms

    @field_validator("jwt_jwks_url")
    @classmethod
    def _absolute_url(cls, url: str | None) -> str | None:
        if url:
            origin_of(url)  # raises on anything but an absolute http(s) URL
        return url or None

    @model_validator(mode="after")
    def _production_verifies_for_real(self) -> TokenSettings:
        if not self.in_production:
            return self
        secret = self.better_auth_secret.get_secret_value() if self.better_auth_secret else ""
        if (secret or not self.jwt_jwks_url) and len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"ENVIRONMENT=production needs JWT_JWKS_URL or BETTER_AUTH_SECRET of "
                f"{MIN_SECRET_LENGTH}+ chars"
            )
        if self.jwt_jwks_url and not _is_safe_key_source(self.jwt_jwks_url):
            raise ValueError("ENVIRONMENT=production needs an https JWT_JWKS_URL")
        return self

    @property
    def uses_dev_secret(self) -> bool:
        """Development with no way to verify tokens configured: sign with a generated secret."""
        return (
            not self.in_production and self.better_auth_secret is None and self.jwt_jwks_url is None
        )

    @property
    def token_modes(self) -> list[str]:
        """How tokens are checked, for the start-up line (never a secret or a credential)."""
        modes = []
        if self.better_auth_secret is not None:
            modes.append(f"the shared secret ({self.jwt_algorithm})")
        elif self.uses_dev_secret:
            modes.append(f"a development secret ({self.jwt_algorithm}; `todo-api token` signs)")
        if self.jwt_jwks_url:
            modes.append(
                f"the keys at {origin_of(self.jwt_jwks_url)}{urlsplit(self.jwt_jwks_url).path}"
            )
        return modes


def _is_safe_key_source(url: str) -> bool:
    """Keys fetched over plain http could be swapped on the way: only https, or loopback."""
    parts = urlsplit(url)
    return parts.scheme == "https" or parts.hostname in ("localhost", "127.0.0.1", "::1")

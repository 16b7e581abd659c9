"""Configuration from the environment (and `.env`), read once by the container."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from todo_adapters.sql.options import PoolOptions, PreparedStatements
from todo_adapters.sql.urls import driver_url
from todo_adapters.tokens.claims import ASYMMETRIC_ALGORITHMS
from todo_adapters.tokens.jwks import BETTER_AUTH_ALGORITHMS, origin_of
from todo_api.origins import loopback_twins, origin_from
from todo_api.rates import rate_of

DEFAULT_DATABASE_URL = "sqlite:///./todo.db"
MIN_SECRET_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 16
REDIS_SCHEMES = ("redis", "rediss", "unix")


class Settings(BaseSettings):
    """Every knob of the service. Production refuses the conveniences of development."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    database_url: str | None = None
    better_auth_secret: SecretStr | None = None
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: float = Field(default=30, ge=0, le=300)
    jwt_jwks_url: str | None = None
    jwt_jwks_algorithms: Annotated[list[str], NoDecode] = list(BETTER_AUTH_ALGORITHMS)
    jwt_jwks_timeout_seconds: float = Field(default=3, gt=0, le=30)
    jwt_jwks_max_age_seconds: float = Field(default=300, ge=1)
    jwt_jwks_min_refresh_seconds: float = Field(default=5, ge=0)
    frontend_url: str = "http://localhost:3000"
    cors_origins: Annotated[list[str], NoDecode] = []
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
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
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = True
    shutdown_grace_seconds: float = Field(default=20, gt=0)
    shutdown_drain_seconds: float = Field(default=0, ge=0, le=300)
    blocking_threads: int = Field(default=4, ge=1, le=64)
    gc_gen0_threshold: int = Field(default=20_000, ge=0)
    idempotency_ttl_hours: float = Field(default=24, gt=0, le=24 * 30)
    sync_retention_days: float = Field(default=30, gt=0, le=3650)
    housekeeping_interval_seconds: float = Field(default=3600, ge=0)
    dev_secret_file: Path | None = None
    # Limits (OWASP API4): per user on task routes, per client address otherwise.
    rate_limit_reads: str = "600/minute"  # `limits` notation; 0 turns it off
    rate_limit_writes: str = "600/minute"
    redis_url: SecretStr | None = None  # counters shared by every replica; memory otherwise
    # Proxies whose X-Forwarded-For names the client (uvicorn's setting, and its default).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    max_tasks_per_user: int = Field(default=10_000, ge=1, le=10_000_000)
    # Prometheus metrics: off unless asked for, and then never public by accident.
    metrics: bool = False
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_token: SecretStr | None = None
    # OpenTelemetry traces: on when an OTLP endpoint is given (the SDK reads OTEL_* itself).
    otel_exporter_otlp_endpoint: str | None = None

    @field_validator("cors_origins", "jwt_jwks_algorithms", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, origins: list[str]) -> list[str]:
        return [origin_from(origin) for origin in origins]

    @field_validator("frontend_url")
    @classmethod
    def _origin(cls, url: str) -> str:
        return origin_from(url)

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

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None and urlsplit(url.get_secret_value()).scheme not in REDIS_SCHEMES:
            raise ValueError(f"must be a URL of scheme {', '.join(REDIS_SCHEMES)}")
        return url

    @field_validator("rate_limit_reads", "rate_limit_writes")
    @classmethod
    def _rate(cls, rate: str) -> str:
        rate = rate.strip()
        if rate != "0":
            rate_of(rate)  # raises on anything `limits` cannot read
        return rate

    @model_validator(mode="after")
    def _metrics_not_public(self) -> Settings:
        token = self.metrics_token.get_secret_value() if self.metrics_token else None
        if token is not None and len(token) < MIN_METRICS_TOKEN_LENGTH:
            raise ValueError(f"METRICS_TOKEN must be {MIN_METRICS_TOKEN_LENGTH}+ characters")
        if self.metrics and self.metrics_port is None and self.metrics_token is None:
            raise ValueError(
                "METRICS=true needs METRICS_PORT (a port of their own) or METRICS_TOKEN "
                "(a bearer token /metrics asks for): the API's port is public"
            )
        return self

    @field_validator("database_url", "migrations_database_url")
    @classmethod
    def _known_driver(cls, url: str | None) -> str | None:
        if url:
            driver_url(url)  # raises on a URL we cannot drive
        return url or None

    @model_validator(mode="after")
    def _production_is_explicit(self) -> Settings:
        if self.environment != "production":
            return self
        secret = self.better_auth_secret.get_secret_value() if self.better_auth_secret else ""
        if (secret or not self.jwt_jwks_url) and len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"ENVIRONMENT=production needs JWT_JWKS_URL or BETTER_AUTH_SECRET of "
                f"{MIN_SECRET_LENGTH}+ chars"
            )
        if self.jwt_jwks_url and not _is_safe_key_source(self.jwt_jwks_url):
            raise ValueError("ENVIRONMENT=production needs an https JWT_JWKS_URL")
        if not self.database_url:
            raise ValueError("ENVIRONMENT=production needs DATABASE_URL")
        if "*" in (part.strip() for part in self.forwarded_allow_ips.split(",")):
            # uvicorn then takes the leftmost X-Forwarded-For entry, which the client writes:
            # a fresh address (and rate-limit budget) per request.
            raise ValueError(
                "FORWARDED_ALLOW_IPS=* lets any client choose its address (and its rate-limit "
                "budget): list the load balancer's addresses instead"
            )
        return self

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limit_reads != "0" or self.rate_limit_writes != "0"

    @property
    def idempotency_ttl(self) -> timedelta:
        return timedelta(hours=self.idempotency_ttl_hours)

    @property
    def sync_retention(self) -> timedelta:
        return timedelta(days=self.sync_retention_days)

    @property
    def uses_dev_secret(self) -> bool:
        """Development with no way to verify tokens configured: sign with a generated secret."""
        return (
            self.environment == "development"
            and self.better_auth_secret is None
            and self.jwt_jwks_url is None
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
    def logs_as_json(self) -> bool:
        if self.log_format == "auto":
            return self.environment == "production"
        return self.log_format == "json"

    @property
    def allowed_origins(self) -> list[str]:
        """FRONTEND_URL and CORS_ORIGINS; in development, each loopback origin under both of
        its names (a page opened at 127.0.0.1 instead of localhost is another origin)."""
        origins = [self.frontend_url, *self.cors_origins]
        if self.environment == "development":
            origins = [twin for origin in origins for twin in loopback_twins(origin)]
        return list(dict.fromkeys(origins))


def _is_safe_key_source(url: str) -> bool:
    """Keys fetched over plain http could be swapped on the way: only https, or loopback."""
    parts = urlsplit(url)
    return parts.scheme == "https" or parts.hostname in ("localhost", "127.0.0.1", "::1")


def describe(error: ValidationError) -> str:
    """What is wrong with the configuration, naming variables but never echoing a value
    (pydantic's own message repeats the input, which may hold a secret)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        where = ".".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "invalid configuration: " + "; ".join(lines)

"""How much one user, or one client address, may ask (OWASP API4), and who tells us the
client's address."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from todo_api.rate_limits.rates import rate_of
from todo_api.settings.environment import EnvironmentSettings

REDIS_SCHEMES = ("redis", "rediss", "unix")


class LimitSettings(EnvironmentSettings):
    # Per user on task routes, per client address otherwise; `limits` notation, 0: none.
    rate_limit_reads: str = "600/minute"
    rate_limit_writes: str = "600/minute"
    redis_url: SecretStr | None = None  # counters shared by every replica; memory otherwise
    # Proxies whose X-Forwarded-For names the client (uvicorn's setting, and its default).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    max_tasks_per_user: int = Field(default=10_000, ge=1, le=10_000_000)

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
    def _production_trusts_named_proxies(self) -> LimitSettings:
        trusted = (part.strip() for part in self.forwarded_allow_ips.split(","))
        if self.in_production and "*" in trusted:
            # uvicorn then takes the leftmost X-Forwarded-For entry, which the client writes:
            # a fresh address (and rate-limit budget) per request.
            raise ValueError(
                "FORWARDED_ALLOW_IPS=* lets any client choose its address (and its rate-limit "
                "budget): list the load balancer's addresses instead"
            )
        return self

    @property
    def redis_address(self) -> str | None:
        """REDIS_URL in clear, for the client that connects (never for a log line)."""
        return None if self.redis_url is None else self.redis_url.get_secret_value()

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limit_reads != "0" or self.rate_limit_writes != "0"

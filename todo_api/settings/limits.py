"""How much one user, or one client address, may ask (OWASP API4), and who tells us the
client's address."""

from __future__ import annotations

import ipaddress
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
    # What one request may take of the server (`todo-api serve`): all of it (head and body)
    # within a time of its first byte, and a head of a bounded size.
    http_request_timeout_seconds: float = Field(default=9, gt=0, le=600)
    http_max_head_bytes: int = Field(default=32 * 1024, ge=16 * 1024, le=1024 * 1024)
    http_max_headers: int = Field(default=100, ge=16, le=10_000)

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
        if self.in_production and trusts_everyone(self.forwarded_allow_ips):
            # uvicorn then takes the leftmost X-Forwarded-For entry, which the client writes:
            # a fresh address (and rate-limit budget) per request.
            raise ValueError(
                "FORWARDED_ALLOW_IPS trusts every address (* or a range that covers them all), "
                "which lets any client choose its address (and its rate-limit budget): list "
                "the load balancer's addresses instead"
            )
        return self

    @property
    def redis_address(self) -> str | None:
        """REDIS_URL in clear, for the client that connects (never for a log line)."""
        return None if self.redis_url is None else self.redis_url.get_secret_value()

    @property
    def rate_limits_on(self) -> bool:
        return self.rate_limit_reads != "0" or self.rate_limit_writes != "0"


def trusts_everyone(listed: str) -> bool:
    """Whether FORWARDED_ALLOW_IPS trusts any address at all: `*`, or networks that together
    cover every IPv4 or every IPv6 address (`0.0.0.0/0`, `::/0`, `0.0.0.0/1,128.0.0.0/1`,
    `::ffff:0:0/96`: IPv4 mapped). An entry that is no address (a socket path) covers none."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for part in (part.strip() for part in listed.split(",")):
        if part == "*":
            return True
        try:
            network = ipaddress.ip_network(part, strict=False)
        except ValueError:
            continue
        if isinstance(network, ipaddress.IPv4Network):
            v4.append(network)
            continue
        v6.append(network)
        if _MAPPED.subnet_of(network):  # every mapped IPv4 address
            v4.append(ipaddress.IPv4Network("0.0.0.0/0"))
        elif network.subnet_of(_MAPPED):  # some of them
            address = network.network_address.ipv4_mapped
            v4.append(ipaddress.IPv4Network(f"{address}/{network.prefixlen - 96}"))
    whole_v4 = any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(v4))
    return whole_v4 or any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(v6))


_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")

"""Browser origins as CORS compares them: written as the `Origin` header is, or refused."""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_from(url: str) -> str:
    """A browser origin as the `Origin` header spells it: `scheme://host[:port]`, lower case,
    IDNA host, no default port, no trailing slash. A path, a query, user info or `*` is
    refused: CORS would never match it, and every preflight would fail with nothing at
    start-up to say why. Errors do not repeat the value (it may hold a password)."""
    text = url.strip().rstrip("/")
    if text == "*":
        raise ValueError("list origins explicitly, never '*'")
    parts = urlsplit(text)
    try:
        port = parts.port
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise ValueError("is not an origin: expected scheme://host[:port]") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("is not an origin: expected scheme://host[:port]")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("is not an origin: only scheme://host[:port], no path, query or user")
    if ":" in host:
        host = f"[{host}]"  # IPv6
    if port is not None and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        host += f":{port}"
    return f"{parts.scheme}://{host}"


_LOOPBACK_NAMES = ("localhost", "127.0.0.1")


def loopback_twins(origin: str) -> list[str]:
    """The origin, and in its loopback form under both names (localhost and 127.0.0.1)."""
    parts = urlsplit(origin)
    if parts.hostname not in _LOOPBACK_NAMES:
        return [origin]
    port = f":{parts.port}" if parts.port else ""
    return [origin, *(f"{parts.scheme}://{name}{port}" for name in _LOOPBACK_NAMES)]

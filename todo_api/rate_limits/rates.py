"""Rates as operators write them (`600/minute`, `10/second`), read by the `limits` library."""

from __future__ import annotations

from limits import RateLimitItem, parse


def rate_of(text: str) -> RateLimitItem:
    """One rate (`limits` notation: `N/second|minute|hour|day`); ValueError otherwise."""
    try:
        rate = parse(text)
    except ValueError:
        rate = None
    if rate is None or rate.amount < 1:
        raise ValueError(f"not a rate: {text!r} (try 600/minute, or 0 for none)")
    return rate

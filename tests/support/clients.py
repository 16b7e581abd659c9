"""What end-to-end tests use to drive a served API with many requests at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx2

T = TypeVar("T")


def finished(scenario: Coroutine[Any, Any, T], seconds: float = 60) -> T:
    """Run `scenario` to its end on a fresh event loop, or fail after `seconds`."""
    return asyncio.run(asyncio.wait_for(scenario, timeout=seconds))


def api_client(base: str, token: str) -> httpx2.AsyncClient:
    """A client that sends `token` with every request, with room for many at once."""
    return httpx2.AsyncClient(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        limits=httpx2.Limits(max_connections=128),
        timeout=30,
    )


def fresh_user() -> str:
    """A user no other test writes for: tests sharing one server do not see each other."""
    return f"user-{uuid.uuid4().hex[:8]}"

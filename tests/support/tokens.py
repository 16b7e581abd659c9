"""Bearer tokens for tests: signed with the test secret, or with any key and algorithm."""

from __future__ import annotations

import time
from typing import Any

import jwt

from todo_adapters.tokens import SharedSecretVerifier

SECRET = "test-secret-that-is-long-enough-0123456789"


def token_for(user_id: str, ttl_seconds: int = 900, **claims: object) -> str:
    """What `todo-api token` would print for the test secret."""
    return SharedSecretVerifier(SECRET).issue(user_id, ttl_seconds, **claims)


def sign(claims: dict[str, Any], key: Any = SECRET, alg: str = "HS256", **header: Any) -> str:
    """Any token at all: the claims as given, signed with `key` (a secret or a private key)."""
    return jwt.encode(claims, key, algorithm=alg, headers=header or None)


def soon(seconds: int = 600) -> int:
    """An `exp` a little in the future."""
    return int(time.time()) + seconds


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def auth(user_id: str) -> dict[str, str]:
    """The header a signed-in `user_id` sends."""
    return bearer(token_for(user_id))

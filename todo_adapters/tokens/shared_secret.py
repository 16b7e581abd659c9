"""Tokens signed with a shared secret (HMAC), as the seed's `BETTER_AUTH_SECRET` setup has it."""

from __future__ import annotations

import time
from collections.abc import Sequence

import jwt

from todo_adapters.tokens.claims import HMAC_ALGORITHMS, ClaimRules, check_length
from todo_core.principal import Principal


class SharedSecretVerifier:
    """Verifies HMAC-signed tokens, e.g. from the seed's `BETTER_AUTH_SECRET` setup.

    The accepted algorithms come from configuration, never from the token header, so `alg:
    none` and public-key confusion are refused. `exp` is required unless configured otherwise.
    The user id is `sub`, else `user_id` (the seed's rule).
    """

    def __init__(
        self,
        secret: str,
        algorithms: Sequence[str] = ("HS256",),
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_seconds: float = 30,
        require_exp: bool = True,
    ) -> None:
        if not secret:
            raise ValueError("a shared secret is required")
        unknown = set(algorithms) - HMAC_ALGORITHMS
        if unknown or not algorithms:
            raise ValueError(f"shared-secret algorithms must be among {sorted(HMAC_ALGORITHMS)}")
        self._secret = secret
        self.algorithms = tuple(algorithms)
        self._rules = ClaimRules(issuer, audience, leeway_seconds, require_exp)

    def verify(self, token: str) -> Principal:
        check_length(token)
        return self._rules.decode(token, self._secret, self.algorithms)

    def issue(self, user_id: str, ttl_seconds: int, **claims: object) -> str:
        """A token this verifier accepts: for development, the CLI and tests."""
        now = int(time.time())
        payload: dict[str, object] = {"sub": user_id, "iat": now, "exp": now + ttl_seconds}
        if self._rules.issuer:
            payload["iss"] = self._rules.issuer
        if self._rules.audience:
            payload["aud"] = self._rules.audience
        payload.update(claims)
        return jwt.encode(payload, self._secret, algorithm=self.algorithms[0])

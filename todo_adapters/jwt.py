"""Bearer tokens signed with a shared secret (HS256), verified and issued with PyJWT."""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence

import jwt

from todo_core.errors import InvalidToken
from todo_core.ports import Principal
from todo_core.tasks import is_owner_id

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
MAX_TOKEN_LENGTH = 8192  # far above any real token; bounds the work an attacker can ask for
VERIFIED_CACHE_SIZE = 4096


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
        self._algorithms = list(algorithms)
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._required = ["exp"] if require_exp else []
        # A frontend sends the same token for its whole life (15 minutes for Better Auth), and
        # PyJWT re-checks the key on every decode: remember what verified. Only successes are
        # kept (failures raise), keyed by the exact token, and `exp` is checked on every hit.
        self._verified = functools.lru_cache(maxsize=VERIFIED_CACHE_SIZE)(self._decode)

    def verify(self, token: str) -> Principal:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("Invalid token")
        principal = self._verified(token)
        expires = principal.claims.get("exp")
        if isinstance(expires, int | float) and time.time() > expires + self._leeway:
            raise InvalidToken("Token has expired")
        return principal

    def _decode(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": self._required, "verify_aud": self._audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("Token has expired") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("Invalid token") from None
        return principal_from(claims)

    def issue(self, user_id: str, ttl_seconds: int, **claims: object) -> str:
        """A token this verifier accepts: for development, the CLI and tests."""
        now = int(time.time())
        payload: dict[str, object] = {"sub": user_id, "iat": now, "exp": now + ttl_seconds}
        if self._issuer:
            payload["iss"] = self._issuer
        if self._audience:
            payload["aud"] = self._audience
        payload.update(claims)
        return jwt.encode(payload, self._secret, algorithm=self._algorithms[0])


def principal_from(claims: dict[str, object]) -> Principal:
    """The user a verified token speaks for; a token without a usable user id is invalid."""
    user_id = claims.get("sub") or claims.get("user_id")
    if not is_owner_id(user_id):
        raise InvalidToken("User ID not found in token")
    assert isinstance(user_id, str)
    return Principal(user_id, claims)

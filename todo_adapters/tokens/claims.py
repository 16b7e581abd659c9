"""What every verifier checks of a bearer token, whoever signed it.

All parsing and signature work is PyJWT's; this module decides which algorithms and claims a
token must satisfy, and maps PyJWT's errors to the domain's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from todo_core.errors import InvalidToken
from todo_core.ports import Principal
from todo_core.tasks import is_owner_id

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {"EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
)
MAX_TOKEN_LENGTH = 8192  # far above any real token; bounds the work an attacker can ask for


def header_of(token: str) -> dict[str, Any]:
    """The token's (unverified) header, read only after its length is checked.

    Enough to route a token and pick its key; garbage fails here, before any key is fetched.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("Invalid token")
    try:
        return jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise InvalidToken("Invalid token") from None


@dataclass(frozen=True, slots=True)
class ClaimRules:
    """What a token's claims must satisfy once its signature is good."""

    issuer: str | None = None
    audience: str | None = None
    leeway_seconds: float = 30
    require_exp: bool = True

    def decode(self, token: str, key: Any, algorithms: Sequence[str]) -> Principal:
        """Verify `token` with `key`, accepting only `algorithms` (never the header's choice)."""
        required = ["exp"] if self.require_exp else []
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(algorithms),
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway_seconds,
                options={"require": required, "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("Token has expired") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("Invalid token") from None
        return principal_from(claims)


def principal_from(claims: dict[str, object]) -> Principal:
    """The user a verified token speaks for; a token without a usable user id is invalid."""
    user_id = claims.get("sub") or claims.get("user_id")
    if not is_owner_id(user_id):
        raise InvalidToken("User ID not found in token")
    assert isinstance(user_id, str)
    return Principal(user_id, claims)

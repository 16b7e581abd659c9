"""What every verifier checks of a bearer token, whoever signed it.

All parsing and signature work is PyJWT's; this module decides which algorithms and claims a
token must satisfy, and maps PyJWT's errors to the domain's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from todo_core.errors import InvalidToken, TokenExpired, TokenProblem
from todo_core.principal import Principal
from todo_core.tasks import is_owner_id

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset(
    {"EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
)
MAX_TOKEN_LENGTH = 8192  # far above any real token; bounds the work an attacker can ask for


def check_length(token: str) -> None:
    """Refuse an empty token, or one longer than any real one, before any parsing."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(why="too_long" if token else "malformed")


def header_of(token: str) -> dict[str, Any]:
    """The token's (unverified) header, read only after its length is checked.

    Enough to route a token and pick its key; garbage fails here, before any key is fetched.
    """
    check_length(token)
    try:
        return jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise InvalidToken(why="malformed") from None


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
            raise TokenExpired() from None
        except jwt.InvalidTokenError as error:
            raise self._refusal(token, error) from None
        return principal_from(claims)

    def _refusal(self, token: str, error: jwt.InvalidTokenError) -> InvalidToken:
        """Which check refused a correctly parsed token, for the operator's log."""
        if isinstance(error, jwt.InvalidIssuerError):
            received = _unverified_claims(token).get("iss")
            note = f"expected {_shown(self.issuer)}, received {_shown(received)}"
            return InvalidToken(why="wrong_issuer", note=note)
        if isinstance(error, jwt.InvalidAudienceError):
            received = _unverified_claims(token).get("aud")
            note = f"expected {_shown(self.audience)}, received {_shown(received)}"
            return InvalidToken(why="wrong_audience", note=note)
        if isinstance(error, jwt.MissingRequiredClaimError):
            missing = f"The token has no {error.claim!r} claim"  # the name is ours, not sent
            if error.claim == "exp":
                missing += ": it must say when it expires"
            return InvalidToken(missing, why="missing_claim", note=f"no {error.claim!r} claim")
        for kind, why in _WHY:
            if isinstance(error, kind):
                return InvalidToken(why=why)
        return InvalidToken(why="malformed")


_WHY: tuple[tuple[type[jwt.InvalidTokenError], TokenProblem], ...] = (
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAlgorithmError, "algorithm_not_allowed"),
)
_SHOWN_MAX = 80  # characters of a claim a log line may repeat


def _unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a token whose signature already verified (PyJWT checks it before the
    issuer and the audience), read again only to say in the log what they held."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return {}
    return claims


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 3] + "..."


def principal_from(claims: dict[str, object]) -> Principal:
    """The user a verified token speaks for; a token without a usable user id is invalid."""
    user_id = claims.get("sub") or claims.get("user_id")
    if not is_owner_id(user_id):
        raise InvalidToken("User ID not found in token", why="no_user")
    assert isinstance(user_id, str)
    return Principal(user_id, claims)

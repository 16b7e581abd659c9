"""Tokens signed by an auth server's published keys (a JWKS), as Better Auth's `jwt()` issues.

PyJWT's `PyJWKClient` fetches and parses the key set; this module decides *when* to fetch:
once up front, again when a token names a key we do not know (a rotation), and when the set
is older than `max_age_seconds` (a revocation) - but never more often than once per
`min_refresh_seconds`, so a flood of made-up key ids cannot turn into a flood of fetches. Keys
already fetched keep working while the auth server is down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from todo_adapters.observing import NO_OBSERVER, Observer
from todo_adapters.tokens.claims import ASYMMETRIC_ALGORITHMS, ClaimRules, header_of
from todo_core.errors import InvalidToken, TokenCheckUnavailable
from todo_core.principal import Principal

log = logging.getLogger(__name__)

# Better Auth's `jwt()` plugin signs with EdDSA by default and offers these others.
BETTER_AUTH_ALGORITHMS = ("EdDSA", "ES256", "ES512", "RS256", "PS256")
_CURVE_ALGORITHM = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
MIN_RSA_BITS = 2048


def algorithms_for(key: object) -> frozenset[str]:
    """The algorithms a public key can verify, decided by the key's type, never by a header.

    Anything else (a symmetric `oct` key, a private key, a weak RSA key) verifies nothing:
    that is what rules out algorithm confusion.
    """
    if isinstance(key, Ed25519PublicKey | Ed448PublicKey):
        return frozenset({"EdDSA"})
    if isinstance(key, EllipticCurvePublicKey) and key.curve.name in _CURVE_ALGORITHM:
        return frozenset({_CURVE_ALGORITHM[key.curve.name]})
    if isinstance(key, RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return _RSA_ALGORITHMS
    return frozenset()


def origin_of(url: str) -> str:
    """`https://app.example.com/api/auth/jwks` -> `https://app.example.com`: Better Auth's
    default issuer and audience are its base URL."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]  # never carry credentials into claims or logs
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("a JWKS URL must be an absolute http(s) URL")
    return f"{parts.scheme}://{host}"


@dataclass(frozen=True, slots=True)
class _Key:
    key: object
    algorithms: frozenset[str]


class JwksVerifier:
    """Verifies tokens against the signing keys published at `url`.

    Each key verifies only the configured algorithms its type allows. `iss` and `aud` must
    equal the URL's origin unless `issuer`/`audience` say otherwise. `verify` may fetch keys,
    so it blocks (for at most `timeout_seconds`); call it off an event loop.
    """

    def __init__(
        self,
        url: str,
        algorithms: Sequence[str] = BETTER_AUTH_ALGORITHMS,
        *,
        issuer: str | None = None,
        audience: str | None = None,
        leeway_seconds: float = 30,
        timeout_seconds: float = 3,
        max_age_seconds: float = 300,
        min_refresh_seconds: float = 5,
        observer: Observer = NO_OBSERVER,
    ) -> None:
        unknown = set(algorithms) - ASYMMETRIC_ALGORITHMS
        if unknown or not algorithms:
            raise ValueError(f"JWKS algorithms must be among {sorted(ASYMMETRIC_ALGORITHMS)}")
        origin = origin_of(url)
        self._where = origin + urlsplit(url).path  # for logs: no credentials, no query
        self.algorithms = tuple(algorithms)
        self._rules = ClaimRules(issuer or origin, audience or origin, leeway_seconds)
        # Caching is ours (below): the client only fetches, parses and keeps signing keys.
        self._client = jwt.PyJWKClient(url, cache_jwk_set=False, timeout=timeout_seconds)
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._lock = threading.Lock()  # one fetch at a time
        self._keys: dict[str, _Key] = {}
        self._fetched_at: float | None = None  # monotonic time of the last good fetch
        self._next_fetch = 0.0  # no attempt, good or bad, before this monotonic time
        self._last_fetch_failed = False
        self._observer = observer  # told of each fetch, and whether it failed

    def verify(self, token: str) -> Principal:
        header = header_of(token)
        algorithm = header.get("alg")
        if algorithm not in self.algorithms:
            raise InvalidToken(why="algorithm_not_allowed", note=f"allowed: {self.algorithms}")
        key = self._key_for(header.get("kid"))
        if algorithm not in key.algorithms:
            raise InvalidToken(why="algorithm_not_allowed", note="not the key's algorithm")
        return self._rules.decode(token, key.key, sorted(key.algorithms))

    def refresh(self) -> bool:
        """Fetch the key set now (e.g. at start-up); False when the auth server did not answer."""
        with self._lock:
            self._next_fetch = 0.0
            self._fetch_if_due()
            return not self._last_fetch_failed

    def _key_for(self, kid: str | None) -> _Key:
        key = self._pick(kid)
        if key is not None:
            if self._is_fresh() or not self._lock.acquire(blocking=False):
                return key  # someone else is refreshing: the key we hold is still good
            try:
                self._fetch_if_due()
            finally:
                self._lock.release()
        else:
            with self._lock:  # wait for a fetch in flight, which may bring this key
                if self._pick(kid) is None:
                    self._fetch_if_due()
        key = self._pick(kid)
        if key is not None:
            return key
        if self._last_fetch_failed:
            raise TokenCheckUnavailable("the signing keys cannot be fetched")
        raise InvalidToken(why="unknown_key", note=f"keys published at {self._where}")

    def _pick(self, kid: str | None) -> _Key | None:
        keys = self._keys
        if kid is None:  # RFC 7515 makes `kid` optional: fine while there is only one key
            return next(iter(keys.values())) if len(keys) == 1 else None
        return keys.get(kid)

    def _is_fresh(self) -> bool:
        fetched = self._fetched_at
        return fetched is not None and time.monotonic() - fetched < self._max_age

    def _fetch_if_due(self) -> None:
        """Replace the key set, at most once per `min_refresh_seconds`; caller holds the lock.

        A failed fetch keeps the keys we have: a down auth server must not log everyone out.
        """
        now = time.monotonic()
        if now < self._next_fetch:
            return
        self._next_fetch = now + self._min_refresh
        try:
            with self._observer.key_fetch():
                fetched = self._client.get_signing_keys()
        except (jwt.PyJWTError, ValueError, OSError, HTTPException) as error:
            self._last_fetch_failed = True
            reason = type(error).__name__
            log.warning("fetching signing keys from %s failed: %s", self._where, reason)
            return
        keys = {}
        for jwk in fetched:
            allowed = algorithms_for(jwk.key) & set(self.algorithms)
            if jwk.key_id and allowed:
                keys[jwk.key_id] = _Key(jwk.key, allowed)
        self._keys = keys
        self._fetched_at = now
        self._last_fetch_failed = False
        log.info("fetched %d usable signing keys from %s", len(keys), self._where)

"""The HS256 verifier: configured algorithms only, exp required, iss/aud when configured."""

from __future__ import annotations

import functools
import time

import pytest

from tests.support import tokens
from todo_adapters.tokens import SharedSecretVerifier
from todo_adapters.tokens.claims import MAX_TOKEN_LENGTH
from todo_core.errors import InvalidToken

SECRET = "s" * 40
sign = functools.partial(tokens.sign, key=SECRET)


def test_user_id_comes_from_sub_else_user_id() -> None:
    verifier = SharedSecretVerifier(SECRET)
    later = int(time.time()) + 60
    assert verifier.verify(sign({"sub": "a", "user_id": "b", "exp": later})).user_id == "a"
    assert verifier.verify(sign({"user_id": "b", "exp": later})).user_id == "b"


def test_issuer_and_audience_are_enforced_when_configured() -> None:
    verifier = SharedSecretVerifier(SECRET, issuer="https://app.example", audience="todo")
    later = int(time.time()) + 60
    good = {"sub": "a", "exp": later, "iss": "https://app.example", "aud": "todo"}
    assert verifier.verify(sign(good)).user_id == "a"
    for wrong in ({"iss": "https://evil.example"}, {"aud": "other"}, {"iss": None}, {"aud": None}):
        claims = {**good, **wrong}
        claims = {k: v for k, v in claims.items() if v is not None}
        with pytest.raises(InvalidToken):
            verifier.verify(sign(claims))


def test_only_hmac_algorithms_can_be_configured() -> None:
    for algorithms in (("RS256",), ("none",), ("HS256", "ES256"), ()):
        with pytest.raises(ValueError, match="algorithms"):
            SharedSecretVerifier(SECRET, algorithms)
    with pytest.raises(ValueError, match="secret"):
        SharedSecretVerifier("")


def test_oversized_tokens_are_refused_before_parsing() -> None:
    with pytest.raises(InvalidToken):
        SharedSecretVerifier(SECRET).verify("a" * (MAX_TOKEN_LENGTH + 1))


def test_issued_tokens_verify_and_carry_exp() -> None:
    verifier = SharedSecretVerifier(SECRET, issuer="https://app.example", audience="todo")
    principal = verifier.verify(verifier.issue("alice", 60))
    assert principal.user_id == "alice"
    assert principal.claims["iss"] == "https://app.example"
    exp = principal.claims["exp"]
    assert isinstance(exp, int)
    assert 0 < exp - time.time() <= 60


def test_a_token_without_exp_is_refused_saying_so() -> None:
    """The seed's own test helper makes tokens without `exp`: refused, and the answer names
    the missing claim instead of a bare "Invalid token"."""
    with pytest.raises(InvalidToken) as refused:
        SharedSecretVerifier(SECRET).verify(sign({"sub": "alice"}))
    assert refused.value.reason == "The token has no 'exp' claim: it must say when it expires"
    assert refused.value.why == "missing_claim"

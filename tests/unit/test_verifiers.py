"""Verifiers made of verifiers: routing by algorithm, and the memory of good tokens."""

from __future__ import annotations

import functools
import time

import jwt
import pytest

from tests.support import tokens
from todo_adapters.tokens import ByAlgorithm, RememberingVerifier, SharedSecretVerifier
from todo_core.errors import InvalidToken
from todo_core.principal import Principal

SECRET = "s" * 64
sign = functools.partial(tokens.sign, key=SECRET)


class Counting:
    """A verifier that counts how often it is really asked."""

    def __init__(self, inner: SharedSecretVerifier) -> None:
        self.inner, self.calls = inner, 0
        self.algorithms = inner.algorithms

    def verify(self, token: str) -> Principal:
        self.calls += 1
        return self.inner.verify(token)


def test_a_good_token_is_verified_once_then_recalled() -> None:
    counting = Counting(SharedSecretVerifier(SECRET))
    memory = RememberingVerifier(counting)
    token = sign({"sub": "a", "exp": int(time.time()) + 60})
    assert memory.recall(token) is None
    for _ in range(5):
        assert memory.verify(token).user_id == "a"
    assert memory.recall(token) == Principal("a")
    assert counting.calls == 1


def test_a_remembered_token_still_expires() -> None:
    memory = RememberingVerifier(SharedSecretVerifier(SECRET, leeway_seconds=0))
    token = sign({"sub": "a", "exp": int(time.time()) + 1})
    assert memory.verify(token).user_id == "a"
    time.sleep(1.1)
    assert memory.recall(token) is None
    with pytest.raises(InvalidToken, match="expired"):
        memory.verify(token)


def test_failures_and_tokens_without_exp_are_not_remembered() -> None:
    counting = Counting(SharedSecretVerifier(SECRET, require_exp=False))
    memory = RememberingVerifier(counting)
    forged = jwt.encode({"sub": "a", "exp": int(time.time()) + 60}, "t" * 40)
    endless = sign({"sub": "a"})
    for _ in range(3):
        with pytest.raises(InvalidToken):
            memory.verify(forged)
        memory.verify(endless)
    assert counting.calls == 6


def test_the_memory_is_bounded() -> None:
    memory = RememberingVerifier(SharedSecretVerifier(SECRET), size=10)
    later = int(time.time()) + 60
    tokens = [sign({"sub": f"u{n}", "exp": later}) for n in range(25)]
    for token in tokens:
        memory.verify(token)
    assert [memory.recall(token) is not None for token in tokens].count(True) == 10
    assert memory.recall(tokens[-1]) is not None


def test_each_algorithm_goes_to_one_verifier() -> None:
    hs256 = Counting(SharedSecretVerifier(SECRET, ["HS256"]))
    hs512 = Counting(SharedSecretVerifier(SECRET, ["HS512"]))
    router = ByAlgorithm([hs256, hs512])
    later = int(time.time()) + 60
    router.verify(sign({"sub": "a", "exp": later}, alg="HS512"))
    assert (hs256.calls, hs512.calls) == (0, 1)
    for refused in (sign({"sub": "a", "exp": later}, alg="HS384"), "garbage", ""):
        with pytest.raises(InvalidToken):
            router.verify(refused)
    assert (hs256.calls, hs512.calls) == (0, 1)


def test_two_verifiers_cannot_claim_one_algorithm() -> None:
    with pytest.raises(ValueError, match="HS256"):
        ByAlgorithm([SharedSecretVerifier(SECRET), SharedSecretVerifier("t" * 40)])
    with pytest.raises(ValueError, match="at least one"):
        ByAlgorithm([])

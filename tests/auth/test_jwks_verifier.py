"""JwksVerifier against a real HTTP JWKS: what it accepts, what it refuses, and how often it
asks the auth server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.support.jwks import KeyServer, SigningKey, claims_for
from todo_adapters.tokens import JwksVerifier
from todo_core.errors import InvalidToken, TokenCheckUnavailable


def verifier_for(server: KeyServer, **options: object) -> JwksVerifier:
    options.setdefault("timeout_seconds", 0.5)
    return JwksVerifier(server.url, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithm", ["EdDSA", "ES256", "ES512", "RS256", "PS256"])
def test_a_token_from_each_better_auth_algorithm_is_accepted(
    key_server: KeyServer, algorithm: str
) -> None:
    key = SigningKey.make(algorithm)
    key_server.publish(key)
    principal = verifier_for(key_server).verify(key.sign(claims_for(key_server, "alice")))
    assert principal.user_id == "alice"
    assert principal.claims["email"] == "alice@example.com"


def test_the_right_key_is_chosen_by_kid(key_server: KeyServer) -> None:
    keys = [SigningKey.make("EdDSA") for _ in range(3)]
    key_server.publish(*keys)
    verifier = verifier_for(key_server)
    for index, key in enumerate(keys):
        assert verifier.verify(key.sign(claims_for(key_server, f"user{index}"))).user_id == (
            f"user{index}"
        )
    assert key_server.fetches == 1


def tampered(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def unsigned(claims: dict[str, object], kid: str) -> str:
    return jwt.encode(claims, None, algorithm="none", headers={"kid": kid})


def hmac_token(claims: dict[str, object], secret: bytes, kid: str) -> str:
    """HS256 by hand: PyJWT itself refuses to sign with a public key, as an attacker would not."""

    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = part(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    signing_input = header + b"." + part(json.dumps(claims).encode())
    signature = part(hmac.new(secret, signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()


def refused(verifier: JwksVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    return caught.value.reason


def test_rejections(key_server: KeyServer) -> None:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    verifier = verifier_for(key_server)
    assert verifier.verify(key.sign(claims_for(key_server))).user_id == "alice"
    hour_ago = int(time.time()) - 3600

    assert (
        refused(verifier, key.sign(claims_for(key_server, exp=hour_ago))) == "The token has expired"
    )
    assert refused(verifier, key.sign(claims_for(key_server, iss="https://evil.example")))
    assert refused(verifier, key.sign(claims_for(key_server, aud="https://other.example")))
    assert refused(verifier, tampered(key.sign(claims_for(key_server)), sub="mallory"))
    assert refused(verifier, unsigned(claims_for(key_server), key.kid))
    assert refused(verifier, SigningKey.make("EdDSA", kid=key.kid).sign(claims_for(key_server)))
    for claim in ("exp", "iss", "aud", "sub"):
        claims = claims_for(key_server)
        del claims[claim]
        claims.pop("id")
        assert refused(verifier, key.sign(claims)), claim
    assert key_server.fetches == 1  # none of these needed the auth server again


def test_an_hmac_token_made_with_the_public_key_is_refused(key_server: KeyServer) -> None:
    """The classic confusion: sign HS256 with the public key's bytes and hope the verifier
    feeds the same bytes to HMAC."""
    key = SigningKey.make("RS256")
    key_server.publish(key)
    verifier = verifier_for(key_server)
    public = key.private.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    jwk_text = json.dumps(key.jwk())
    for secret in (pem, jwk_text.encode()):
        refused(verifier, hmac_token(claims_for(key_server), secret, key.kid))
    assert key_server.fetches == 0  # refused on the header alone


def test_an_opaque_string_is_refused_without_asking_the_auth_server(
    key_server: KeyServer,
) -> None:
    key_server.publish(SigningKey.make("EdDSA"))
    verifier = verifier_for(key_server)
    for garbage in ("opaque-session-token", "a.b.c", "", "e30.e30.", "x" * 9000):
        refused(verifier, garbage)
    assert key_server.fetches == 0


def test_an_unknown_kid_is_refused_after_one_fetch(key_server: KeyServer) -> None:
    key_server.publish(SigningKey.make("EdDSA"))
    verifier = verifier_for(key_server)
    stranger = SigningKey.make("EdDSA")
    refused(verifier, stranger.sign(claims_for(key_server)))
    assert key_server.fetches == 1


def test_a_flood_of_made_up_kids_cannot_make_it_hammer_the_auth_server(
    key_server: KeyServer,
) -> None:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    verifier = verifier_for(key_server, min_refresh_seconds=5)
    verifier.verify(key.sign(claims_for(key_server)))
    for _ in range(200):
        refused(verifier, SigningKey.make("EdDSA").sign(claims_for(key_server)))
    assert key_server.fetches == 1


def test_a_rotated_key_is_accepted_without_restart(key_server: KeyServer) -> None:
    old, new = SigningKey.make("EdDSA"), SigningKey.make("EdDSA")
    key_server.publish(old)
    verifier = verifier_for(key_server, min_refresh_seconds=0.2)
    assert verifier.verify(old.sign(claims_for(key_server))).user_id == "alice"
    key_server.publish(new, old)  # Better Auth keeps the old key published for a while
    time.sleep(0.25)
    assert verifier.verify(new.sign(claims_for(key_server, "bob"))).user_id == "bob"
    assert verifier.verify(old.sign(claims_for(key_server, "carol"))).user_id == "carol"
    assert key_server.fetches == 2


def test_a_withdrawn_key_stops_working_once_the_set_is_refreshed(key_server: KeyServer) -> None:
    old, new = SigningKey.make("EdDSA"), SigningKey.make("EdDSA")
    key_server.publish(old)
    verifier = verifier_for(key_server, max_age_seconds=0.2, min_refresh_seconds=0)
    verifier.verify(old.sign(claims_for(key_server)))
    key_server.publish(new)
    time.sleep(0.25)
    refused(verifier, old.sign(claims_for(key_server)))


def test_cached_keys_keep_working_while_the_auth_server_is_down(key_server: KeyServer) -> None:
    key = SigningKey.make("ES256")
    key_server.publish(key)
    verifier = verifier_for(key_server, max_age_seconds=0.1, min_refresh_seconds=0)
    verifier.verify(key.sign(claims_for(key_server)))
    key_server.down()
    time.sleep(0.15)  # the set is now stale: a refresh is tried, fails, and the key is kept
    for user in ("alice", "bob"):
        assert verifier.verify(key.sign(claims_for(key_server, user))).user_id == user


@pytest.mark.parametrize("behaviour", ["down", "hang", "garbage", "error"])
def test_an_unknown_key_while_the_auth_server_fails_cannot_be_checked(
    key_server: KeyServer, behaviour: str
) -> None:
    """Not a 401 (the token may be fine) and not a hang: TokenCheckUnavailable, quickly."""
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    if behaviour == "down":
        key_server.down()
    key_server.behaviour = behaviour
    verifier = verifier_for(key_server, timeout_seconds=0.5, min_refresh_seconds=5)
    started = time.monotonic()
    with pytest.raises(TokenCheckUnavailable):
        verifier.verify(key.sign(claims_for(key_server)))
    assert time.monotonic() - started < 1.5
    started = time.monotonic()
    with pytest.raises(TokenCheckUnavailable):  # within min_refresh: no new attempt, no wait
        verifier.verify(key.sign(claims_for(key_server)))
    assert time.monotonic() - started < 0.1


def test_the_key_set_is_fetched_again_once_the_auth_server_is_back(
    key_server: KeyServer,
) -> None:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    key_server.down()
    verifier = verifier_for(key_server, min_refresh_seconds=0.2)
    assert not verifier.refresh()
    with pytest.raises(TokenCheckUnavailable):
        verifier.verify(key.sign(claims_for(key_server)))
    key_server.up()
    time.sleep(0.25)
    assert verifier.verify(key.sign(claims_for(key_server))).user_id == "alice"


def test_the_algorithm_allowlist_comes_from_configuration(key_server: KeyServer) -> None:
    ed, es = SigningKey.make("EdDSA"), SigningKey.make("ES256")
    key_server.publish(ed, es)
    verifier = verifier_for(key_server, algorithms=["EdDSA"])
    assert verifier.verify(ed.sign(claims_for(key_server))).user_id == "alice"
    refused(verifier, es.sign(claims_for(key_server)))


def test_a_token_cannot_pick_an_algorithm_its_key_type_does_not_have(
    key_server: KeyServer,
) -> None:
    """An RSA key verifies RS*/PS* only: a header claiming ES256 for it is refused."""
    rsa_key = SigningKey.make("RS256")
    key_server.publish(rsa_key)
    impostor = SigningKey.make("ES256", kid=rsa_key.kid)
    refused(verifier_for(key_server), impostor.sign(claims_for(key_server)))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_symmetric_and_weak_keys_in_the_set_are_never_used(key_server: KeyServer) -> None:
    weak = SigningKey.make("RS256", rsa_bits=1024)
    key_server.publish(weak)
    oct_key = {"kty": "oct", "kid": "shared", "k": "c2VjcmV0", "alg": "HS256"}
    key_server.keys.append(oct_key)
    verifier = verifier_for(key_server, algorithms=["RS256"])
    refused(verifier, weak.sign(claims_for(key_server)))
    hs = jwt.encode(claims_for(key_server), b"secret", algorithm="HS256", headers={"kid": "shared"})
    refused(verifier, hs)


def test_a_token_without_kid_is_accepted_only_when_one_key_is_published(
    key_server: KeyServer,
) -> None:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    no_kid = jwt.encode(claims_for(key_server), key.private, algorithm="EdDSA")
    assert verifier_for(key_server).verify(no_kid).user_id == "alice"
    key_server.publish(key, SigningKey.make("EdDSA"))
    refused(verifier_for(key_server), no_kid)


def test_issuer_and_audience_can_be_configured(key_server: KeyServer) -> None:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    verifier = verifier_for(key_server, issuer="https://auth.example", audience="todo-api")
    ours = claims_for(key_server, iss="https://auth.example", aud="todo-api")
    assert verifier.verify(key.sign(ours)).user_id == "alice"
    refused(verifier, key.sign(claims_for(key_server)))


def test_leeway_is_configurable(key_server: KeyServer) -> None:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    just_expired = key.sign(claims_for(key_server, exp=int(time.time()) - 10))
    assert verifier_for(key_server, leeway_seconds=30).verify(just_expired).user_id == "alice"
    refused(verifier_for(key_server, leeway_seconds=0), just_expired)


def test_configuration_errors_are_refused() -> None:
    with pytest.raises(ValueError, match="JWKS algorithms"):
        JwksVerifier("https://auth.example/jwks", ["HS256"])
    with pytest.raises(ValueError, match="absolute"):
        JwksVerifier("file:///etc/passwd")


def test_many_threads_meeting_a_rotated_key_at_once_share_one_fetch(
    key_server: KeyServer,
) -> None:
    old, new = SigningKey.make("EdDSA"), SigningKey.make("EdDSA")
    key_server.publish(old)
    verifier = verifier_for(key_server, min_refresh_seconds=0)
    verifier.verify(old.sign(claims_for(key_server)))
    key_server.publish(new, old)
    tokens = [new.sign(claims_for(key_server, f"user{n}")) for n in range(16)]
    barrier = threading.Barrier(len(tokens))

    def verify(token: str) -> str:
        barrier.wait()
        return verifier.verify(token).user_id

    with ThreadPoolExecutor(len(tokens)) as pool:
        users = list(pool.map(verify, tokens))
    assert users == [f"user{n}" for n in range(16)]
    assert key_server.fetches == 2  # the start-up fetch, then one for all sixteen

"""The API with JWKS verification configured, alone and beside the shared secret."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.support.apps import settings_for_tests
from tests.support.jwks import KeyServer, SigningKey, claims_for
from tests.support.tokens import SECRET, bearer
from todo_api import Container, create_app, use_memory


def app_for(server: KeyServer, **settings: object) -> TestClient:
    container = Container()
    values: dict[str, object] = {
        "better_auth_secret": None,
        "jwt_jwks_url": server.url,
        "jwt_jwks_timeout_seconds": 0.5,
    }
    values.update(settings)
    container.settings.override(settings_for_tests(**values))
    use_memory(container)
    return TestClient(create_app(container))


@pytest.fixture
def published(key_server: KeyServer) -> SigningKey:
    key = SigningKey.make("EdDSA")
    key_server.publish(key)
    return key


@pytest.fixture
def jwks_client(key_server: KeyServer, published: SigningKey) -> Iterator[TestClient]:
    with app_for(key_server) as client:
        yield client


def test_a_better_auth_token_reaches_its_own_tasks(
    jwks_client: TestClient, key_server: KeyServer, published: SigningKey
) -> None:
    alice = bearer(published.sign(claims_for(key_server, "alice")))
    created = jwks_client.post("/api/alice/tasks", json={"title": "Buy milk"}, headers=alice)
    assert created.status_code == 201, created.text
    listed = jwks_client.get("/api/alice/tasks", headers=alice)
    assert [task["title"] for task in listed.json()] == ["Buy milk"]
    assert jwks_client.get("/api/bob/tasks", headers=alice).status_code == 403
    assert key_server.fetches == 1  # fetched once, at start-up


def test_without_a_secret_configured_hs256_tokens_are_refused(
    jwks_client: TestClient, key_server: KeyServer
) -> None:
    hs256 = jwt.encode(claims_for(key_server, "alice"), SECRET, algorithm="HS256")
    response = jwks_client.get("/api/alice/tasks", headers=bearer(hs256))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer realm="todo", error="invalid_token", error_description="Invalid token"'
    )


def test_garbage_is_401_without_asking_the_auth_server(
    jwks_client: TestClient, key_server: KeyServer
) -> None:
    for garbage in ("opaque", "a.b.c", "e30.e30.e30", "x" * 8_000):
        response = jwks_client.get("/api/alice/tasks", headers=bearer(garbage))
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_token"
    too_long = jwks_client.get("/api/alice/tasks", headers=bearer("x" * 10_000))
    assert too_long.status_code == 431
    assert key_server.fetches == 1


def test_auth_server_down_and_key_unknown_is_a_quick_503(
    key_server: KeyServer, published: SigningKey
) -> None:
    key_server.down()
    with app_for(key_server, jwt_jwks_min_refresh_seconds=0) as client:  # starts regardless
        started = time.monotonic()
        response = client.get(
            "/api/alice/tasks", headers=bearer(published.sign(claims_for(key_server)))
        )
        assert time.monotonic() - started < 2
        assert response.status_code == 503
        assert response.headers["retry-after"] == "2"
        assert response.json()["code"] == "auth_unavailable"
        key_server.up()
        response = client.get(
            "/api/alice/tasks", headers=bearer(published.sign(claims_for(key_server)))
        )
        assert response.status_code == 200  # recovered without a restart


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_both_modes_route_each_token_by_its_algorithm(
    key_server: KeyServer, published: SigningKey
) -> None:
    with app_for(key_server, better_auth_secret=SECRET) as client:
        eddsa = published.sign(claims_for(key_server, "alice"))
        hs256 = jwt.encode({"sub": "alice", "exp": int(time.time()) + 60}, SECRET)
        for token in (eddsa, hs256):
            assert client.get("/api/alice/tasks", headers=bearer(token)).status_code == 200
        hs384 = jwt.encode({"sub": "alice", "exp": int(time.time()) + 60}, SECRET, "HS384")
        unsigned = jwt.encode({"sub": "alice", "exp": int(time.time()) + 60}, None, "none")
        es256 = SigningKey.make("ES256", kid=published.kid).sign(claims_for(key_server))
        for token in (hs384, unsigned, es256):
            assert client.get("/api/alice/tasks", headers=bearer(token)).status_code == 401


def test_logs_never_carry_tokens_or_secrets(
    key_server: KeyServer, published: SigningKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = published.sign(claims_for(key_server, "alice"))
    with app_for(key_server, better_auth_secret=SECRET, jwt_jwks_min_refresh_seconds=0) as client:
        client.get("/api/alice/tasks", headers=bearer(token))
        client.get("/api/alice/tasks", headers=bearer(token[:-4] + "AAAA"))
        key_server.down()
        stranger = SigningKey.make("EdDSA").sign(claims_for(key_server))
        client.get("/api/alice/tasks", headers=bearer(stranger))
    logged = caplog.text
    assert "fetching signing keys" in logged  # the outage was logged ...
    for secret in (token, token.split(".")[2], stranger, SECRET):
        assert secret not in logged  # ... without a token or the secret


def test_a_slow_auth_server_does_not_hold_up_requests_with_known_tokens(
    key_server: KeyServer, published: SigningKey
) -> None:
    """One database thread and one verifying thread: a key fetch hanging for a second must not
    delay a request whose token is already known."""
    known = bearer(published.sign(claims_for(key_server, "alice")))
    stranger = bearer(SigningKey.make("EdDSA").sign(claims_for(key_server, "alice")))
    settings = {"blocking_threads": 1, "jwt_jwks_timeout_seconds": 1.5}
    with app_for(key_server, jwt_jwks_min_refresh_seconds=0, **settings) as client:
        assert client.get("/api/alice/tasks", headers=known).status_code == 200
        key_server.behaviour = "hang"
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(client.get, "/api/alice/tasks", headers=stranger)
            time.sleep(0.2)  # the fetch is now in flight
            started = time.monotonic()
            assert client.get("/api/alice/tasks", headers=known).status_code == 200
            assert time.monotonic() - started < 0.5
            assert slow.result().status_code == 503

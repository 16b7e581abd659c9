"""Interoperability with a real Better Auth server (npm `better-auth`, pinned in
`better_auth/package-lock.json`): the tokens it issues are the ones our API accepts.

Needs Node.js and npm (and the npm registry the first time). Without them the test skips,
saying why; under TODO_REQUIRE_NODE=1 (CI) it fails instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2
import pytest

from tests.support.better_auth import better_auth_server, sign_up
from tests.support.servers import Server, clean_env, stop


@pytest.fixture(scope="module")
def better_auth() -> Iterator[str]:
    with better_auth_server() as base:
        yield base


@pytest.fixture(scope="module")
def api_server(better_auth: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`todo-api serve` configured as the README says: only JWT_JWKS_URL."""
    cwd = tmp_path_factory.mktemp("interop")
    env = clean_env(JWT_JWKS_URL=f"{better_auth}/api/auth/jwks")
    server = Server(cwd, env, access_log=True)
    server.wait_ready()
    yield server
    stop(server.process)


def test_tokens_from_better_auth_are_accepted_end_to_end(
    better_auth: str, api_server: Server
) -> None:
    api = api_server.base
    alice, alice_token = sign_up(better_auth, f"alice{time.time_ns()}")
    bob, bob_token = sign_up(better_auth, f"bob{time.time_ns()}")
    as_alice = {"Authorization": f"Bearer {alice_token}"}
    as_bob = {"Authorization": f"Bearer {bob_token}"}

    created = httpx2.post(f"{api}/api/{alice}/tasks", json={"title": "Ship it"}, headers=as_alice)
    assert created.status_code == 201, created.text
    listed = httpx2.get(f"{api}/api/{alice}/tasks", headers=as_alice)
    assert [task["title"] for task in listed.json()] == ["Ship it"]

    assert httpx2.get(f"{api}/api/{alice}/tasks", headers=as_bob).status_code == 403
    assert httpx2.get(f"{api}/api/{bob}/tasks", headers=as_bob).json() == []

    header, payload, signature = alice_token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    for forged in (f"{header}.{payload}.{flipped}", f"{header}.{payload[:-2]}xx.{signature}"):
        forged_header = {"Authorization": f"Bearer {forged}"}
        response = httpx2.get(f"{api}/api/{alice}/tasks", headers=forged_header)
        assert response.status_code == 401, response.text

    assert "GET /api/{user_id}/tasks 403" in api_server.output  # the access log is on ...
    for token in (alice_token, bob_token):
        assert token.split(".")[2] not in api_server.output  # ... and never shows a token

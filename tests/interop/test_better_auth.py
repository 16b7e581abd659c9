"""Interoperability with a real Better Auth server (npm `better-auth`, pinned in
`better_auth/package-lock.json`): the tokens it issues are the ones our API accepts.

Needs Node.js and npm (and the npm registry the first time). Without them the test skips,
saying why; under TODO_REQUIRE_NODE=1 (CI) it fails instead.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.servers import Server, clean_env, free_port, stop

SERVER_DIR = Path(__file__).with_name("better_auth")
INSTALLED_MARK = SERVER_DIR / "node_modules" / ".installed-from"


def unavailable(reason: str) -> None:
    if os.environ.get("TODO_REQUIRE_NODE") == "1":
        pytest.fail(f"{reason}, and TODO_REQUIRE_NODE=1")
    pytest.skip(reason)


def install_better_auth() -> None:
    """`npm ci` from the committed lock file, skipped when node_modules already matches it."""
    lock = hashlib.sha256((SERVER_DIR / "package-lock.json").read_bytes()).hexdigest()
    if INSTALLED_MARK.exists() and INSTALLED_MARK.read_text() == lock:
        return
    done = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=SERVER_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        unavailable(f"npm ci failed for better-auth: {done.stderr.strip()[-500:]}")
    INSTALLED_MARK.write_text(lock)


@pytest.fixture(scope="module")
def better_auth() -> Iterator[str]:
    """Base URL of a Better Auth server with email/password sign-up and the jwt() plugin."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("Node.js and npm are needed to run a real Better Auth server")
    install_better_auth()
    port = free_port()
    env = {**os.environ, "PORT": str(port), "BETTER_AUTH_SECRET": secrets.token_urlsafe(32)}
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=SERVER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the server listens, or exits
    if "listening" not in line:
        process.kill()
        pytest.fail(f"Better Auth did not start: {line}{process.stdout.read()}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def sign_up(auth: str, name: str) -> tuple[str, str]:
    """A new Better Auth user, signed up over REST as a browser would (hence the Origin
    header: Better Auth refuses a POST without one); returns (user id, JWT)."""
    with httpx2.Client(base_url=auth, headers={"Origin": auth}, timeout=10) as browser:
        signed_up = browser.post(
            "/api/auth/sign-up/email",
            json={"email": f"{name}@example.com", "password": "a long passphrase", "name": name},
        )
        assert signed_up.status_code == 200, signed_up.text
        token = browser.get("/api/auth/token")  # what authClient.token() calls
        assert token.status_code == 200, token.text
        return signed_up.json()["user"]["id"], token.json()["token"]


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

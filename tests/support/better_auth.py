"""A real Better Auth server (npm `better-auth`, pinned in tests/interop/better_auth's lock
file) on a free loopback port, started by process id and stopped the same way.

Needs Node.js and npm (and the npm registry the first time). Without them the caller skips,
saying why; under TODO_REQUIRE_NODE=1 (CI) it fails instead.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

from tests.support.servers import free_port, stop

SERVER_DIR = Path(__file__).parents[1] / "interop" / "better_auth"
INSTALLED_MARK = SERVER_DIR / "node_modules" / ".installed-from"


def unavailable(reason: str) -> None:
    if os.environ.get("TODO_REQUIRE_NODE") == "1":
        pytest.fail(f"{reason}, and TODO_REQUIRE_NODE=1")
    pytest.skip(reason)


def install_better_auth() -> None:
    """`npm ci` from the committed lock file, skipped when node_modules already matches it."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        unavailable("Node.js and npm are needed to run a real Better Auth server")
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


@contextmanager
def better_auth_server(*, page: bool = False, lifetime: str = "15m") -> Iterator[str]:
    """Base URL of a Better Auth server with email/password sign-up and the jwt() plugin;
    with `page`, it also serves the browser test's page on the same origin."""
    install_better_auth()
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "BETTER_AUTH_SECRET": secrets.token_urlsafe(32),
        "JWT_EXPIRATION_TIME": lifetime,
        "PAGE": "1" if page else "0",
    }
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=SERVER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server listens, or exits
        if "listening" not in line:
            pytest.fail(f"Better Auth did not start: {line}{process.stdout.read()}")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)  # type: ignore[arg-type]


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

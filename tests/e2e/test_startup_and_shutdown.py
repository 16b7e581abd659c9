"""Start-up against a database that is late, absent or empty; migrations; logs; SIGTERM."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.support.databases import create_database, database_url, drop_database
from tests.support.private_postgres import PrivateCluster
from tests.support.servers import CLI, Server, Service, clean_env, stop
from tests.support.tokens import SECRET, auth
from todo_adapters.sql.migrations import head_revision

DB_PASSWORD = "hunter2-db-password"


@pytest.fixture
def empty_database(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the test server, its URL carrying a password (trust auth
    ignores it) so that tests can look for it in logs."""
    url = create_database("todo_start")
    yield database_url(make_url(url).database or "", password=DB_PASSWORD)
    drop_database(url)


# The first attempt's error type depends on how the refusal looks to the driver.
WAITING = re.compile(r"database not reachable \(attempt 1: \w+\); retrying in")


def test_serve_waits_for_a_database_that_comes_up_late(
    private_cluster: PrivateCluster, tmp_path: Path
) -> None:
    private_cluster.stop()
    env = clean_env(DATABASE_URL=private_cluster.url, BETTER_AUTH_SECRET=SECRET)
    server = Server(tmp_path, env)
    try:
        # Wait for its first refused attempt (a fixed sleep raced a slow start-up under load:
        # the cluster was back before the server had tried at all).
        deadline = time.monotonic() + 60
        while not WAITING.search(server.output) and time.monotonic() < deadline:
            assert server.process.poll() is None, server.output  # waiting, not dead
            time.sleep(0.1)
        time.sleep(0.5)
        assert server.process.poll() is None, server.output  # still waiting, not dead
        private_cluster.start()
        server.wait_ready()
        reply = httpx2.post(
            server.base + "/api/alice/tasks", json={"title": "late"}, headers=auth("alice")
        )
        assert reply.status_code == 201
    finally:
        stop(server.process)
    assert WAITING.search(server.output), server.output
    assert "database schema migrated from empty to" in server.output


def test_serve_gives_up_on_an_unreachable_database_with_a_clear_message(tmp_path: Path) -> None:
    env = clean_env(
        DATABASE_URL=f"postgresql://app:{DB_PASSWORD}@127.0.0.1:1/todo",
        BETTER_AUTH_SECRET=SECRET,
        DB_STARTUP_TIMEOUT_SECONDS="2",
    )
    server = Server(tmp_path, env)
    assert server.process.wait(timeout=60) != 0
    assert "cannot start: database not reachable after" in server.output
    assert DB_PASSWORD not in server.output


@pytest.mark.parametrize(
    ("database", "query", "reason"),
    [
        ("no_such_database", {}, 'database "no_such_database" does not exist'),
        ("postgres", {"sslmode": "require"}, "server does not support SSL, but SSL was required"),
    ],
)
def test_a_database_that_refuses_us_stops_serve_and_migrate_at_once_saying_why(
    postgres_url: str, tmp_path: Path, database: str, query: dict[str, str], reason: str
) -> None:
    """A wrong database name or SSL setting is not waited for 30 s and then called "not
    reachable": the start fails at once with PostgreSQL's own reason, in one line, never the
    password, and with no traceback."""
    refusing = make_url(postgres_url).set(database=database, password=DB_PASSWORD, query=query)
    url = refusing.render_as_string(hide_password=False)
    env = clean_env(DATABASE_URL=url, BETTER_AUTH_SECRET=SECRET)
    began = time.monotonic()
    server = Server(tmp_path, env)
    assert server.process.wait(timeout=60) != 0
    migrating = subprocess.run(
        [CLI, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert time.monotonic() - began < 20  # no 30 s of retries, twice
    assert migrating.returncode != 0
    for output in (server.output, migrating.stderr):
        assert reason in output, output
        assert DB_PASSWORD not in output
        assert "Traceback" not in output, output
        assert "retrying" not in output


def test_four_processes_serving_an_empty_database_migrate_it_once(
    empty_database: str, tmp_path: Path
) -> None:
    env = clean_env(DATABASE_URL=empty_database, BETTER_AUTH_SECRET=SECRET)
    servers = [Server(tmp_path, env) for _ in range(4)]
    try:
        for server in servers:
            server.wait_ready()
        for server in servers:
            reply = httpx2.get(server.base + "/api/alice/tasks", headers=auth("alice"))
            assert reply.status_code == 200
    finally:
        for server in servers:
            stop(server.process)
    outputs = "".join(server.output for server in servers)
    assert outputs.count("database schema migrated from empty to") == 1, outputs
    assert outputs.count("database schema already at") == 3, outputs
    with psycopg.connect(empty_database) as connection:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert versions == [(head_revision(),)]


def test_migrate_uses_the_migrations_url_and_serve_can_skip_migrating(
    empty_database: str, tmp_path: Path
) -> None:
    """Neon: the API on the pooled host, migrations on the direct one (here: the API's URL
    is unreachable, so only MIGRATIONS_DATABASE_URL can have been used)."""
    env = clean_env(
        DATABASE_URL="postgresql://app@127.0.0.1:1/todo",
        MIGRATIONS_DATABASE_URL=empty_database,
        BETTER_AUTH_SECRET=SECRET,
    )
    for expected in ("migrated from empty to", "already at"):
        done = subprocess.run(
            [CLI, "migrate"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert f"database schema {expected}" in done.stderr
        assert DB_PASSWORD not in done.stderr
    env = clean_env(DATABASE_URL=empty_database, BETTER_AUTH_SECRET=SECRET, MIGRATE_ON_START="0")
    server = Server(tmp_path, env)
    try:
        server.wait_ready()
    finally:
        stop(server.process)
    assert "database schema" not in server.output


def test_production_logs_are_json_with_request_ids_and_no_secrets(
    empty_database: str, tmp_path: Path
) -> None:
    env = clean_env(
        DATABASE_URL=empty_database, BETTER_AUTH_SECRET=SECRET, ENVIRONMENT="production"
    )
    server = Server(tmp_path, env, access_log=True)
    headers = auth("alice")
    token = headers["Authorization"].split()[1]
    try:
        server.wait_ready()
        with httpx2.Client(base_url=server.base) as client:
            mine = client.post(
                "/api/alice/tasks",
                json={"title": "logged"},
                headers={**headers, "X-Request-ID": "trace-abc.123"},
            )
            assert mine.headers["x-request-id"] == "trace-abc.123"
            forged = client.get(
                "/api/alice/tasks",
                headers={"Authorization": f"Bearer {token}x", "X-Request-ID": "bad id!" * 30},
            )
            assert forged.status_code == 401
            generated = forged.headers["x-request-id"]
            assert len(generated) == 32
            assert generated != "bad id!" * 30
    finally:
        stop(server.process)
    lines = [json.loads(line) for line in server.output.splitlines() if line.strip()]
    access = {line.get("request_id"): line for line in lines if line["logger"] == "todo_api.access"}
    created = access["trace-abc.123"]
    assert (created["method"], created["path"], created["status"]) == (
        "POST",
        "/api/{user_id}/tasks",
        201,
    )
    assert created["duration_ms"] > 0
    assert access[generated]["status"] == 401
    assert {"time", "level", "message"} <= set(created)
    for secret in (token, SECRET, DB_PASSWORD):
        assert secret not in server.output


def test_plain_uvicorn_logs_as_serve_does(empty_database: str, tmp_path: Path) -> None:
    """`uvicorn todo_api.main:app`, the seed's own run command, configures no logging: the
    app does, at start, so the ready line, JSON in production and the access log with
    request ids are there however it is run."""
    env = clean_env(
        DATABASE_URL=empty_database, BETTER_AUTH_SECRET=SECRET, ENVIRONMENT="production"
    )
    uvicorn = str(Path(CLI).with_name("uvicorn"))
    server = Service(
        [uvicorn, "todo_api.main:app", "--host", "127.0.0.1"],
        tmp_path,
        env,
        lambda port: tmp_path / f"uvicorn-{port}.log",
    )
    try:
        server.wait_ready()
        answer = httpx2.get(
            server.base + "/api/alice/tasks", headers={**auth("alice"), "X-Request-ID": "plain-1"}
        )
        assert answer.status_code == 200
    finally:
        stop(server.process)
    lines = [json.loads(line) for line in server.output.splitlines() if line.startswith("{")]
    messages = [line["message"] for line in lines]
    assert any(message.startswith("ready: tasks in PostgreSQL") for message in messages)
    [access] = [line for line in lines if line.get("request_id") == "plain-1"]
    assert (access["logger"], access["status"]) == ("todo_api.access", 200)
    assert DB_PASSWORD not in server.output


def test_sigterm_lets_an_in_flight_request_finish(empty_database: str, tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL=empty_database, BETTER_AUTH_SECRET=SECRET)
    server = Server(tmp_path, env)
    server.wait_ready()
    headers = auth("alice")
    created = httpx2.post(server.base + "/api/alice/tasks", json={"title": "t"}, headers=headers)
    task_id = created.json()["id"]
    replies: list[httpx2.Response] = []
    with psycopg.connect(empty_database) as blocker:
        # Hold the task's row lock so that a toggle is still running when SIGTERM arrives.
        blocker.execute("SELECT 1 FROM tasks WHERE id = %s FOR UPDATE", (task_id,))
        toggle = threading.Thread(
            target=lambda: replies.append(
                httpx2.patch(
                    f"{server.base}/api/alice/tasks/{task_id}/complete",
                    headers=headers,
                    timeout=30,
                )
            )
        )
        toggle.start()
        time.sleep(0.5)
        server.process.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert server.process.poll() is None, "exited with a request in flight"
    # the row lock is released: the toggle completes, then the server exits
    toggle.join(timeout=30)
    # uvicorn re-raises the signal once it has shut down cleanly, so the status says SIGTERM
    assert server.process.wait(timeout=30) in (0, -signal.SIGTERM)
    assert "Finished server process" in server.output
    assert replies[0].status_code == 200
    assert replies[0].json()["completed"] is True


def test_sigterm_drains_ready_turns_503_at_once_and_requests_are_served_until_it_stops(
    tmp_path: Path,
) -> None:
    """What a balancer needs for a restart that loses nothing: the replica says "not ready" at
    the signal and keeps serving for SHUTDOWN_DRAIN_SECONDS, then stops."""
    env = clean_env(BETTER_AUTH_SECRET=SECRET, SHUTDOWN_DRAIN_SECONDS="2")
    server = Server(tmp_path, env)
    server.wait_ready()
    assert httpx2.get(server.base + "/readyz").status_code == 200
    signalled = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        ready = httpx2.get(server.base + "/readyz")
        for _ in range(20):  # the signal is handled between two bytecodes: at once
            if ready.status_code == 503:
                break
            time.sleep(0.02)
            ready = httpx2.get(server.base + "/readyz")
        assert ready.status_code == 503, ready.text
        assert ready.json()["code"] == "shutting_down"
        assert time.monotonic() - signalled < 1
        assert httpx2.get(server.base + "/health/ready").status_code == 503
        assert httpx2.get(server.base + "/livez").status_code == 200
        created = httpx2.post(
            server.base + "/api/alice/tasks",
            json={"title": "while draining"},
            headers=auth("alice"),
        )
        assert created.status_code == 201, created.text
        server.process.wait(timeout=30)
    finally:
        stop(server.process)
    assert time.monotonic() - signalled >= 1.9  # it kept serving for the drain time
    assert "SIGTERM: not ready any more; serving for 2 s, then stopping" in server.output

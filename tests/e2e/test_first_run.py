"""The README's promise: with no configuration, `serve` and `token` agree, on embedded SQLite."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import httpx2
import pytest

from tests.support.databases import create_database, drop_database
from tests.support.servers import CLI, Server, clean_env, start_server, stop
from tests.support.tokens import SECRET


def cli_token(cwd: Path, env: dict[str, str], user: str) -> tuple[str, dict[str, str]]:
    """`todo-api token USER` run as a user would, and the header that carries it."""
    token = subprocess.run(
        [CLI, "token", user], cwd=cwd, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    return token, {"Authorization": f"Bearer {token}"}


def test_serve_and_token_work_with_no_configuration(tmp_path: Path) -> None:
    env = clean_env()
    process, base = start_server(tmp_path, env)
    try:
        token, headers = cli_token(tmp_path, env, "alice")
        created = httpx2.post(base + "/api/alice/tasks", json={"title": "hi"}, headers=headers)
        assert created.status_code == 201
        listed = httpx2.get(base + "/api/alice/tasks", headers=headers)
        assert [t["title"] for t in listed.json()] == ["hi"]
    finally:
        stop(process)
    assert (tmp_path / "todo.db").exists()
    secret_file = tmp_path / "todo.db.dev-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert secret_file.read_text().strip() not in token


def test_production_refuses_to_start_without_secret_or_database(tmp_path: Path) -> None:
    for command, extra in (
        ("serve", {"ENVIRONMENT": "production", "DATABASE_URL": "sqlite:///x.db"}),
        ("token", {"ENVIRONMENT": "production"}),
        ("token", {"ENVIRONMENT": "production", "BETTER_AUTH_SECRET": "short"}),
        ("token", {"ENVIRONMENT": "production", "BETTER_AUTH_SECRET": "s" * 40}),
        ("serve", {"ENVIRONMENT": "production", "BETTER_AUTH_SECRET": "s" * 40}),
    ):
        args = [CLI, command] + (["alice"] if command == "token" else ["--port", "1"])
        result = subprocess.run(
            args,
            cwd=tmp_path,
            env=clean_env(**extra),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert result.stderr.startswith("todo-api: invalid configuration: ")
        assert "ENVIRONMENT=production" in result.stderr
        assert "Traceback" not in result.stderr
        assert "ssssssss" not in result.stderr  # not even a fragment of the secret


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_four_workers_starting_together_on_an_empty_database_all_come_up(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    if database == "sqlite":
        env = clean_env()
    else:
        request.getfixturevalue("postgres_url")  # skips (or fails in CI) without a server
        url = create_database("todo_workers")
        env = clean_env(DATABASE_URL=url, BETTER_AUTH_SECRET=SECRET)
    server = Server(tmp_path, env, "--workers", "4")
    server.wait_ready()
    process, base = server.process, server.base
    try:
        _, headers = cli_token(tmp_path, env, "alice")
        for n in range(8):  # spread over the workers by the kernel
            reply = httpx2.post(base + "/api/alice/tasks", json={"title": f"t{n}"}, headers=headers)
            assert reply.status_code == 201
    finally:
        stop(process)
        output = server.output
        if database == "postgres":
            drop_database(url)
    assert output.count("Application startup complete") == 4, output
    assert "Traceback" not in output
    assert "4 workers without REDIS_URL do not share live updates" in output  # said once

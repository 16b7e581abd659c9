"""A cold start loads only what the settings turn on (issue 18): a replica restarting on a
database already at the head, rate limits counted in memory, imports neither Alembic (nor
its Mako templates) nor redis-py, before or after serving requests; on PostgreSQL not even
SQLAlchemy and SQLModel, which only the sync side and migrations are built on. Checked in a
fresh interpreter, where `sys.modules` shows what was really loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from todo_adapters.sql import migrate

OPTIONAL = ("alembic", "mako", "redis")
SYNC_SIDE = ("sqlalchemy", "sqlmodel")
STARTED = """
import json, sys
from fastapi.testclient import TestClient
from tests.support.apps import settings_for_tests
from tests.support.tokens import auth
from todo_api.app import create_app
from todo_api.container import Container

container = Container()
container.settings.override(settings_for_tests(database_url=sys.argv[1]))
with TestClient(create_app(container)) as client:
    assert client.get("/readyz").status_code == 200
    made = client.post("/api/alice/tasks", json={"title": "t"}, headers=auth("alice"))
    assert made.status_code == 201, made.text
    assert client.get("/api/alice/tasks", headers=auth("alice")).status_code == 200
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def loaded_by_a_start(url: str) -> set[str]:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", STARTED, url],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_start_on_a_current_database_loads_no_migration_tool_nor_redis(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'current.db'}"
    migrate(url)
    loaded = loaded_by_a_start(url)
    assert "todo_api" in loaded
    assert not loaded & set(OPTIONAL)


def test_a_start_on_an_empty_database_migrates_it_with_alembic(tmp_path: Path) -> None:
    loaded = loaded_by_a_start(f"sqlite:///{tmp_path / 'empty.db'}")
    assert "alembic" in loaded
    assert "redis" not in loaded


def test_a_start_on_a_current_postgres_database_loads_no_sqlalchemy(postgres_url: str) -> None:
    migrate(postgres_url)
    loaded = loaded_by_a_start(postgres_url)
    assert "psycopg_pool" in loaded
    assert not loaded & {*OPTIONAL, *SYNC_SIDE}

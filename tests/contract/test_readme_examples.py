"""The README's Python examples run as written (the database one on the test server), so the
documented imports and calls of both flavours cannot rot."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
PLACEHOLDER = "postgresql://user:pass@host/db?sslmode=require"


def examples() -> list[str]:
    section = README.read_text().split("## Using the domain from Python", 1)[1].split("\n## ")[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_shows_both_flavours() -> None:
    code = "\n".join(examples())
    assert "TaskService(" in code
    assert "AsyncTaskService(" in code
    assert "AsyncSqlTaskRepository(" in code


@pytest.mark.parametrize("example", [e for e in examples() if PLACEHOLDER not in e])
def test_the_in_memory_examples_run(example: str) -> None:
    exec(compile(example, "README.md", "exec"), {})  # noqa: S102


def test_the_database_example_runs_on_a_real_server(postgres_url: str) -> None:
    (example,) = [e for e in examples() if PLACEHOLDER in e]
    namespace: dict[str, object] = {}
    exec(compile(example.replace(PLACEHOLDER, postgres_url), "README.md", "exec"), namespace)  # noqa: S102
    serve = namespace["serve"]
    assert callable(serve)
    asyncio.run(serve())
    assert isinstance(namespace["tasks"].list("alice"), list)  # type: ignore[attr-defined]

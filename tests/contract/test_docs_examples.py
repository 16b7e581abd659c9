"""The Python examples of docs/library.md run as written (the database one on the test server),
so the documented imports and calls of both flavours, and paging, cannot rot."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

LIBRARY_PAGE = Path(__file__).resolve().parents[2] / "docs" / "library.md"
PLACEHOLDER = "postgresql://user:pass@host/db?sslmode=require"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", LIBRARY_PAGE.read_text(), flags=re.S)


def test_the_page_shows_both_flavours_and_paging() -> None:
    code = "\n".join(examples())
    assert "TaskService(" in code
    assert "AsyncTaskService(" in code
    assert "AsyncSqlTaskRepository(" in code
    assert "TaskQuery.of(" in code
    assert ".next_cursor" in code


@pytest.mark.parametrize("example", [e for e in examples() if PLACEHOLDER not in e])
def test_the_in_memory_examples_run(example: str) -> None:
    exec(compile(example, "docs/library.md", "exec"), {})  # noqa: S102


def test_the_database_example_runs_on_a_real_server(postgres_url: str) -> None:
    (example,) = [e for e in examples() if PLACEHOLDER in e]
    namespace: dict[str, object] = {}
    code = compile(example.replace(PLACEHOLDER, postgres_url), "docs/library.md", "exec")
    exec(code, namespace)  # noqa: S102
    serve = namespace["serve"]
    assert callable(serve)
    asyncio.run(serve())
    assert isinstance(namespace["tasks"].list("alice"), list)  # type: ignore[attr-defined]

"""Every statement the repositories may send PostgreSQL, by name, as psycopg sends it
(`%(name)s` placeholders): read from `postgres_texts.sql`, which tools/postgres_texts.py
generates from the Core statements (`core`), so that serving never imports SQLAlchemy."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Final

from todo_adapters.sql.statements import Statement

NAMED: Final = "-- name: "  # the line before each statement
_FILE: Final = Path(__file__).with_name("postgres_texts.sql")


@cache
def postgres_texts() -> dict[Statement, str]:
    """The file's statements by name (read once)."""
    texts: dict[Statement, str] = {}
    name = None
    for line in _FILE.read_text().splitlines():
        if line.startswith(NAMED):
            name = line.removeprefix(NAMED)
            texts[name] = ""
        elif name is not None:
            texts[name] += line + "\n"
    return {name: text.strip() for name, text in texts.items()}

"""The statements every SQL repository runs, chosen by name.

A repository picks a statement and its values; the database it runs on turns the name into
what its driver takes. The async repository, on PostgreSQL, sends text generated ahead of
time (`postgres_texts.sql`), so that serving never imports SQLAlchemy (what that saves: the
docs' performance page). The sync one runs the SQLAlchemy Core statement of the same name
(`core.named`), on SQLite and PostgreSQL alike. Every statement is defined once, in `core`;
a test holds the generated text equal to what Core compiles.

Each is ONE statement, atomic by itself; writes are `INSERT/UPDATE/DELETE ... RETURNING`, so
concurrent requests cannot lose each other's changes (no read-modify-write in Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

Statement = str  # a statement's name (`core.named.statement` resolves it)
Values = dict[str, Any]
Rows = Sequence[Sequence[Any]]

PING: Final = "ping"
GET: Final = "get"
TAGS: Final = "tags"
UNLIMITED: Final = 2**63 - 1  # the `limit` of an add that has none

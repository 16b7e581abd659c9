"""Each statement's name (`statements`, `listing`, `writes`, `idempotency`, `syncing`) as the
statement it stands for on one database, and every name PostgreSQL may be sent."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.sql import Executable

from todo_adapters.sql import idempotency, listing, statements, syncing, writes
from todo_adapters.sql.core import idempotency as keys
from todo_adapters.sql.core import syncing as sync
from todo_adapters.sql.core import tags, tasks
from todo_adapters.sql.core.listing import list_statement
from todo_adapters.sql.core.tasks import postgres_text
from todo_adapters.sql.core.writes import POSTGRES_ADD
from todo_adapters.sql.statements import Statement

_EVERYWHERE: dict[Statement, Executable] = {
    statements.PING: tasks.PING,
    statements.GET: tasks.GET,
    idempotency.KEPT: keys.KEPT,
    idempotency.FORGET_EXPIRED_KEY: keys.FORGET_EXPIRED_KEY,
    idempotency.KEEP: keys.KEEP,
    idempotency.PURGE_KEYS: keys.PURGE_KEYS,
    syncing.CHANGED: sync.CHANGED,
    syncing.DELETED: sync.DELETED,
    syncing.LOCK_PURGED_OWNERS: sync.LOCK_PURGED_OWNERS,
    syncing.ADVANCE_PURGED: sync.ADVANCE_PURGED,
    syncing.PURGE_TOMBSTONES: sync.PURGE_TOMBSTONES,
}


def statement(name: Statement, postgres: bool) -> Executable | str:
    """What `name` stands for on PostgreSQL (`postgres`) or SQLite: a Core statement, or
    PostgreSQL text of our own. KeyError for a name nothing stands for."""
    return _statement(name, postgres)


@lru_cache(maxsize=1024)  # typed by `statement`: the cache's own signature takes anything
def _statement(name: Statement, postgres: bool) -> Executable | str:
    if name in _EVERYWHERE:
        return _EVERYWHERE[name]
    if name == syncing.HORIZON:
        return sync.POSTGRES_HORIZON if postgres else sync.SQLITE_HORIZON
    if name == statements.TAGS:
        return tags.POSTGRES_TAGS if postgres else tags.SQLITE_TAGS
    if name.startswith("list "):
        return list_statement(listing.shape_of(name), postgres)
    if name.startswith("keyed ") and postgres:  # SQLite checks, writes and keeps in turn
        return keys.keyed_text(name)
    if name == writes.ADD and postgres:
        return POSTGRES_ADD
    return tasks.write(name)


def every_name() -> list[Statement]:
    """Every name the repositories may send PostgreSQL."""
    return [
        *_EVERYWHERE,
        syncing.HORIZON,
        statements.TAGS,
        *listing.every_list(),
        *writes.every_write(),
        *idempotency.every_keyed(),
    ]


def postgres_texts() -> dict[Statement, str]:
    """Every name as the PostgreSQL text it stands for: what `postgres_texts` holds."""
    texts = {}
    for name in every_name():
        found = statement(name, postgres=True)
        texts[name] = found if isinstance(found, str) else postgres_text(found)
    return texts

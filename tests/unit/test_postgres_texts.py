"""The PostgreSQL text serving sends (`todo_adapters/sql/postgres_texts.sql`) is what the
Core statements compile to now, and every name a repository can choose has its text."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from todo_adapters.sql import idempotency, listing, writes
from todo_adapters.sql.core.named import every_name, statement
from todo_adapters.sql.core.named import postgres_texts as core_texts
from todo_adapters.sql.postgres_texts import postgres_texts as read_texts
from todo_core.listing import SORTS, TaskQuery
from todo_core.tasks import TaskChanges
from todo_core.writes import Change
from tools import postgres_texts

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_generated_texts_are_fresh() -> None:
    assert not postgres_texts.is_stale(), "regenerate with `python -m tools.postgres_texts`"


def test_an_edited_text_is_stale(tmp_path: Path) -> None:
    """The check can fail: a text changed by hand (or a statement changed in Core without
    regenerating) is caught."""
    root = tmp_path / "checkout"
    target = root / postgres_texts.TARGET
    target.parent.mkdir(parents=True)
    shutil.copy(postgres_texts.ROOT / postgres_texts.TARGET, target)
    assert not postgres_texts.is_stale(root)
    target.write_text(target.read_text().replace("ORDER BY tasks.id", "ORDER BY tasks.title", 1))
    assert postgres_texts.is_stale(root)


def test_every_name_a_repository_chooses_has_its_text() -> None:
    texts = read_texts()
    assert list(texts) == every_name()
    chosen = [
        listing.list_of("alice", None)[0],
        *(listing.list_of("alice", TaskQuery.of(sort=sort, limit=5))[0] for sort in SORTS),
        listing.list_of("alice", TaskQuery.of(completed=True, text="x"))[0],
        writes.statement_of("alice", Change(1, TaskChanges.of(title="t"), NOW, 3))[0],
        idempotency.keyed_name(writes.ADD),
    ]
    assert all(name in texts for name in chosen), chosen


def test_each_text_is_read_back_as_core_compiles_it() -> None:
    """Whitespace at the ends of lines aside (the file drops it), the file gives each name
    the very statement Core compiles."""
    compiled = core_texts()
    for name, text in read_texts().items():
        assert text.split() == compiled[name].split(), name


@pytest.mark.parametrize(
    "name",
    ["list by nothing", "list sideways by id", "list by", "change x", "keyed keyed add", "drop"],
)
def test_a_name_nothing_stands_for_is_refused(name: str) -> None:
    with pytest.raises(KeyError):
        statement(name, postgres=True)

"""Page and sync cursors travel in one codec: what it hands out is what the earlier codecs
did (cursors already held by clients keep working), and no forged cursor raises anything but
the domain's InvalidCursor."""

from __future__ import annotations

import base64
import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from todo_core.errors import InvalidCursor, InvalidSyncCursor
from todo_core.listing import TaskQuery
from todo_core.syncing import cursor_of, stamp_of
from todo_core.tasks import Task

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def test_a_sync_cursor_is_spelled_as_before() -> None:
    cursor = cursor_of(42, "alice")
    document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert list(document) == ["v", "o", "s"]
    assert document["s"] == 42
    assert cursor == _b64(json.dumps(document, separators=(",", ":")).encode())
    assert stamp_of(cursor, "alice") == 42


def test_a_page_cursor_round_trips_for_its_query_and_owner_only() -> None:
    query = TaskQuery.of(sort="-updated_at", limit=2)
    task = Task(7, "alice", "Ünïcode", None, False, T0, T0)
    cursor = query.cursor_after(task, "alice")
    assert TaskQuery.of(sort="-updated_at", limit=2, cursor=cursor, owner="alice").after == (
        T0,
        7,
    )
    with pytest.raises(InvalidCursor):
        TaskQuery.of(sort="-updated_at", limit=2, cursor=cursor, owner="bob")


@pytest.mark.parametrize(
    "forged",
    [
        _b64(b"[" * 1000),  # nested past Python's recursion limit: was a 500
        _b64(b"[" * 100_000)[:2048],
        _b64(b'{"v":1,"k":' + b"[" * 5000 + b"]" * 5000 + b"}"),
        _b64(b"[1, 2]"),
        _b64(b"null"),
        "x" * 2049,
        "not base64!",
    ],
)
def test_forged_cursors_are_invalid_cursors(forged: str) -> None:
    with pytest.raises(InvalidCursor):
        TaskQuery.of(limit=1, cursor=forged, owner="alice")
    with pytest.raises(InvalidSyncCursor):
        stamp_of(forged, "alice")


@given(st.text(max_size=300))
def test_any_text_is_a_cursor_or_an_invalid_one(text: str) -> None:
    with contextlib.suppress(InvalidCursor):
        TaskQuery.of(limit=1, cursor=text, owner="alice")
    with contextlib.suppress(InvalidSyncCursor):
        stamp_of(text, "alice")

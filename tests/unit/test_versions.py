"""Entity tags and preconditions as RFC 9110 has them: strong comparison for If-Match, weak
for If-None-Match, `*` for any."""

from __future__ import annotations

import pytest

from todo_api.http.versions import (
    NO_VERSION,
    BadPrecondition,
    etag_of_body,
    expected_version,
    none_match,
)


@pytest.mark.parametrize(
    ("header", "version"),
    [
        (None, None),
        ("*", None),
        (' "3" ', 3),
        ('"9223372036854775807"', 2**63 - 1),
        ('"9223372036854775808"', NO_VERSION),  # beyond any version
        ('"03"', NO_VERSION),  # not the tag we sent, byte for byte
        ('W/"3"', NO_VERSION),  # weak tags never match a write's precondition
        ("3", NO_VERSION),  # unquoted
        ('"-1"', NO_VERSION),
        ('""', NO_VERSION),
    ],
)
def test_if_match_names_one_version_or_none(header: str | None, version: int | None) -> None:
    assert expected_version(header) == version


def test_if_match_with_several_tags_is_refused() -> None:
    with pytest.raises(BadPrecondition):
        expected_version('"1", "2"')


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("*", True),
        ('"2"', True),
        ('W/"2"', True),  # weak comparison for GET
        ('"1", "2"', True),
        ('"1", W/"3"', False),
        ("2", False),
    ],
)
def test_if_none_match_compares_weakly(header: str | None, matches: bool) -> None:
    assert none_match(header, '"2"') is matches


def test_a_body_tag_is_stable_and_strong() -> None:
    assert etag_of_body(b"[]") == etag_of_body(b"[]")
    assert etag_of_body(b"[]") != etag_of_body(b"[1]")
    assert etag_of_body(b"[]").startswith('"')

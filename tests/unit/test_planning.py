"""The rules a task's plan obeys: priorities are words, tags a clean list, zones real IANA
names, dues a date or an aware moment, and recurrence rules inside the RRULE subset, each
kept in one spelling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from todo_core.planning import (
    TAG_MAX,
    TAGS_MAX,
    Recurrence,
    canonical_rule,
    check_due_date,
    check_instant,
    check_priority,
    check_recurrence,
    check_tags,
    check_time_zone,
)


@pytest.mark.parametrize("given_", ["low", "medium", "high"])
def test_priorities_are_three_words(given_: str) -> None:
    assert check_priority(given_) == given_


@pytest.mark.parametrize("given_", [1, 4, "HIGH", "urgent", None, "", True])
def test_anything_else_is_no_priority(given_: object) -> None:
    with pytest.raises(ValueError, match="low, medium, high"):
        check_priority(given_)


def test_tags_are_trimmed_and_unique_whatever_their_case_first_spelling_kept() -> None:
    assert check_tags([" Work ", "home", "WORK", "Home", "straße", "STRASSE"]) == (
        "Work",
        "home",
        "straße",
    )


@pytest.mark.parametrize(
    "tags",
    [["ok", ""], ["   "], ["x" * (TAG_MAX + 1)], ["a\nb"], ["a\x00"], "work", [1], None],
)
def test_a_bad_tag_is_refused(tags: object) -> None:
    with pytest.raises(ValueError, match="must"):
        check_tags(tags)


def test_at_most_twenty_tags_counted_after_merging_case() -> None:
    assert len(check_tags([f"t{n}" for n in range(TAGS_MAX)] + ["T0"])) == TAGS_MAX
    with pytest.raises(ValueError, match="at most"):
        check_tags([f"t{n}" for n in range(TAGS_MAX + 1)])


@given(st.lists(st.text(min_size=1, max_size=60), max_size=30))
def test_kept_tags_obey_every_rule(tags: list[str]) -> None:
    try:
        kept = check_tags(tags)
    except ValueError:
        return
    assert len(kept) <= TAGS_MAX
    assert len({tag.casefold() for tag in kept}) == len(kept)
    assert all(0 < len(tag) <= TAG_MAX and tag == tag.strip() for tag in kept)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"])
def test_iana_zones_are_zones(zone: str) -> None:
    assert check_time_zone(zone) == zone


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "", "../../etc/passwd", "/etc/localtime", "Europe/Berlin\x00", 1]
)
def test_anything_else_is_no_zone(zone: object) -> None:
    with pytest.raises(ValueError, match="IANA"):
        check_time_zone(zone)


def test_a_due_date_is_a_date_not_a_moment() -> None:
    assert check_due_date(date(2026, 5, 1)) == date(2026, 5, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        check_due_date(datetime(2026, 5, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        check_due_date("2026-05-01")


def test_a_moment_is_aware_and_kept_in_utc() -> None:
    plus_two = datetime(2026, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    kept = check_instant(plus_two)
    assert kept == plus_two
    assert kept is not None
    assert kept.tzinfo is UTC
    with pytest.raises(ValueError, match="offset"):
        check_instant(datetime(2026, 5, 1, 12))


@pytest.mark.parametrize(
    ("rule", "canonical"),
    [
        ("rrule:freq=weekly;byday=mo,we", "FREQ=WEEKLY;BYDAY=MO,WE"),
        ("COUNT=3;FREQ=DAILY;INTERVAL=2", "FREQ=DAILY;INTERVAL=2;COUNT=3"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15,-1", "FREQ=MONTHLY;BYMONTHDAY=1,15,-1"),
        ("FREQ=YEARLY;UNTIL=20301231T120000Z", "FREQ=YEARLY;UNTIL=20301231T120000Z"),
    ],
)
def test_rules_in_the_subset_are_kept_in_one_spelling(rule: str, canonical: str) -> None:
    assert canonical_rule(rule) == canonical
    assert check_recurrence(Recurrence(rule, "completion")) == Recurrence(canonical, "completion")


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=MINUTELY",
        "INTERVAL=2",
        "FREQ=DAILY;FREQ=WEEKLY",
        "FREQ=DAILY;BYHOUR=9",
        "FREQ=DAILY;COUNT=2;UNTIL=20300101",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=WEEKLY;BYMONTHDAY=3",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;UNTIL=20301399",
        "FREQ=DAILY;BYDAY=XX",
        "FREQ=DAILY;",
        "",
        "FREQ=DAILY;" + "BYDAY=MO;" * 30,
    ],
)
def test_rules_outside_the_subset_are_refused(rule: str) -> None:
    with pytest.raises(ValueError, match="rule"):
        canonical_rule(rule)


@pytest.mark.parametrize("name", ["Europe", "America", "right/Europe/Berlin", "posixrules"])
def test_a_zone_is_one_of_the_databases_zones_not_a_folder_or_a_variant(name: str) -> None:
    with pytest.raises(ValueError, match="IANA time zone"):
        check_time_zone(name)


@pytest.mark.parametrize("until", ["99991231T235959Z", "19691231", "30000101"])
def test_an_until_is_within_the_years_a_due_may_be(until: str) -> None:
    with pytest.raises(ValueError, match="UNTIL must be in the years"):
        canonical_rule(f"FREQ=DAILY;UNTIL={until}")

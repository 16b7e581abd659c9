"""Rolling a recurring task forward, against python-dateutil's own expansion of the same rule:
completing a task again and again walks exactly the series dateutil lists (in the wall time
of the task's zone, across daylight saving), COUNT and UNTIL end it, missed occurrences are
skipped (and counted), and a series restarted from completion follows the completion."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given
from hypothesis import strategies as st

from todo_adapters.occurrences import DateutilOccurrences
from todo_core.planning import Recurrence, canonical_rule
from todo_core.recurring import Schedule, occurs_after_due, rolled

OCCURRENCES = DateutilOccurrences()
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # completions before every due: nothing skipped

rules = st.builds(
    lambda freq, interval, byday: ";".join(
        [f"FREQ={freq}", f"INTERVAL={interval}", *([f"BYDAY={byday}"] if byday else [])]
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 4),
    st.sampled_from([None, "MO", "TU,TH", "SA,SU"]),
)
days = st.dates(date(2024, 1, 1), date(2030, 12, 31))
clock = st.times().map(lambda t: t.replace(microsecond=0, second=0))


def series(rule: str, start: datetime, count: int) -> list[datetime]:
    """dateutil's first `count` occurrences after `start` (the rule's own, `start` excluded)."""
    expanded = rrulestr(rule, dtstart=start)
    return [o for o in expanded.xafter(start, count=count + 1) if o > start][:count]


@given(rules, days, st.sampled_from(ZONES))
def test_all_day_dues_walk_dateutils_series(rule: str, due: date, zone: str) -> None:
    schedule = Schedule(due_date=due, time_zone=zone, recurrence=Recurrence(rule))
    expected = series(rule, datetime.combine(due, time()), 6)
    walked = []
    for _ in expected:
        after = rolled(schedule, LONG_AGO, OCCURRENCES)
        assert after is not None
        walked.append(datetime.combine(after.due_date or date.min, time()))
        schedule = after
    assert walked == expected


@given(rules, days, clock, st.sampled_from(ZONES))
def test_timed_dues_keep_their_wall_time_across_daylight_saving(
    rule: str, day: date, at: time, zone: str
) -> None:
    local = datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone))
    schedule = Schedule(due_at=local.astimezone(UTC), time_zone=zone, recurrence=Recurrence(rule))
    start = schedule.due_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)  # type: ignore[union-attr]
    for expected in series(rule, start, 5):
        after = rolled(schedule, LONG_AGO, OCCURRENCES)
        assert after is not None
        assert after.due_at is not None
        assert after.due_at.tzinfo is UTC
        wall = expected.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        assert after.due_at == wall
        schedule = after


@given(rules, days, st.integers(1, 6))
def test_count_ends_the_series_as_dateutil_counts_it(rule: str, due: date, count: int) -> None:
    counted = canonical_rule(f"{rule};COUNT={count}")
    schedule = Schedule(due_date=due, recurrence=Recurrence(counted))
    dues = []
    while (after := rolled(schedule, LONG_AGO, OCCURRENCES)) is not None:
        assert after.due_date is not None
        dues.append(datetime.combine(after.due_date, time()))
        schedule = after
    expected = list(rrulestr(counted, dtstart=datetime.combine(due, time())))
    assert dues == [o for o in expected if o.date() > due]  # then it completes for good
    assert schedule.recurrence is not None
    assert schedule.recurrence.rule == counted  # the rule as the user gave it


@pytest.mark.parametrize("rule", ["FREQ=DAILY;UNTIL=20260103", "FREQ=DAILY;UNTIL=20260103T225959Z"])
def test_until_ends_the_series_on_its_day_in_the_tasks_zone(rule: str) -> None:
    """A date UNTIL keeps its whole day; one at 23:59:59 in Berlin (22:59:59Z) too."""
    schedule = Schedule(date(2026, 1, 1), time_zone="Europe/Berlin", recurrence=Recurrence(rule))
    first = rolled(schedule, LONG_AGO, OCCURRENCES)
    assert first is not None
    assert first.due_date == date(2026, 1, 2)
    second = rolled(first, LONG_AGO, OCCURRENCES)
    assert second is not None
    assert second.due_date == date(2026, 1, 3)
    assert second.recurrence is not None
    assert second.recurrence.rule == rule  # the rule as the user gave it
    assert rolled(second, LONG_AGO, OCCURRENCES) is None


def test_missed_occurrences_are_skipped_and_counted() -> None:
    """Completed on the 10th, a daily task due on the 1st comes back due on the 10th (today
    is not in the past), and the eight days missed are used up from its COUNT: ten more
    dues, up to the 20th, then it completes."""
    schedule = Schedule(date(2026, 3, 1), recurrence=Recurrence("FREQ=DAILY;COUNT=20"))
    after = rolled(schedule, datetime(2026, 3, 10, 18, tzinfo=UTC), OCCURRENCES)
    assert after is not None
    assert after.due_date == date(2026, 3, 10)
    dues = []
    while (after := rolled(after, LONG_AGO, OCCURRENCES)) is not None:
        dues.append(after.due_date)
    assert dues == [date(2026, 3, day) for day in range(11, 21)]


def test_a_wall_time_a_spring_forward_night_skips_comes_back_the_day_after() -> None:
    """02:30 does not exist in New York on 2026-03-08: that due is 03:30, and the next is
    02:30 again (the series keeps its anchor, not the moved time)."""
    zone = ZoneInfo("America/New_York")
    due = datetime(2026, 3, 7, 2, 30, tzinfo=zone).astimezone(UTC)
    schedule = Schedule(due_at=due, time_zone=zone.key, recurrence=Recurrence("FREQ=DAILY"))
    walls = []
    for _ in range(3):
        after = rolled(schedule, LONG_AGO, OCCURRENCES)
        assert after is not None
        assert after.due_at is not None
        walls.append(after.due_at.astimezone(zone).strftime("%d %H:%M"))
        schedule = after
    assert walls == ["08 03:30", "09 02:30", "10 02:30"]


def test_a_timed_due_skips_to_the_first_occurrence_still_ahead() -> None:
    due = datetime(2026, 3, 1, 8, tzinfo=UTC)  # 09:00 in Berlin
    schedule = Schedule(due_at=due, time_zone="Europe/Berlin", recurrence=Recurrence("FREQ=DAILY"))
    after = rolled(schedule, datetime(2026, 3, 10, 9, tzinfo=UTC), OCCURRENCES)  # 10:00 there
    assert after is not None
    assert after.due_at == datetime(2026, 3, 11, 8, tzinfo=UTC)


@given(days, st.integers(0, 40), st.integers(1, 9))
def test_from_completion_the_series_restarts_at_the_completion(
    due: date, late: int, every: int
) -> None:
    schedule = Schedule(due, recurrence=Recurrence(f"FREQ=DAILY;INTERVAL={every}", "completion"))
    completed = datetime.combine(due + timedelta(days=late), time(15), tzinfo=UTC)
    after = rolled(schedule, completed, OCCURRENCES)
    assert after is not None
    assert after.due_date == completed.date() + timedelta(days=every)


def test_the_reminder_keeps_its_wall_time_distance_from_the_due() -> None:
    """Due 09:00, reminded 08:30 the same morning in New York; across the change to summer
    time both stay at those wall times (so the instants move by 23 hours, not 24)."""
    zone = ZoneInfo("America/New_York")
    due = datetime(2026, 3, 7, 9, tzinfo=zone).astimezone(UTC)
    remind = datetime(2026, 3, 7, 8, 30, tzinfo=zone).astimezone(UTC)
    schedule = Schedule(
        due_at=due, time_zone=zone.key, recurrence=Recurrence("FREQ=DAILY"), remind_at=remind
    )
    after = rolled(schedule, LONG_AGO, OCCURRENCES)
    assert after is not None
    assert after.due_at is not None
    assert after.remind_at is not None
    assert after.due_at.astimezone(zone) == datetime(2026, 3, 8, 9, tzinfo=zone)
    assert after.remind_at.astimezone(zone) == datetime(2026, 3, 8, 8, 30, tzinfo=zone)
    assert after.due_at - due == timedelta(hours=23)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTHDAY=31;BYDAY=MO;UNTIL=20260101",
        "FREQ=DAILY;UNTIL=20250101",
        "FREQ=DAILY;COUNT=1",
        "FREQ=DAILY;INTERVAL=7;BYDAY=WE",  # every 7 days from a Monday: never a Wednesday
        "FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3",
    ],
)
def test_a_rule_with_no_occurrence_after_the_due_is_told(rule: str) -> None:
    """2026-06-01 is a Monday."""
    schedule = Schedule(date(2026, 6, 1), recurrence=Recurrence(rule))
    assert not occurs_after_due(schedule, OCCURRENCES)
    assert occurs_after_due(
        Schedule(date(2026, 6, 1), recurrence=Recurrence("FREQ=DAILY")), OCCURRENCES
    )


def test_a_series_restarted_from_completion_keeps_its_time_of_day_too() -> None:
    zone = ZoneInfo("America/New_York")
    due = datetime(2026, 3, 7, 2, 30, tzinfo=zone).astimezone(UTC)
    restarts = Recurrence("FREQ=DAILY", "completion")
    schedule = Schedule(due_at=due, time_zone=zone.key, recurrence=restarts)
    walls = []
    for day in (7, 8):
        completed = datetime(2026, 3, day, 20, tzinfo=zone)
        after = rolled(schedule, completed, OCCURRENCES)
        assert after is not None
        assert after.due_at is not None
        walls.append(after.due_at.astimezone(zone).strftime("%d %H:%M"))
        schedule = after
    assert walls == ["08 03:30", "09 02:30"]

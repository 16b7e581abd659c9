"""What a store keeps beside a task's fields for filters and orders to compare: its tags
folded, the day it is due in its zone, the instant it counts from, and the instant an open task
becomes overdue. Derived here, by the domain, so that every store compares the same values
(a database's own case folding or zone arithmetic would differ between them)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from todo_core.planning import zone_of


def tag_keys(tags: tuple[str, ...] | list[str]) -> list[str]:
    """The tags as filters and counts compare them: case-folded (`Work` is `work`; `Straße`
    is `STRASSE`), the same in every store because the domain folds them, not the database."""
    return [tag.casefold() for tag in tags]


def due_day(due_date: date | None, due_at: datetime | None, time_zone: str | None) -> date | None:
    """The day a task is due, in the zone it is planned in: what a date filter compares."""
    if due_at is None:
        return due_date
    return due_at.astimezone(zone_of(time_zone)).date()


def due_start(
    due_date: date | None, due_at: datetime | None, time_zone: str | None
) -> datetime | None:
    """When a task is due, as an instant: a day counts from its start in the task's zone.
    What the `due` order and an instant's filters compare."""
    if due_date is None:
        return due_at
    return _start_of(due_date, time_zone)


def overdue_from(
    due_date: date | None, due_at: datetime | None, time_zone: str | None
) -> datetime | None:
    """The instant an open task becomes overdue: its due moment, or the end of its due day
    in its zone (a task due today is not overdue until tomorrow there)."""
    if due_date is None:
        return due_at
    return _start_of(due_date + timedelta(days=1), time_zone)


def _start_of(day: date, time_zone: str | None) -> datetime:
    return datetime.combine(day, time(), zone_of(time_zone)).astimezone(UTC)

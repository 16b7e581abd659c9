"""A clock for services under test: it shows the moment the test sets, so that what depends
on now (which occurrence a roll picks, what is overdue) is the test's to choose."""

from __future__ import annotations

from datetime import datetime, timedelta


class SetClock:
    """Stands still at `now` until the test moves it (`at`, `advance`): every call in
    between, from any thread, sees that same moment."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, now: datetime) -> None:
        self.now = now

    def advance(self, by: timedelta) -> datetime:
        self.now += by
        return self.now

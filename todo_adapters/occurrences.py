"""The recurrence port (`todo_core.recurring.Occurrences`) on python-dateutil's RRULE
expansion: the domain never expands a rule by hand."""

from __future__ import annotations

from datetime import datetime

from dateutil.rrule import rrule, rrulestr


class DateutilOccurrences:
    def following(
        self, rule: str, start: datetime, moment: datetime
    ) -> tuple[datetime, int] | None:
        series = rrulestr(rule, dtstart=start)
        assert isinstance(series, rrule)  # one RRULE, no RDATE or EXDATE: the subset's
        found = series.after(max(start, moment))
        if found is None:
            return None
        return found, len(series.between(start, found))

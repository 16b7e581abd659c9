"""The recurrence port (`todo_core.ports_async.Occurrences`) on python-dateutil's RRULE
expansion: the domain never expands a rule by hand."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from todo_core.planning import rule_of, rule_parts

# How far a rule is searched for its next occurrence: dateutil walks to year 9999 for one
# that never occurs (a Monday every 7 days from a Tuesday), a second of CPU per request.
HORIZON = relativedelta(years=100)
_WALL = "%Y%m%dT%H%M%S"


class DateutilOccurrences:
    def following(self, rule: str, start: datetime, moment: datetime) -> datetime | None:
        parts = rule_parts(rule)
        count = parts.pop("COUNT", None)
        horizon = max(start, moment) + HORIZON
        until = parts.pop("UNTIL", None)
        last = horizon if until is None else min(datetime.strptime(until, _WALL), horizon)
        bounded = rule_of({**parts, "UNTIL": f"{last:{_WALL}}"})
        series = rrulestr(bounded, dtstart=start)
        assert isinstance(series, rrule)  # one RRULE, no RDATE or EXDATE: the subset's
        found: datetime | None = series.after(moment)
        if found is None or count is None:
            return found
        # The COUNT-th occurrence is the last: `start` is the first when the rule has it.
        return found if len(series.between(start, found, inc=True)) <= int(count) else None

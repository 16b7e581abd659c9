"""Examples of request bodies for the document (`bodies.documented`): what a reader copies
first, so each is valid whenever it is sent (a test sends each)."""

from __future__ import annotations

from typing import Any

CREATE_EXAMPLES: dict[str, Any] = {
    "seed": {
        "summary": "The seed's body: a title, a description",
        "value": {"title": "Buy milk", "description": "2 litres"},
    },
    "planned": {
        "summary": "Every field: weekly on Mondays at 09:00 in Berlin, reminded at 08:30",
        "value": {
            "title": "Water the plants",
            "description": "The ones on the balcony too",
            "completed": False,
            "priority": "high",
            "tags": ["home", "weekly"],
            "due_at": "2030-06-03T09:00:00+02:00",
            "time_zone": "Europe/Berlin",
            "recurrence": {"rule": "FREQ=WEEKLY;BYDAY=MO", "from": "due"},
            "remind_at": "2030-06-03T08:30:00+02:00",
        },
    },
    "all_day": {
        "summary": "Due on a day, every month on the 1st, twelve times",
        "value": {
            "title": "Pay the rent",
            "due_date": "2030-07-01",
            "recurrence": {"rule": "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12"},
        },
    },
}
UPDATE_EXAMPLES: dict[str, Any] = {
    "reprioritise": {
        "summary": "Change a few fields, keep the others",
        "value": {"priority": "low", "tags": ["later"]},
    },
    "unplan": {
        "summary": "No due and no recurrence any more (null clears)",
        "value": {"due_date": None, "due_at": None, "recurrence": None, "remind_at": None},
    },
}

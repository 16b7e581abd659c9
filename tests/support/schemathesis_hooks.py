"""Schemathesis hooks, for both schemathesis tests (in-process by import, the CLI through
SCHEMATHESIS_HOOKS).

Hypothesis draws the same short strings again and again ("0", "A"), so two generated writes
often carry the same Idempotency-Key with different bodies, which the API rightly refuses
(422 idempotency_key_reused). A schema cannot say "a key you have not used"; a valid key is
made unique per call instead. Invalid keys are left as drawn, so negative data stays negative.

A schema cannot say either that a task has one due, that a recurrence needs one, or which
RRULEs occur again after it (the document says so in words): a valid body keeps one due, and
a recurrence gets a due and a rule that always occurs again (`_planned_as_documented`).
"""

from __future__ import annotations

import itertools
from typing import Any

import schemathesis

from todo_core.errors import InvalidIdempotencyKey
from todo_core.idempotency import check_key

_calls = itertools.count()


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Left alone: a coverage case that leaves out a required header on purpose (schemathesis
    re-derives an edited case's metadata, and then sends the CLI's Authorization with it)."""
    scenario = getattr(getattr(getattr(case.meta, "phase", None), "data", None), "scenario", None)
    if scenario is not None and "missing" in str(scenario).lower():
        return
    _planned_as_documented(case)
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if key is None:
        return
    try:
        check_key(key)
    except InvalidIdempotencyKey:
        return
    headers["Idempotency-Key"] = f"{key[:200]}~{next(_calls)}"


# Rules that occur again after any due the document allows (years 1970 to 2999).
_RULES = ("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3")


def _planned_as_documented(case: Any) -> None:
    """A schema-valid task body made to follow the rules the document states only in words."""
    mode = getattr(getattr(getattr(case.meta, "generation", None), "mode", None), "is_positive", 0)
    body = case.body
    if not mode or not isinstance(body, dict):
        return
    if body.get("due_date") is not None and body.get("due_at") is not None:
        del body["due_at"]
    recurrence = body.get("recurrence")
    if isinstance(recurrence, dict):
        recurrence["rule"] = _RULES[len(str(recurrence.get("rule"))) % len(_RULES)]
        if body.get("due_date") is None and body.get("due_at") is None:
            body["due_date"] = "2030-01-01"

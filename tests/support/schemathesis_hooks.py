"""Schemathesis hooks, for both schemathesis tests (in-process by import, the CLI through
SCHEMATHESIS_HOOKS).

Hypothesis draws the same short strings again and again ("0", "A"), so two generated writes
often carry the same Idempotency-Key with different bodies, which the API rightly refuses
(422 idempotency_key_reused). A schema cannot say "a key you have not used"; a valid key is
made unique per call instead. Invalid keys are left as drawn, so negative data stays negative.
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
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if key is None:
        return
    try:
        check_key(key)
    except InvalidIdempotencyKey:
        return
    headers["Idempotency-Key"] = f"{key[:200]}~{next(_calls)}"

"""Waiting for a database at start-up: a suspended Neon compute wakes in a few hundred
milliseconds, a restarting one takes seconds. One policy for the sync engine and the async
pool: exponential backoff with full jitter, each attempt logged with the error's type only,
StorageUnavailable once time is up. A refusal no wait can cure (`refusals`) is not retried:
StorageRefused at once, with the database's own reason."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import tenacity

from todo_adapters.sql.refusals import refusal
from todo_core.errors import StorageRefused, StorageUnavailable

log = logging.getLogger(__name__)

Errors = tuple[type[BaseException], ...]


def _policy(timeout_seconds: float, errors: Errors) -> dict[str, Any]:
    def retrying(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0
        log.warning(
            "database not reachable (attempt %d: %s); retrying in %.1f s",
            state.attempt_number,
            type(error).__name__,
            pause,
        )

    return {
        "stop": tenacity.stop_after_delay(timeout_seconds),
        "wait": tenacity.wait_random_exponential(multiplier=0.25, max=5),
        "retry": tenacity.retry_if_exception(
            lambda error: isinstance(error, errors) and refusal(error) is None
        ),
        "before_sleep": retrying,
    }


def _gave_up(failed: tenacity.RetryError, timeout_seconds: float) -> StorageUnavailable:
    tries = failed.last_attempt.attempt_number
    return StorageUnavailable(
        f"database not reachable after {tries} attempts in {timeout_seconds:g} s"
    )


def _refused(error: BaseException) -> StorageRefused:
    return StorageRefused(f"the database refuses us: {refusal(error)} (check DATABASE_URL)")


def wait_until_reachable(
    ping: Callable[[], object], timeout_seconds: float, errors: Errors
) -> None:
    """Call `ping` until it stops raising one of `errors`."""
    try:
        for attempt in tenacity.Retrying(**_policy(timeout_seconds, errors)):
            with attempt:
                ping()
    except tenacity.RetryError as failed:
        raise _gave_up(failed, timeout_seconds) from None
    except errors as refused:  # only a refusal escapes the retries
        raise _refused(refused) from None


async def wait_until_reachable_async(
    ping: Callable[[], Awaitable[object]], timeout_seconds: float, errors: Errors
) -> None:
    """Await `ping` until it stops raising one of `errors`."""
    try:
        async for attempt in tenacity.AsyncRetrying(**_policy(timeout_seconds, errors)):
            with attempt:
                await ping()
    except tenacity.RetryError as failed:
        raise _gave_up(failed, timeout_seconds) from None
    except errors as refused:  # only a refusal escapes the retries
        raise _refused(refused) from None

"""What a refused token gets: an RFC 6750 challenge for the client, a line for the operator."""

from __future__ import annotations

import logging

from todo_core.errors import InvalidToken

token_log = logging.getLogger("todo_api.tokens")


def challenge(code: str, detail: str) -> dict[str, str]:
    """RFC 6750's WWW-Authenticate: no error code when no token was sent, else invalid_token
    with our detail as its description (the body's `code` tells expired from the rest)."""
    value = 'Bearer realm="todo"'
    if code != "token_missing":
        value += f', error="invalid_token", error_description="{detail}"'
    return {"WWW-Authenticate": value}


def log_refusal(error: InvalidToken) -> None:
    """One line per refused token: which check refused it, never any of the token."""
    note = f" ({error.note})" if error.note else ""
    token_log.info("token refused: %s%s", error.why, note, extra={"token_problem": error.why})

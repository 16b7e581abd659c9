"""Connection errors that trying again cannot cure: a database or a role that does not exist,
a wrong password, no pg_hba.conf entry, an SSL or connection setting the server or libpq
will not take. Waiting 30 s for one of these, and then saying only "not reachable", hid the
one line the operator needed: libpq's own message.

libpq gives these no SQLSTATE (psycopg's `sqlstate` is None before a session exists), so they
are told by their message. Its text names hosts, users and databases, never a password.
"""

from __future__ import annotations

import re

_INCURABLE = re.compile(
    "|".join(
        [
            r'database "[^"]*" does not exist',
            r'role "[^"]*" does not exist',
            r"password authentication failed",
            r"no pg_hba\.conf entry",
            r"SSL was required",
            r"SSL is not enabled on the server",
            r"certificate verify failed",
            r"invalid sslmode value",
            r"invalid connection option",
            r"invalid (?:integer|URI|port)",
            r"(?i:endpoint (?:id )?(?:does not exist|could not be found|is disabled))",  # Neon
        ]
    )
)
_PREFIX = re.compile(r"^.*(?:FATAL:|ERROR:|failed:|connection is bad:)\s*")  # to the last


def refusal(error: BaseException) -> str | None:
    """libpq's reason, when `error` is a refusal trying again cannot cure; None otherwise (a
    refused or timed-out connection, a server starting up: those may pass)."""
    cause = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's error
    text = str(cause).strip()
    if not _INCURABLE.search(text):
        return None
    line = next(line for line in text.splitlines() if _INCURABLE.search(line))
    return _PREFIX.sub("", line).strip()

"""What a failed database call means for its caller: it did not happen, or it may have."""

from __future__ import annotations

import psycopg

from todo_core.errors import StorageTimeout, StorageUnavailable


def failure(error: BaseException) -> StorageUnavailable | StorageTimeout:
    """The domain's error for a driver error raised once a statement was sent.

    The server refusing the statement (an error with a SQLSTATE: a timeout, a shutdown, a
    terminated session) means it did not happen; a connection that died with no word from the
    server means it may have (a commit whose answer was lost looks exactly like that). Errors
    raised before anything was sent (a connection already closed, SQLite's locks) did not.
    """
    if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:
        return StorageTimeout(f"connection lost mid-statement ({type(error).__name__})")
    return StorageUnavailable(type(error).__name__)


class DuplicateKey(Exception):
    """A row whose unique key is taken (for a keyed write: the key was kept meanwhile, or an
    expired one is still on record). The statement did nothing."""

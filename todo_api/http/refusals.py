"""What the HTTP layer refuses on its own account (the domain's refusals are todo_core's
errors); `problems` gives each its status and code."""

from __future__ import annotations

from todo_core.errors import InvalidToken


class ForeignUser(Exception):
    """The URL names a user other than the token's."""


class MissingToken(InvalidToken):
    """No bearer credentials at all (RFC 6750: the challenge then carries no error code)."""

    def __init__(self) -> None:
        super().__init__("Not authenticated: send Authorization: Bearer <token>")


class InvalidTicket(InvalidToken):
    """A stream ticket used before, expired, unknown, or another user's."""

    def __init__(self) -> None:
        super().__init__("The stream ticket is used, expired or not this user's: ask again")


class ConflictingParameters(Exception):
    """Query parameters that each are valid but do not go together (a sync takes no other)."""


class InvalidStreamCursor(Exception):
    """A change stream's `since` (or `Last-Event-ID`) that no stream or sync of this user
    handed out."""


class ShuttingDown(Exception):
    """This replica is draining: a balancer should send elsewhere (requests still work)."""


class TokenTooLarge(Exception):
    """An Authorization header longer than any real token. Not a 401: the token may be
    genuine (a huge user id), and a page that reads 401 signs its user out."""

"""Whether a transaction pooler stands between us and PostgreSQL, asked of the server itself.

A host name tells only for Neon (`-pooler`); PgBouncer anywhere else looks like PostgreSQL.
What gives it away is a session: the first connection carries a harmless startup option (a
custom setting, `todo.direct`). PostgreSQL applies it; PgBouncer refuses startup options
("unsupported startup parameter", 1.18 and others) or, configured to ignore them, drops it.
Behind a pooler two session-level conveniences are off: the statement timeout as a startup
option (refused) and protocol-level prepared statements (PgBouncer before 1.21 does not track
them, so the next transaction may land on a server that never saw them).
"""

from __future__ import annotations

from typing import Any, Literal

import psycopg

from todo_adapters.sql.urls import is_pooler

Route = Literal["direct", "neon-pooler", "pooler"]

_SETTING = "todo.direct"
_PROBE = {"options": f"-c {_SETTING}=on"}
_ASK = f"SELECT current_setting('{_SETTING}', true)"
_REFUSED = "unsupported startup parameter"


def known_route(url: str, libpq_options_given: bool) -> Route | None:
    """The route when the URL tells (Neon's pooled host), or when it cannot be asked (the URL
    sets `options` itself, which the probe would replace); None: ask the server."""
    if is_pooler(url):
        return "neon-pooler"
    if libpq_options_given:
        return "direct"
    return None


def route_from(session_kept: bool) -> Route:
    return "direct" if session_kept else "pooler"


def ask(conninfo: str, arguments: dict[str, Any]) -> Route:
    """Connect once with the probe option; raises what connecting raises, but a refusal of
    the option means a pooler."""
    try:
        with psycopg.connect(conninfo, **{**arguments, **_PROBE}) as connection:
            row = connection.execute(_ASK).fetchone()
    except psycopg.OperationalError as error:
        if _REFUSED in str(error):
            return "pooler"
        raise
    return route_from(row is not None and row[0] == "on")


async def ask_async(conninfo: str, arguments: dict[str, Any]) -> Route:
    """`ask`, on the event loop."""
    try:
        async with await psycopg.AsyncConnection.connect(
            conninfo, **{**arguments, **_PROBE}
        ) as connection:
            row = await (await connection.execute(_ASK)).fetchone()
    except psycopg.OperationalError as error:
        if _REFUSED in str(error):
            return "pooler"
        raise
    return route_from(row is not None and row[0] == "on")

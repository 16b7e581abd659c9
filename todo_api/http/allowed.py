"""The `Allow` header of a 405: every method the path serves."""

from __future__ import annotations

from fastapi import Request
from starlette.routing import Match


def allowed_methods(request: Request) -> list[str]:
    """Every method the path serves (RFC 9110 15.5.6). Starlette's own 405 names only the
    first route that matched the path, and FastAPI has one route per method. Each method
    is tried against the routing table, so included routers count as they route."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


_METHODS = ("DELETE", "GET", "PATCH", "POST", "PUT")

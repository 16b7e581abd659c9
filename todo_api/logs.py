"""Log output: JSON lines in production (text otherwise), each carrying its request's id.

Nothing here logs request bodies, headers, tokens or connection strings; the adapters log only
error types and hosts, never messages that could carry a password.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served (worker threads inherit
    it: anyio copies the context into them), or '-' outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


def logging_config(as_json: bool, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the whole process, uvicorn's loggers included (its
    own access log is off: `todo_api.access` writes one line per request instead)."""
    if as_json:
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "filters": {"request_id": {"()": "todo_api.logs.RequestIdFilter"}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # Alembic narrates every context it opens; todo_adapters.sql.migrations says the result.
            "alembic": {"level": "WARNING"},
            # psycopg's pool warns at every failed connection attempt (with the host); during an
            # outage that is one per request. todo_adapters.sql.pool says it once, and again
            # when the database is back.
            "psycopg.pool": {"level": "ERROR"},
        },
    }

"""Log output: JSON lines in production (text otherwise), each carrying its request's id.

Nothing here logs request bodies, headers, tokens or connection strings; the adapters log only
error types and hosts, never messages that could carry a password.
"""

from __future__ import annotations

import logging
import logging.config
import sys
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served (worker threads inherit
    it: anyio copies the context into them), or '-' outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class ReportedStartFailure(logging.Filter):
    """uvicorn logs the whole traceback of a start-up that failed. When the cause is one of
    ours (a TodoError: a database that refuses us, one never reached), the lifespan has
    already said why in one line (`cannot start: ...`): the traceback would only bury it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        traceback_of_ours = message.startswith("Traceback") and "todo_core.errors." in message
        return not (record.name == "uvicorn.error" and traceback_of_ours)


def configure_unless_configured(as_json: bool, level: str = "INFO") -> None:
    """The process's logging, unless someone configured it already. `todo-api serve` does,
    before the app starts; plain `uvicorn todo_api.main:app` and gunicorn leave the root
    logger bare, so the app does it at start: the ready line, JSON lines in production and
    the access log with request ids are the same however the app is run. Either way, when
    the configuration in force is ours, records are made lean (`_lean_records`)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.config.dictConfig(logging_config(as_json, level))
    if all(_prints_none_of_them(handler) for handler in _every_handler()):
        _lean_records()


def _every_handler() -> list[logging.Handler]:
    """The handlers of every logger there is: a server's own (gunicorn's prints the process)
    count as much as the root's."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    return [h for logger in loggers if isinstance(logger, logging.Logger) for h in logger.handlers]


def _prints_none_of_them(handler: logging.Handler) -> bool:
    """Ours (whose formats print no caller, thread or process), or one that prints nothing
    (the NullHandler a library puts on its logger)."""
    ours = any(isinstance(f, RequestIdFilter) for f in handler.filters)
    return ours or isinstance(handler, logging.NullHandler)


def _lean_records() -> None:
    """Our formats print no caller, thread or process, so a record need not look them up
    (the logging HOWTO's "Optimization" knobs): every access-log line walked the stack for
    its caller. A test configuration (pytest's capturing handler) keeps them."""
    logging._srcfile = None  # the HOWTO's own spelling
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    if sys.version_info >= (3, 12):
        logging.logAsyncioTasks = False


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
        "filters": {
            "request_id": {"()": "todo_api.logs.RequestIdFilter"},
            "reported": {"()": "todo_api.logs.ReportedStartFailure"},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["request_id", "reported"],
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

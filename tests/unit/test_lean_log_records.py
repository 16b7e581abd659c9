"""Log records skip the caller, thread and process lookups only when the configuration in
force is ours (whose formats print none of them); anyone else's keeps them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from todo_api.logs import configure_unless_configured

KNOBS = ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing")


@pytest.fixture
def bare_root() -> Iterator[logging.Logger]:
    """The root logger, to be emptied by the test itself (pytest adds its capturing handler
    after fixtures are set up), and its handlers and logging's globals restored after. Other
    loggers' handlers are set aside meanwhile: a library used by an earlier test may have
    left one (redis-py's pub/sub puts a stream handler on its `push_response` logger)."""
    root = logging.getLogger()
    handlers, knobs = root.handlers[:], {k: getattr(logging, k) for k in KNOBS}
    others = {
        logger: logger.handlers[:]
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.handlers
    }
    for logger in others:
        logger.handlers.clear()
    yield root
    root.handlers[:] = handlers
    for logger, kept in others.items():
        logger.handlers[:] = kept
    for knob, value in knobs.items():
        setattr(logging, knob, value)


def test_our_configuration_makes_records_lean(bare_root: logging.Logger) -> None:
    bare_root.handlers.clear()
    configure_unless_configured(as_json=True)
    record = logging.getLogger("todo_api.access").makeRecord(
        "todo_api.access", logging.INFO, "x.py", 1, "m", None, None
    )
    assert logging._srcfile is None
    assert record.thread is None
    assert record.process is None
    bare_root.handlers.clear()


def test_someone_elses_configuration_keeps_caller_thread_and_process(
    bare_root: logging.Logger,
) -> None:
    bare_root.handlers[:] = [logging.StreamHandler(io.StringIO())]
    configure_unless_configured(as_json=True)
    assert logging._srcfile is not None
    assert logging.logThreads
    assert logging.logProcesses


def test_a_servers_own_handler_keeps_them_too(bare_root: logging.Logger) -> None:
    """Gunicorn leaves the root bare (we configure it) but prints `[%(process)d]` through its
    own logger's handler."""
    bare_root.handlers.clear()
    server = logging.getLogger("gunicorn.error")
    server.addHandler(logging.StreamHandler(io.StringIO()))
    logging.getLogger("some.library").addHandler(logging.NullHandler())
    try:
        configure_unless_configured(as_json=False)
        assert logging._srcfile is not None
        assert logging.logProcesses
    finally:
        server.handlers.clear()
        logging.getLogger("some.library").handlers.clear()

"""Error responses: one table from exception to HTTP status, rendered as RFC 9457 problems.

Bodies carry a human `detail` and a stable `code`; they never echo the request's input (which
may be huge, or a secret) and never reveal internals.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from todo_api.http.allowed import allowed_methods
from todo_api.http.challenges import challenge, log_refusal
from todo_api.http.refusals import (
    ConflictingParameters,
    ForeignUser,
    InvalidStreamCursor,
    MissingToken,
    ShuttingDown,
    TokenTooLarge,
)
from todo_api.http.versions import BadPrecondition
from todo_api.rate_limits.charging import RateLimited
from todo_core.errors import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    InvalidCursor,
    InvalidIdempotencyKey,
    InvalidQuery,
    InvalidSyncCursor,
    InvalidTask,
    InvalidToken,
    StaleTask,
    StorageTimeout,
    StorageUnavailable,
    SyncExpired,
    TaskBusy,
    TaskLimitReached,
    TaskNotFound,
    TokenCheckUnavailable,
    TokenExpired,
)

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = "2"


class FieldProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None


# exception -> (status, code, detail); detail None means "use the exception's own message"
STATUS_OF: dict[type[Exception], tuple[int, str, str | None]] = {
    MissingToken: (401, "token_missing", None),
    TokenExpired: (401, "token_expired", "The token has expired; get a fresh one and retry"),
    InvalidToken: (401, "invalid_token", None),
    ForeignUser: (403, "forbidden", "Access denied"),
    TaskNotFound: (404, "task_not_found", "Task not found"),
    TaskLimitReached: (409, "task_limit_reached", None),
    InvalidTask: (422, "invalid_task", "Invalid task"),
    InvalidCursor: (
        400,
        "invalid_cursor",
        "The cursor is not from a page of this list with these parameters; start again",
    ),
    InvalidSyncCursor: (
        400,
        "invalid_cursor",
        "changed_since is not 0 or a cursor from a sync of this list; sync again from 0",
    ),
    InvalidStreamCursor: (
        400,
        "invalid_cursor",
        "since (or Last-Event-ID) is not a cursor from this user's changes; connect without it",
    ),
    SyncExpired: (
        410,
        "sync_expired",
        "The sync cursor is older than the deletions kept on record; sync again from 0",
    ),
    InvalidQuery: (422, "invalid_query", "The list parameters are not valid"),
    ConflictingParameters: (400, "conflicting_parameters", None),
    InvalidIdempotencyKey: (400, "invalid_idempotency_key", None),
    IdempotencyKeyReused: (422, "idempotency_key_reused", None),
    IdempotencyKeyInUse: (
        409,
        "idempotency_key_in_use",
        "The first request with this idempotency key is still running; retry shortly",
    ),
    TaskBusy: (409, "task_busy", "Other requests kept changing the task meanwhile; retry shortly"),
    BadPrecondition: (400, "invalid_precondition", "If-Match takes one entity tag, or *"),
    StaleTask: (
        412,
        "task_changed",
        "The task has changed since the ETag in If-Match: nothing was changed; read it again",
    ),
    StorageUnavailable: (503, "storage_unavailable", "The task store is unavailable; retry"),
    StorageTimeout: (
        503,
        "storage_timeout",
        "The task store did not answer in time; the change may or may not have been made",
    ),
    TokenCheckUnavailable: (503, "auth_unavailable", "Tokens cannot be checked right now; retry"),
    ShuttingDown: (503, "shutting_down", "This instance is stopping; send requests elsewhere"),
    RateLimited: (429, "rate_limited", None),
    TokenTooLarge: (
        431,
        "token_too_large",
        "The Authorization header is longer than any token this API accepts",
    ),
}


_ECHO_LIMIT = 64  # characters of a client-chosen name (a JSON key) an error may repeat


def problem(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    headers = headers or {}
    if status == 503:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    body.update(detail=detail, code=code, **extra)
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_TYPE)


async def _mapped(_: Request, error: Exception) -> JSONResponse:
    status, code, detail = next(STATUS_OF[k] for k in type(error).__mro__ if k in STATUS_OF)
    detail = detail or str(error)
    headers = None
    if isinstance(error, InvalidToken):
        headers = challenge(code, detail)
        if not isinstance(error, MissingToken):
            log_refusal(error)
    if isinstance(error, IdempotencyKeyInUse | TaskBusy):
        headers = {"Retry-After": "1"}
    if isinstance(error, RateLimited):
        headers = error.headers
    if status == 503:  # the cause's type only: driver messages may name hosts and users
        log.warning("%s: %s", code, type(error.__cause__ or error).__name__)
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidTask):
        extra["errors"] = [
            {"loc": ["body", field], "msg": why, "type": "invalid"}
            for field, why in error.problems.items()
        ]
    elif isinstance(error, InvalidQuery) and not isinstance(error, InvalidCursor):
        extra["errors"] = [{"loc": ["query", error.parameter], "msg": error.why, "type": "invalid"}]
    return problem(status, code, detail, headers, **extra)


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {
            "loc": [_short(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": e.get("type", ""),
        }
        for e in error.errors()[:20]
    ]
    return problem(422, "invalid_request", "The request is not valid", errors=errors)


def _short(part: object) -> object:
    """A location part as is, unless it is a long client-chosen string (e.g. a JSON key)."""
    if isinstance(part, str) and len(part) > _ECHO_LIMIT:
        return part[:_ECHO_LIMIT] + "..."
    return part


# The codes of the framework's own answers, written out: Python's status phrases, which they
# were once derived from, change between versions (413 is "Content Too Large" from 3.13 on).
FRAMEWORK_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "content_too_large",  # RFC 9110's name
    415: "unsupported_media_type",
}


def http_problem(error: HTTPException) -> JSONResponse:
    """A framework or middleware HTTPException as a problem, keeping its headers."""
    phrase = HTTPStatus(error.status_code).phrase
    code = FRAMEWORK_CODES.get(error.status_code) or phrase.lower().replace(" ", "_")
    # Framework details are fixed sentences ("Not Found", "There was an error parsing the
    # body"), never the request's input, so they are safe and more helpful than the phrase.
    detail = error.detail if isinstance(error.detail, str) and error.detail else phrase
    response = problem(error.status_code, code, detail)
    response.headers.update(error.headers or {})
    return response


async def _http(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    response = http_problem(error)
    if error.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def install_problem_handlers(app: FastAPI) -> None:
    """Map our errors and the framework's. Anything else is a bug, answered by InternalErrors
    inside CORS and the access log (an `Exception` handler would run outside both)."""
    for error_type in STATUS_OF:
        app.add_exception_handler(error_type, _mapped)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http)

"""Entity tags and conditional requests (RFC 9110 8.8.3, 13.1): a task's tag is its version,
a list's a digest of its body."""

from __future__ import annotations

import hashlib
import re

from fastapi import Request, Response

from todo_core.tasks import Task

_STRONG_TAG = re.compile(r'"([1-9]\d{0,18})"')  # exactly as `etag_of` writes it: "03" is not "3"
NO_VERSION = 0  # what an entity tag we never sent stands for: no task is ever at version 0
VERSION_MAX = 2**63 - 1  # the column is a 64-bit integer


class BadPrecondition(Exception):
    """An If-Match the API does not take: more than one entity tag."""


def etag_of(task: Task) -> str:
    return f'"{task.version}"'


def etag_of_body(body: bytes | memoryview) -> str:
    """A digest of the body: SHA-256, which CPUs compute in hardware (faster than BLAKE2b on
    a long list: the docs' performance page); it guards no secret, so any sound hash does."""
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def expected_version(if_match: str | None) -> int | None:
    """The version a conditional write requires; None for no condition (no header, or `*`,
    which any existing task satisfies). A weak or unknown tag can match no version: the write
    is then refused (412), as RFC 9110's strong comparison says."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = [tag.strip() for tag in if_match.split(",")]
    if len(tags) != 1:
        raise BadPrecondition()
    matched = _STRONG_TAG.fullmatch(tags[0])
    version = int(matched.group(1)) if matched else NO_VERSION
    return version if version <= VERSION_MAX else NO_VERSION


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether If-None-Match names the current tag (weak comparison), or is `*`: then a GET
    answers 304."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def tagged(response: Response, etag: str, request: Request) -> Response:
    """The response with its ETag, or a 304 with only the tag when the client has it."""
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return response

"""The JSON bodies of the API's answers that carry tasks (and the tag counts), written by
msgspec.

pydantic describes these bodies (the OpenAPI document is made from the same dataclasses);
msgspec writes them, several times faster than pydantic-core on a long list (the docs'
performance page). tests/api/test_answers.py holds msgspec's bytes equal to pydantic's for
any task, so the document and the answers cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import Response

from todo_core.planned_lists import TagCount
from todo_core.syncing import Changes
from todo_core.tasks import Task

_FIELDS = tuple(Task.__dataclass_fields__)
_JSON = "application/json"
_ENCODER = msgspec.json.Encoder()


def task_response(task: Task, status_code: int = 200) -> Response:
    return Response(_ENCODER.encode(_wire(task)), status_code, media_type=_JSON)


def tasks_response(tasks: list[Task]) -> Response:
    return Response(_ENCODER.encode(_wired(tasks)), media_type=_JSON)


def changes_response(changes: Changes) -> Response:
    body = {"tasks": _wired(changes.tasks), "deleted": changes.deleted, "cursor": changes.cursor}
    return Response(_ENCODER.encode(body), media_type=_JSON)


def tags_response(tags: list[TagCount]) -> Response:
    return Response(_ENCODER.encode(tags), media_type=_JSON)


def _wired(tasks: list[Task]) -> list[Any]:
    return [task if task.recurrence is None else _wire(task) for task in tasks]


def _wire(task: Task) -> Task | dict[str, Any]:
    """A task as msgspec writes it as the API answers it: as it is, but for a recurrence,
    whose wire names (`from`, `series_start`) are pydantic's aliases, which msgspec does not
    read."""
    recurrence = task.recurrence
    if recurrence is None:
        return task
    fields = {name: getattr(task, name) for name in _FIELDS}
    fields["recurrence"] = {
        "rule": recurrence.rule,
        "from": recurrence.start_from,
        "series_start": recurrence.anchor,
    }
    return fields

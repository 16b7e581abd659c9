"""The task endpoints: each hands plain values to the caller's tasks and writes the result.
Rules live in todo_core; errors become problems in `problems.py`; entity tags and
preconditions are `versions.py`'s."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response

from todo_api.http import bodies
from todo_api.http.answers import changes_response, task_response, tasks_response
from todo_api.http.caller import CallerTasks, CallerTasksDep
from todo_api.http.examples import CREATE_EXAMPLES, UPDATE_EXAMPLES
from todo_api.http.idempotency import idempotency_key, marked
from todo_api.http.list_query import ListParameters
from todo_api.http.openapi import errors_doc, headers_doc
from todo_api.http.parameters import (
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IF_NONE_MATCH,
    documented_query,
    list_parameters,
)
from todo_api.http.refusals import ConflictingParameters
from todo_api.http.schemas import Completion, TaskIn, TaskPatch
from todo_api.http.versions import etag_of, etag_of_body, expected_version, tagged
from todo_core.idempotency import Done
from todo_core.syncing import Changes
from todo_core.tasks import Task

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])
_by_id = "/{task_id}"

_LIST_PARAMETERS = {"parameters": [*documented_query(ListParameters), IF_NONE_MATCH]}
# Bodies are read in the routes, once the caller is known (see `bodies`), and declared here.
_CREATE = {"parameters": [IDEMPOTENCY_KEY], **bodies.documented(TaskIn, examples=CREATE_EXAMPLES)}
_WRITE = {"parameters": [IF_MATCH, IDEMPOTENCY_KEY]}
_UPDATE = {**_WRITE, **bodies.documented(TaskPatch, examples=UPDATE_EXAMPLES)}
_COMPLETE = {**_WRITE, **bodies.documented(Completion, required=False)}
_IF_NONE_MATCH = {"parameters": [IF_NONE_MATCH]}


@router.get(
    "",
    response_model=list[Task] | Changes,
    responses={
        200: headers_doc("ETag", "Link"),
        304: {"description": "Not modified since the ETag in If-None-Match"},
        **errors_doc(400, 401, 403, 410, 413, 422, 429, 503),
    },
    openapi_extra=_LIST_PARAMETERS,
)
async def list_tasks(request: Request, tasks: CallerTasksDep) -> Response:
    """The user's tasks: by default all of them, ordered by id. With `limit`, a page, and a
    `Link: <...>; rel="next"` header while more follow (keyset pages: following `next` returns
    each matching task once, even while tasks are added or deleted; a task whose change moves
    it in the order, under `sort=updated_at` or a `completed` filter, may move past the
    cursor or behind it).

    With `changed_since` (`0` the first time, then the last answer's `cursor`): the tasks
    created or changed since, the ids of those deleted since, and the next cursor. A task may
    come again in a later sync; none is ever missed. A cursor older than the deletions kept
    (30 days) is 410: sync again from `0`."""
    parameters = list_parameters(request)
    if parameters is None:
        response = tasks_response(await tasks.list())
    elif parameters.changed_since is not None:
        return await _synced(tasks, parameters)
    else:
        page = await tasks.page(parameters.query(tasks.owner))
        response = tasks_response(page.tasks)
        if page.next_cursor is not None:
            response.headers["Link"] = _next_link(request, page.next_cursor)
    return tagged(response, etag_of_body(response.body), request)


@router.post(
    "",
    status_code=201,
    response_model=Task,
    responses={
        201: headers_doc("ETag", "Location", "Idempotent-Replayed"),
        **errors_doc(400, 401, 403, 409, 413, 422, 429, 503),
    },
    openapi_extra=_CREATE,
)
async def create_task(request: Request, tasks: CallerTasksDep) -> Response:
    """The new task, with its address in `Location` and its version in `ETag`. With an
    `Idempotency-Key`, a retry of the same request answers with this same task."""
    key = idempotency_key(request)
    body = await bodies.required(request, TaskIn)
    planned = body.planned()
    done = await tasks.add(body.title, body.description, body.completed, key=key, **planned)
    task = done.task
    assert task is not None  # a creation always has its task
    response = task_response(task, 201)
    response.headers["Location"] = f"{quote(request.url.path)}/{task.id}"
    response.headers["ETag"] = etag_of(task)
    return marked(response, done)


@router.get(
    _by_id,
    response_model=Task,
    responses={
        200: headers_doc("ETag"),
        304: {"description": "Not modified since the ETag in If-None-Match"},
        **errors_doc(401, 403, 404, 413, 422, 429, 503),
    },
    openapi_extra=_IF_NONE_MATCH,
)
async def get_task(request: Request, tasks: CallerTasksDep, task_id: int) -> Response:
    task = await tasks.get(task_id)
    return tagged(task_response(task), etag_of(task), request)


_WRITE_ERRORS = errors_doc(400, 401, 403, 404, 409, 412, 413, 422, 429, 503)
_WRITTEN = headers_doc("ETag", "Idempotent-Replayed")


@router.put(
    _by_id,
    response_model=Task,
    responses={200: _WRITTEN, **_WRITE_ERRORS},
    openapi_extra=_UPDATE,
)
async def update_task(request: Request, tasks: CallerTasksDep, task_id: int) -> Response:
    """Change only the fields sent (null clears an optional one); `updated_at` and `version`
    advance. `completed: true` on an open recurring task rolls it forward instead: the same
    task, due at the rule's next occurrence, still open, with `last_completed_at` set; once
    its series is used up it completes."""
    expected = expected_version(request.headers.get("if-match"))
    fields = (await bodies.required(request, TaskPatch)).changes()
    key = idempotency_key(request)
    return _written(await tasks.change(task_id, expected=expected, key=key, **fields))


@router.delete(
    _by_id,
    status_code=204,
    response_class=Response,
    responses={204: headers_doc("Idempotent-Replayed"), **_WRITE_ERRORS},
    openapi_extra=_WRITE,
)
async def delete_task(request: Request, tasks: CallerTasksDep, task_id: int) -> Response:
    """With an `Idempotency-Key`, a retry after the task is gone is a 204 again, not a 404."""
    expected = expected_version(request.headers.get("if-match"))
    done = await tasks.remove(task_id, expected, key=idempotency_key(request))
    return marked(Response(status_code=204), done)


@router.patch(
    _by_id + "/complete",
    response_model=Task,
    responses={200: _WRITTEN, **_WRITE_ERRORS},
    openapi_extra=_COMPLETE,
)
async def complete_task(request: Request, tasks: CallerTasksDep, task_id: int) -> Response:
    """With `{"completed": true|false}`, set it: a retried or double-clicked request lands
    where it meant to. With no body, flip it (the seed's contract), atomically: concurrent
    toggles never cancel out unseen. Completing an open recurring task rolls it forward, as
    `PUT` does."""
    expected = expected_version(request.headers.get("if-match"))
    key = idempotency_key(request)
    body = await bodies.optional(request, Completion)
    if body is None:
        return _written(await tasks.toggle(task_id, expected, key=key))
    return _written(
        await tasks.change(task_id, completed=body.completed, expected=expected, key=key)
    )


def _written(done: Done) -> Response:
    task = done.task
    assert task is not None  # only a removal has none
    response = task_response(task)
    response.headers["ETag"] = etag_of(task)
    return marked(response, done)


def _next_link(request: Request, cursor: str) -> str:
    """The same list from `cursor` on: every parameter kept, a repeated one every time."""
    following = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    url = f"{quote(request.url.path)}?{urlencode([*following, ('cursor', cursor)])}"
    return f'<{url}>; rel="next"'


async def _synced(tasks: CallerTasks, parameters: ListParameters) -> Response:
    others = parameters.others_than_sync()
    if others:
        raise ConflictingParameters(f"changed_since takes no other parameter (got {others[0]})")
    assert parameters.changed_since is not None
    return changes_response(await tasks.changes(parameters.changed_since))

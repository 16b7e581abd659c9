"""The seed's task endpoints: each hands plain values to the caller's tasks and writes the
result. Rules live in todo_core; errors become problems in `problems.py`."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from todo_api.http.caller import CallerTasksDep
from todo_api.http.openapi import errors_doc
from todo_api.http.schemas import (
    Completion,
    TaskIn,
    TaskPatch,
    task_response,
    tasks_response,
)
from todo_core.tasks import Task

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])
_by_id = "/{task_id}"


@router.get("", response_model=list[Task], responses=errors_doc(401, 403, 413, 422, 503))
async def list_tasks(tasks: CallerTasksDep) -> Response:
    """The user's tasks, ordered by id."""
    return tasks_response(await tasks.list())


@router.post(
    "", status_code=201, response_model=Task, responses=errors_doc(400, 401, 403, 413, 422, 503)
)
async def create_task(request: Request, tasks: CallerTasksDep, body: TaskIn) -> Response:
    """The new task, with its address in `Location`."""
    task = await tasks.add(body.title, body.description)
    response = task_response(task, 201)
    response.headers["Location"] = f"{quote(request.url.path)}/{task.id}"
    return response


@router.get(_by_id, response_model=Task, responses=errors_doc(401, 403, 404, 413, 422, 503))
async def get_task(tasks: CallerTasksDep, task_id: int) -> Response:
    return task_response(await tasks.get(task_id))


@router.put(_by_id, response_model=Task, responses=errors_doc(400, 401, 403, 404, 413, 422, 503))
async def update_task(tasks: CallerTasksDep, task_id: int, body: TaskPatch) -> Response:
    """Change only the fields sent; `updated_at` advances."""
    return task_response(await tasks.change(task_id, **body.model_dump(exclude_unset=True)))


@router.delete(
    _by_id,
    status_code=204,
    response_class=Response,
    responses=errors_doc(401, 403, 404, 413, 422, 503),
)
async def delete_task(tasks: CallerTasksDep, task_id: int) -> Response:
    await tasks.remove(task_id)
    return Response(status_code=204)


@router.patch(
    _by_id + "/complete",
    response_model=Task,
    responses=errors_doc(400, 401, 403, 404, 413, 422, 503),
)
async def complete_task(
    tasks: CallerTasksDep, task_id: int, body: Completion | None = None
) -> Response:
    """With `{"completed": true|false}`, set it: a retried or double-clicked request lands
    where it meant to. With no body, flip it (the seed's contract), atomically: concurrent
    toggles never cancel out unseen."""
    if body is None:
        return task_response(await tasks.toggle(task_id))
    return task_response(await tasks.complete(task_id, body.completed))

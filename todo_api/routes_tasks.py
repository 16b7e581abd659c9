"""The seed's task endpoints. Each hands plain values to TaskService off the event loop."""

from __future__ import annotations

from fastapi import APIRouter, Response

from todo_api.auth import Me
from todo_api.openapi import errors_doc
from todo_api.schemas import TaskIn, TaskOut, TaskPatch, task_response, tasks_response

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])
_by_id = "/{task_id}"


@router.get("", response_model=list[TaskOut], responses=errors_doc(401, 403, 413, 422, 503))
async def list_tasks(me: Me) -> Response:
    """The user's tasks, ordered by id."""
    return tasks_response(await me.run(me.tasks.list))


@router.post(
    "", status_code=201, response_model=TaskOut, responses=errors_doc(400, 401, 403, 413, 422, 503)
)
async def create_task(me: Me, body: TaskIn) -> Response:
    return task_response(await me.run(me.tasks.add, body.title, body.description), 201)


@router.get(_by_id, response_model=TaskOut, responses=errors_doc(401, 403, 404, 413, 422, 503))
async def get_task(me: Me, task_id: int) -> Response:
    return task_response(await me.run(me.tasks.get, task_id))


@router.put(_by_id, response_model=TaskOut, responses=errors_doc(400, 401, 403, 404, 413, 422, 503))
async def update_task(me: Me, task_id: int, body: TaskPatch) -> Response:
    """Change only the fields sent; `updated_at` advances."""
    sent = body.model_dump(exclude_unset=True)
    return task_response(await me.run(me.tasks.change, task_id, **sent))


@router.delete(
    _by_id,
    status_code=204,
    response_class=Response,
    responses=errors_doc(401, 403, 404, 413, 422, 503),
)
async def delete_task(me: Me, task_id: int) -> Response:
    await me.run(me.tasks.remove, task_id)
    return Response(status_code=204)


@router.patch(
    _by_id + "/complete", response_model=TaskOut, responses=errors_doc(401, 403, 404, 413, 422, 503)
)
async def toggle_task(me: Me, task_id: int) -> Response:
    """Flip `completed`, atomically: concurrent toggles never cancel out unseen."""
    return task_response(await me.run(me.tasks.toggle, task_id))

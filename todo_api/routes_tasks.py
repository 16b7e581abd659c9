"""The seed's task endpoints. Each hands plain values to TaskService off the event loop."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from todo_api.auth import Owner
from todo_api.openapi import errors_doc
from todo_api.schemas import TaskIn, TaskOut, TaskPatch
from todo_core.service import TaskService
from todo_core.tasks import Task


async def _task_service(request: Request) -> TaskService:
    service: TaskService = request.app.state.container.task_service()
    return service


Tasks = Annotated[TaskService, Depends(_task_service)]

router = APIRouter(prefix="/api/{user_id}/tasks", tags=["tasks"])
_by_id = "/{task_id}"


@router.get("", response_model=list[TaskOut], responses=errors_doc(401, 403, 422, 503))
async def list_tasks(owner: Owner, tasks: Tasks) -> Any:
    """The user's tasks, ordered by id."""
    return await run_in_threadpool(tasks.list, owner)


@router.post(
    "", status_code=201, response_model=TaskOut, responses=errors_doc(400, 401, 403, 413, 422, 503)
)
async def create_task(owner: Owner, tasks: Tasks, body: TaskIn) -> Task:
    return await run_in_threadpool(tasks.add, owner, body.title, body.description)


@router.get(_by_id, response_model=TaskOut, responses=errors_doc(401, 403, 404, 422, 503))
async def get_task(owner: Owner, tasks: Tasks, task_id: int) -> Task:
    return await run_in_threadpool(tasks.get, owner, task_id)


@router.put(_by_id, response_model=TaskOut, responses=errors_doc(400, 401, 403, 404, 413, 422, 503))
async def update_task(owner: Owner, tasks: Tasks, task_id: int, body: TaskPatch) -> Task:
    """Change only the fields sent; `updated_at` advances."""
    sent = body.model_dump(exclude_unset=True)
    return await run_in_threadpool(lambda: tasks.change(owner, task_id, **sent))


@router.delete(
    _by_id, status_code=204, response_class=Response, responses=errors_doc(401, 403, 404, 422, 503)
)
async def delete_task(owner: Owner, tasks: Tasks, task_id: int) -> Response:
    await run_in_threadpool(tasks.remove, owner, task_id)
    return Response(status_code=204)


@router.patch(
    _by_id + "/complete", response_model=TaskOut, responses=errors_doc(401, 403, 404, 422, 503)
)
async def toggle_task(owner: Owner, tasks: Tasks, task_id: int) -> Task:
    """Flip `completed`, atomically: concurrent toggles never cancel out unseen."""
    return await run_in_threadpool(tasks.toggle, owner, task_id)

"""Walking a list page by page, as a client does: what every keyset-paging test needs."""

from __future__ import annotations

from typing import Any

from todo_core.listing import TaskQuery
from todo_core.service import TaskService
from todo_core.tasks import Task

PAGES_MAX = 200  # a cursor that does not advance must fail the test, not hang it


def walked(service: TaskService, owner: str, limit: int, **query: Any) -> list[Task]:
    """Every task of `owner`'s list `query`, fetched `limit` at a time following each page's
    cursor; fails when a page is over the limit or the pages never end."""
    page = service.page(owner, TaskQuery.of(limit=limit, **query))
    tasks = list(page.tasks)
    for _ in range(PAGES_MAX):
        assert len(page.tasks) <= limit
        if page.next_cursor is None:
            return tasks
        following = TaskQuery.of(limit=limit, cursor=page.next_cursor, owner=owner, **query)
        page = service.page(owner, following)
        tasks += page.tasks
    raise AssertionError(f"{PAGES_MAX} pages of {limit} and still a next cursor")


def in_order(tasks: list[Task], query: TaskQuery) -> list[Task]:
    """What `query` keeps of `tasks`, in its order, as the domain defines both (a task without
    a due last either way): what a store's answer is held to."""
    kept = [task for task in tasks if query.matches(task)]
    return sorted(
        kept, key=lambda task: query.position(query.key_of(task)), reverse=query.descending
    )

"""Tasks as SQL stores them and reads them back: the one field with no column type of its
own, the recurrence, kept as JSON text (the rule, where it starts from, its anchor).

Pure Python: both twins use it, and the async one never imports SQLAlchemy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from todo_core.planning import Recurrence
from todo_core.tasks import Task


def recurrence_text(recurrence: Recurrence | None) -> str | None:
    if recurrence is None:
        return None
    anchor = None if recurrence.anchor is None else recurrence.anchor.isoformat()
    stored = {"rule": recurrence.rule, "from": recurrence.start_from, "anchor": anchor}
    return json.dumps(stored, separators=(",", ":"))


def recurrence_of(text: str) -> Recurrence:
    stored = json.loads(text)
    anchor = stored["anchor"]
    return Recurrence(
        stored["rule"], stored["from"], None if anchor is None else datetime.fromisoformat(anchor)
    )


def task_of(row: Sequence[Any]) -> Task:
    """A row of Task's columns, in its order, as a Task."""
    task = Task(*row)
    _finish(task)
    return task


def tasks_of(rows: Sequence[Sequence[Any]]) -> list[Task]:
    """Rows as tasks: timestamps are already aware UTC (the column type's, or the pool's
    sessions, which run in UTC). A row without tags (NULL: `column_types.tags_or_null`) and
    without recurrence needs only its tags set to none; the others are finished in full."""
    tasks = [Task(*row) for row in rows]
    for task in tasks:
        if task.tags is None and task.recurrence is None:
            task.tags = ()
        else:
            _finish(task)
    return tasks


def _finish(task: Task) -> None:
    """Tags read as NULL (none) or a list (a kept row's, or psycopg's) become a tuple; a
    recurrence's JSON text a Recurrence."""
    tags: Sequence[str] | None = task.tags
    task.tags = () if tags is None else tuple(tags)
    if task.recurrence is not None:
        task.recurrence = recurrence_of(task.recurrence)  # type: ignore[arg-type]

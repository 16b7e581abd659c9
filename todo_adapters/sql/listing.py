"""A list query (`todo_core.listing.TaskQuery`) as the name of the SELECT that answers it and
the values it binds. The name spells the query's shape (which filters, which order, paged or
not): `core.listing` builds the statement from it."""

from __future__ import annotations

from datetime import datetime
from itertools import product
from typing import Final

from todo_adapters.sql.statements import Statement, Values
from todo_core.listing import SORTS, TaskQuery

# completed?, text?, sort, paged?, after?, planned? (any planning filter: `TaskQuery.planned`)
ListShape = tuple[bool, bool, str, bool, bool, bool]
_FLAGS: Final = ("completed", "text", "paged", "after", "planned")


def list_of(owner: str, query: TaskQuery | None) -> tuple[Statement, Values]:
    """The statement listing `owner`'s tasks for `query` (None: all, by id), and its values."""
    if query is None:
        return LIST, {"owner": owner}
    return list_name(list_shape(query)), list_parameters(owner, query)


def list_name(shape: ListShape) -> Statement:
    """`list completed text paged after planned by -title`, without the flags a shape has
    not."""
    completed, text, sort, paged, after, planned = shape
    on = (completed, text, paged, after, planned)
    flags = [flag for flag, set_ in zip(_FLAGS, on, strict=True) if set_]
    return " ".join(["list", *flags, "by", sort])


def shape_of(name: Statement) -> ListShape:
    """The shape `list_name` spelled; KeyError for a name no shape spells."""
    words = name.split()
    if len(words) < 3:
        raise KeyError(name)
    kind, *flags, by, sort = words
    if kind != "list" or by != "by" or not set(flags) <= set(_FLAGS) or sort not in SORTS:
        raise KeyError(name)
    on = [flag in flags for flag in _FLAGS]
    return (on[0], on[1], sort, on[2], on[3], on[4])


def every_list() -> list[Statement]:
    """The name of every list statement a query can need."""
    flags = list(product((False, True), repeat=len(_FLAGS)))
    return [list_name((c, t, sort, p, a, n)) for sort in SORTS for c, t, p, a, n in flags]


LIST: Final = list_name((False, False, "id", False, False, False))  # all of them, by id


def list_shape(query: TaskQuery) -> ListShape:
    return (
        query.completed is not None,
        query.text is not None,
        query.sort,
        query.limit is not None,
        query.after is not None,
        query.planned,
    )


def list_parameters(owner: str, query: TaskQuery) -> Values:
    """The values a list statement binds; one extra row tells whether another page follows."""
    parameters: Values = {"owner": owner}
    if query.completed is not None:
        parameters["completed"] = query.completed
    if query.text is not None:
        parameters["pattern"] = "%" + _escaped(query.text.lower()) + "%"
    if query.limit is not None:
        parameters["limit"] = query.limit + 1
    if query.after is not None:
        parameters["after_value"], parameters["after_id"] = query.after
    if query.planned:
        parameters.update(_planned(query))
    return parameters


def _planned(query: TaskQuery) -> Values:
    """The planning filters' values; None for each not in the query (the statement of a
    `planned` shape holds all of them, each true when its value is NULL)."""
    if query.overdue is not None and query.now is None:
        raise ValueError("an overdue filter is answered at a moment: query.at(now)")
    before, after = query.due_before, query.due_after
    return {
        "priorities": None if query.priorities is None else list(query.priorities),
        "tags": None if query.tags is None else list(query.tags),
        "before_day": None if isinstance(before, datetime) else before,
        "before_at": before if isinstance(before, datetime) else None,
        "after_day": None if isinstance(after, datetime) else after,
        "after_at": after if isinstance(after, datetime) else None,
        "overdue": query.overdue,
        "now": query.now,
        "has_due": query.has_due,
    }


def _escaped(text: str) -> str:
    """`%` and `_` match themselves in a search, as the user typed them."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

"""Wrappers that do one same thing around every method of the task repository port (report
each call, run each call on a thread): the wrapping is written once, over the port's method
names, so a method added to the port is wrapped with no change here."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Final, TypeAlias

from todo_core.ports_async import AsyncTaskRepository

Method: TypeAlias = Callable[..., Any]

REPOSITORY_METHODS: Final = tuple(
    name
    for name, value in vars(AsyncTaskRepository).items()
    if inspect.iscoroutinefunction(value) and not name.startswith("_")
)


def forward_each(wrapper: object, inner: object, around: Callable[[str, Method], Method]) -> None:
    """Give `wrapper` each port method of `inner`, as `around(name, inner's method)` makes it.
    Set on the instance once: a call costs one lookup and the wrapper's own work."""
    for name in REPOSITORY_METHODS:
        setattr(wrapper, name, around(name, getattr(inner, name)))

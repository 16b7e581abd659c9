"""The JSON the API reads and writes. Rules about tasks live in todo_core, not here.

Request models are strict (no "yes" for true, no number for a string) and refuse unknown
fields, so a typo in a field name is an error rather than a silently ignored change.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from todo_core.tasks import DESCRIPTION_MAX, TITLE_MAX

_TITLE = (
    f"1 to {TITLE_MAX} characters once surrounding whitespace is trimmed (stored trimmed); "
    "no control characters."
)
_DESCRIPTION = (
    f"At most {DESCRIPTION_MAX} characters, or null; no control characters but newline and tab."
)
_REQUEST = ConfigDict(extra="forbid", strict=True)


class TaskIn(BaseModel):
    model_config = _REQUEST

    title: str = Field(description=_TITLE, examples=["Write the docs"])
    description: str | None = Field(default=None, description=_DESCRIPTION)


class TaskPatch(BaseModel):
    """Only the fields sent change; `description: null` clears the description."""

    model_config = _REQUEST

    title: str = Field(default=None, description=_TITLE)  # type: ignore[assignment]
    description: str | None = Field(default=None, description=_DESCRIPTION)
    completed: bool = Field(default=None)  # type: ignore[assignment]


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="64-bit task id")
    user_id: str
    title: str
    description: str | None
    completed: bool
    created_at: datetime = Field(description="ISO 8601, UTC")
    updated_at: datetime = Field(description="ISO 8601, UTC; advances on every change")

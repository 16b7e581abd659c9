"""The tables as SQLModels (the column types of their own: `column_types`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.sql import false, text
from sqlmodel import Field, SQLModel

from todo_adapters.sql.column_types import TextList, UtcDateTime
from todo_core.idempotency import KEY_MAX, KEYS_PER_OWNER
from todo_core.syncing import TOMBSTONES_PER_OWNER
from todo_core.tasks import DESCRIPTION_MAX, OWNER_ID_MAX, TITLE_MAX

# SQLite only auto-increments an INTEGER PRIMARY KEY (its 64-bit rowid); PostgreSQL gets BIGINT.
_TaskId = BigInteger().with_variant(Integer(), "sqlite")


class PlannedColumns(SQLModel):
    """What a user plans a task with (todo_core.planning), in Task's order: the columns of a
    task and of the outcome an idempotency key keeps alike (a column each table makes anew)."""

    priority: str = Field(
        default="medium",
        sa_type=String(6),
        nullable=False,
        sa_column_kwargs={"server_default": text("'medium'")},
    )
    tags: list[str] = Field(default_factory=list, sa_type=TextList, nullable=False)
    due_date: date | None = Field(default=None, sa_type=Date)
    due_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    time_zone: str | None = Field(default=None, sa_type=String(64))
    # `rows.recurrence_text`'s JSON: the rule, where it starts from, and its anchor.
    recurrence: str | None = Field(default=None, sa_type=Text)
    remind_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class TaskRow(PlannedColumns, table=True):
    """One stored task. Lives only here: the domain's Task is a plain dataclass."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_user_id_id", "user_id", "id"),
        Index("ix_tasks_user_id_completed", "user_id", "completed"),
        Index("ix_tasks_user_id_updated_at_id", "user_id", "updated_at", "id"),
        Index("ix_tasks_user_id_changed_in", "user_id", "changed_in"),
        # The `due` order and its pages; the overdue filter's open tasks; a tag filter's
        # folded tags (PostgreSQL: a GIN index answers `@>`; SQLite has none to offer).
        Index("ix_tasks_user_id_due_order_id", "user_id", "due_order", "id"),
        Index(
            "ix_tasks_user_id_overdue_at",
            "user_id",
            "overdue_at",
            postgresql_where=text("NOT completed AND overdue_at IS NOT NULL"),
            sqlite_where=text("NOT completed AND overdue_at IS NOT NULL"),
        ),
        Index("ix_tasks_tag_keys", "tag_keys", postgresql_using="gin").ddl_if(dialect="postgresql"),
        # Without AUTOINCREMENT SQLite hands a deleted task's id to the next task.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(
        default=None, sa_column=Column(_TaskId, Identity(always=False), primary_key=True)
    )
    user_id: str = Field(sa_column=Column(String(OWNER_ID_MAX), nullable=False))
    title: str = Field(sa_column=Column(String(TITLE_MAX), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(DESCRIPTION_MAX)))
    completed: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    version: int = Field(
        default=1, sa_column=Column(BigInteger, nullable=False, server_default=text("1"))
    )
    # Derived from the above by the domain (`derived`) on every write that sets them, for
    # filters and orders to compare: no Task field, so no list reads them back.
    tag_keys: list[str] = Field(default_factory=list, sa_column=Column(TextList, nullable=False))
    due_day: date | None = Field(default=None, sa_column=Column(Date))
    due_order: datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    overdue_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime))
    # The stamp of the last write (set by the database's triggers, see migration 0003): what
    # an incremental sync selects by. Not a Task field: no client orders by it.
    changed_in: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )


class TombstoneRow(SQLModel, table=True):
    """A deleted task, remembered (by the delete trigger) for incremental sync only: no list
    or read ever sees it. Purged after the sync retention."""

    __tablename__ = "task_tombstones"
    __table_args__ = (
        Index("ix_task_tombstones_user_id_stamp", "user_id", "stamp"),
        Index("ix_task_tombstones_deleted_at", "deleted_at"),
    )

    task_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: str = Field(sa_column=Column(String(OWNER_ID_MAX), nullable=False))
    stamp: int = Field(sa_column=Column(BigInteger, nullable=False))
    deleted_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))


class SyncStateRow(SQLModel, table=True):
    """One row: SQLite's write counter (PostgreSQL stamps with transaction ids instead), the
    last stamp of a purged tombstone (a sync cursor at or before it is too old), and how many
    idempotency keys and tombstones one owner keeps at most (the triggers of migration 0005
    forget the oldest past these; an operator may change them in place)."""

    __tablename__ = "sync_state"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    clock: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    purged_through: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    keys_per_owner: int = Field(
        default=KEYS_PER_OWNER,
        sa_column=Column(BigInteger, nullable=False, server_default=text(str(KEYS_PER_OWNER))),
    )
    tombstones_per_owner: int = Field(
        default=TOMBSTONES_PER_OWNER,
        sa_column=Column(
            BigInteger, nullable=False, server_default=text(str(TOMBSTONES_PER_OWNER))
        ),
    )


class IdempotencyKeyRow(PlannedColumns, table=True):
    """A write's idempotency key and its outcome (the task as written), kept in the same
    transaction as the write, so that a retry of the request answers with it."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        Index("ix_idempotency_keys_created_at", "created_at"),
        Index("ix_idempotency_keys_user_id_created_at", "user_id", "created_at"),
    )

    user_id: str = Field(sa_column=Column(String(OWNER_ID_MAX), primary_key=True))
    key: str = Field(sa_column=Column(String(KEY_MAX), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    removed: bool = Field(sa_column=Column(Boolean, nullable=False))
    task_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    title: str = Field(sa_column=Column(String(TITLE_MAX), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(String(DESCRIPTION_MAX)))
    completed: bool = Field(sa_column=Column(Boolean, nullable=False))
    task_created_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    task_updated_at: datetime = Field(sa_column=Column(UtcDateTime, nullable=False))
    version: int = Field(sa_column=Column(BigInteger, nullable=False))


class TaskCountRow(SQLModel, table=True):
    """What an owner keeps, counted by triggers (whatever writes the tables): tasks (a create
    checks them against the limit, on PostgreSQL with the row locked), idempotency keys and
    tombstones (bounded per owner), and the last stamp of the owner's tombstones forgotten
    early, past that bound (the owner's sync cursors at or before it are too old)."""

    __tablename__ = "task_counts"

    user_id: str = Field(sa_column=Column(String(OWNER_ID_MAX), primary_key=True))
    tasks: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    keys: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    tombstones: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    purged_through: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )


# The tables, as the statements' Core expressions use them (SQLModel's `__table__` is untyped).
TASKS: Final[Table] = TaskRow.__table__  # type: ignore[attr-defined]
TOMBSTONES: Final[Table] = TombstoneRow.__table__  # type: ignore[attr-defined]
SYNC_STATE: Final[Table] = SyncStateRow.__table__  # type: ignore[attr-defined]
KEYS: Final[Table] = IdempotencyKeyRow.__table__  # type: ignore[attr-defined]
COUNTS: Final[Table] = TaskCountRow.__table__  # type: ignore[attr-defined]

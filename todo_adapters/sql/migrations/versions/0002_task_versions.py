"""Task versions (what ETags are made of) and an index for lists ordered by `updated_at`.

Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    # A constant default: PostgreSQL 11+ adds the column without rewriting the table.
    op.add_column(
        "tasks", sa.Column("version", sa.BigInteger(), server_default=sa.text("1"), nullable=False)
    )
    op.create_index("ix_tasks_user_id_updated_at_id", "tasks", ["user_id", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_tasks_user_id_updated_at_id", table_name="tasks")
    # SQLite rebuilds the table to drop a column; ids must stay never-reused there.
    with op.batch_alter_table("tasks", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("version")

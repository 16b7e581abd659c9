"""An owner's tags and how many tasks have each: the statement behind `statements.TAGS`.

Tags equal but for case are one, by the folded spelling the domain stored beside them
(`tag_keys`, same position), spelled as the least of their spellings; ordered by the folded
tag as code points, as Python orders strings (PostgreSQL's "C" collation; SQLite's BINARY).
"""

from __future__ import annotations

from sqlalchemy import TextClause, text

POSTGRES_TAGS: TextClause = text(
    """SELECT min(t.tag COLLATE "C"), count(*)
FROM tasks CROSS JOIN LATERAL unnest(tasks.tags, tasks.tag_keys) AS t(tag, tag_key)
WHERE tasks.user_id = :owner
GROUP BY t.tag_key
ORDER BY t.tag_key COLLATE "C\""""
)
SQLITE_TAGS: TextClause = text(
    """SELECT min(t.value), count(*)
FROM tasks, json_each(tasks.tags) AS t JOIN json_each(tasks.tag_keys) AS k ON k.key = t.key
WHERE tasks.user_id = :owner
GROUP BY k.value
ORDER BY k.value"""
)

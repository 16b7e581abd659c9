"""Keyset pages at scale: one page of 50 from a user with 100,000 tasks against one from a user
with 100, first pages and deep ones (reached by following cursors), on PostgreSQL; and a
planner's page (10,000 tasks with tags, priorities and dues) filtered by a tag and ordered by
due, against the same user's page by id.

    .venv/bin/python -m bench.pages          # prints p50/p99 per cell and the query plans

Keyset pages read only the rows they return, through indexes that lead with `user_id`, so a
page should cost the same whatever the user's size and however deep the page is.
"""

from __future__ import annotations

import argparse
import random
import urllib.request
from pathlib import Path

import psycopg

from bench.loadgen import Picker, Request, run_load
from bench.targets import product
from tests.support.databases import recreate_database
from tests.support.servers import Service
from tests.support.tokens import sign, soon
from todo_adapters.sql import listing
from todo_adapters.sql.postgres_texts import postgres_texts
from todo_core.listing import TaskQuery

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-that-is-long-enough-0123456789"
SIZES = {"small": 100, "large": 100_000, "planner": 10_000}
# The planner's tasks: one in 5 tagged `work` (and every 3rd `home`), a priority by turns, a
# due day over the next 90 days on 3 in 4 (the zone UTC): what the derived columns say too.
_PLANNED = """
INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at, priority,
    tags, tag_keys, due_date, due_day, due_order, overdue_at)
SELECT %s, 'task ' || g, 'seeded', g %% 3 = 0, now() - g * interval '1 second',
    now() - g * interval '1 second', (ARRAY['low', 'medium', 'high'])[g %% 3 + 1], t.tags, t.tags,
    d.due, d.due, d.due::timestamptz, (d.due + 1)::timestamptz
FROM generate_series(1, %s) g
CROSS JOIN LATERAL (SELECT CASE WHEN g %% 5 = 0 THEN ARRAY['work'] ELSE ARRAY[]::text[] END
    || CASE WHEN g %% 3 = 0 THEN ARRAY['home'] ELSE ARRAY[]::text[] END AS tags) AS t
CROSS JOIN LATERAL (SELECT CASE WHEN g %% 4 <> 0 THEN current_date + (g * 7919) %% 90 END
    AS due) AS d
"""
PLANNER_QUERIES = {"by id": "limit=50", "tag work, by due": "limit=50&tag=work&sort=due"}


def seed(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        for user, count in SIZES.items():
            if user == "planner":
                db.execute(_PLANNED, (user, count))
                continue
            db.execute(
                "INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at)"
                " SELECT %s, 'task ' || g, 'seeded', g %% 3 = 0, now() - g * interval '1 second',"
                " now() - g * interval '1 second' FROM generate_series(1, %s) g",
                (user, count),
            )
        db.execute("ANALYZE tasks")


def cursors(base: str, user: str, token: str, query: str, depth: int) -> list[str]:
    """The cursors of the first `depth` pages, by following `next` as a client does."""
    found: list[str] = []
    url = f"{base}/api/{user}/tasks?{query}"
    for _ in range(depth):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
        with urllib.request.urlopen(request) as response:  # noqa: S310 (loopback)
            link = response.headers["Link"]
        path = link[1 : link.index(">")]
        found.append(path)
        url = base + path
    return found


def explain(url: str, owner: str, sort: str) -> str:
    """The plan of the statement the product runs for a page of 50, 1,000 tasks deep."""
    field = sort.removeprefix("-")
    direction = "DESC" if sort.startswith("-") else "ASC"
    with psycopg.connect(url) as db:
        row = db.execute(
            f"SELECT {field}, id FROM tasks WHERE user_id = %s "  # noqa: S608 (a known column)
            f"ORDER BY {field} {direction}, id {direction} OFFSET 1000 LIMIT 1",
            (owner,),
        ).fetchone()
        assert row is not None
        query = TaskQuery(sort=sort, limit=50, after=(row[0], row[1]))
        statement, parameters = listing.list_of(owner, query)
        sql = postgres_texts()[statement]
        rows = db.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, parameters).fetchall()
    return "\n".join(row[0] for row in rows)


PLANNER_TASK_QUERIES = {
    "by id": TaskQuery.of(limit=50),
    "tag work, by due": TaskQuery.of(limit=50, tags=["work"], sort="due"),
}


def explain_first(url: str, owner: str, query: TaskQuery) -> str:
    """The plan of the statement the product runs for `query`'s first page."""
    statement, parameters = listing.list_of(owner, query)
    with psycopg.connect(url) as db:
        sql = postgres_texts()[statement]
        rows = db.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, parameters).fetchall()
    return "\n".join(row[0] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--connections", type=int, default=1)
    args = parser.parse_args()
    target = product(REPO)
    url = recreate_database(target.database, args.database_url)
    service = target.start(args.database_url, SECRET)
    try:
        seed(url)
        tokens = {user: sign({"sub": user, "exp": soon(3600)}, key=SECRET) for user in SIZES}
        queries = {"by id": "limit=50", "by -updated_at": "limit=50&sort=-updated_at"}
        print("| user | order | page | p50 ms | p99 ms | req/s | CPU ms/req |")
        print("|---|---|---|---:|---:|---:|---:|")
        for order, query in queries.items():
            for user, size in SIZES.items():
                if user == "planner":  # its own cells, below
                    continue
                deep = cursors(service.base, user, tokens[user], query, 20 if size > 100 else 1)
                for page, paths in (("first", [f"/api/{user}/tasks?{query}"]), ("deep", deep)):
                    cell = (f"{size:,} tasks", order, page)
                    print(_measured(cell, service, _picker(paths, tokens[user]), args), flush=True)
        for order, query in PLANNER_QUERIES.items():
            picker = _picker([f"/api/planner/tasks?{query}"], tokens["planner"])
            print(_measured(("10,000 planned", order, "first"), service, picker, args), flush=True)
        for sort in ("id", "-updated_at"):
            print(f"\nThe plan of a page of the large user 1,000 tasks deep, sort={sort}:\n")
            print(explain(url, "large", sort))
        for name, task_query in PLANNER_TASK_QUERIES.items():
            print(f"\nThe plan of the planner's first page, {name}:\n")
            print(explain_first(url, "planner", task_query))
    finally:
        service.stop()


def _measured(
    cell: tuple[str, str, str], service: Service, picker: Picker, args: argparse.Namespace
) -> str:
    """One cell's row: the load `picker` makes on `service`, as the table prints it."""
    outcome = run_load(
        "127.0.0.1",
        service.port,
        picker,
        args.connections,
        args.seconds,
        server_cpu=service.cpu_seconds,
    )
    assert outcome.failures == 0, outcome.statuses
    return (
        f"| {' | '.join(cell)} | {outcome.percentile(0.5) * 1000:.2f} | "
        f"{outcome.percentile(0.99) * 1000:.2f} | {outcome.rate:,.0f} | "
        f"{outcome.cpu_ms_per_request:.2f} |"
    )


def _picker(paths: list[str], token: str) -> Picker:
    def pick(rng: random.Random) -> tuple[Request, str]:
        return ("GET", rng.choice(paths), None, ""), token

    return pick


if __name__ == "__main__":
    main()

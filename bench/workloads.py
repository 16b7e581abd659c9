"""Seeded data and the request mixes: the same for every target, so only the server differs."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import psycopg

from bench.loadgen import Picker, Request
from tests.support.tokens import sign, soon

USERS = [f"u{n}" for n in range(100)]  # 20 tasks each: read, toggled and updated
WRITERS = [f"w{n}" for n in range(100)]  # create into these, so that reads see fixed lists
BIG = "big"  # 10,000 tasks
CREATE = json.dumps({"title": "bench task", "description": "created by the benchmark"}).encode()
UPDATE = json.dumps({"title": "updated title", "description": "updated"}).encode()


def seed(database_url: str) -> dict[str, list[int]]:
    """100 users x 20 tasks plus one user with 10,000; returns each user's task ids."""
    with psycopg.connect(database_url, autocommit=True) as db:
        columns = "user_id, title, description, completed, created_at, updated_at"
        db.execute(
            f"INSERT INTO tasks ({columns}) SELECT 'u' || (g % 100), 'task ' || g, "  # noqa: S608
            "'seeded', false, now(), now() FROM generate_series(0, 1999) g"
        )
        db.execute(
            f"INSERT INTO tasks ({columns}) SELECT 'big', 'task ' || g, "  # noqa: S608
            "'seeded', false, now(), now() FROM generate_series(1, 10000) g"
        )
        db.execute("ANALYZE tasks")
        rows = db.execute(
            "SELECT user_id, array_agg(id ORDER BY id) FROM tasks WHERE user_id LIKE 'u%%' "
            "GROUP BY user_id"
        ).fetchall()
    return {user: list(ids) for user, ids in rows}


def tokens(secret: str) -> dict[str, str]:
    expires = soon(24 * 3600)
    return {
        user: sign({"sub": user, "exp": expires}, key=secret) for user in [*USERS, *WRITERS, BIG]
    }


def pickers(ids: dict[str, list[int]], token: dict[str, str]) -> dict[str, Picker]:
    def one(make: Callable[[random.Random, str], Request]) -> Picker:
        def pick(rng: random.Random) -> tuple[Request, str]:
            user = rng.choice(USERS)
            return make(rng, user), token[user]

        return pick

    def task(rng: random.Random, user: str) -> int:
        return rng.choice(ids[user])

    by_name: dict[str, Picker] = {
        "list": one(lambda rng, u: ("GET", f"/api/{u}/tasks", None, "")),
        "get": one(lambda rng, u: ("GET", f"/api/{u}/tasks/{task(rng, u)}", None, "")),
        "toggle": one(
            lambda rng, u: ("PATCH", f"/api/{u}/tasks/{task(rng, u)}/complete", None, "")
        ),
        "update": one(lambda rng, u: ("PUT", f"/api/{u}/tasks/{task(rng, u)}", UPDATE, "")),
    }

    def create(rng: random.Random) -> tuple[Request, str]:
        writer = rng.choice(WRITERS)
        return ("POST", f"/api/{writer}/tasks", CREATE, ""), token[writer]

    def create_keyed(rng: random.Random) -> tuple[Request, str]:
        """A create as a careful client sends it: a fresh Idempotency-Key every time."""
        writer = rng.choice(WRITERS)
        key = f"Idempotency-Key: {rng.getrandbits(128):032x}\r\n"
        return ("POST", f"/api/{writer}/tasks", CREATE, key), token[writer]

    by_name["create"] = create
    by_name["create keyed"] = create_keyed
    weights = {"get": 40, "list": 30, "create": 10, "toggle": 10, "update": 10}
    names, shares = list(weights), list(weights.values())

    def mix(rng: random.Random) -> tuple[Request, str]:
        return by_name[rng.choices(names, shares)[0]](rng)

    by_name["mix"] = mix
    by_name["list 10k"] = lambda rng: (("GET", f"/api/{BIG}/tasks", None, ""), token[BIG])
    return by_name

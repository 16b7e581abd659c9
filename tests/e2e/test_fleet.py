"""The API as a fleet: three replicas behind HAProxy, on PgBouncer in transaction mode (with
its defaults: no startup `options`), rate limits counted in Redis. Under steady load from
eight users, a rolling restart shows clients no error; a replica killed mid-load loses no
acknowledged create and stores none twice; a rate limit hit through one replica counts on all.
"""

from __future__ import annotations

import itertools
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx2
import psycopg
import pytest

from tests.support.clients import fresh_user
from tests.support.databases import create_database, drop_database
from tests.support.fleet import Fleet, Replica, running_fleet, tool
from tests.support.redis import require_redis
from tests.support.tokens import SECRET, auth

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/11"  # fresh users' counters only, left to expire
CLIENTS, PACE = 8, 12  # users, and requests a second each: under the 40/second limits
SETTLE = 1.5  # after /readyz, for HAProxy's `rise 2` at 500 ms
SETTINGS = {
    "REDIS_URL": REDIS_URL,
    "BETTER_AUTH_SECRET": SECRET,
    "SHUTDOWN_DRAIN_SECONDS": "2",  # over HAProxy's inter x fall
    "SHUTDOWN_GRACE_SECONDS": "5",
    "RATE_LIMIT_READS": "40/second",
    "RATE_LIMIT_WRITES": "40/second",
    "ACCESS_LOG": "false",
}
Outcome = httpx2.Response | httpx2.TransportError


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    tool("pgbouncer")
    tool("haproxy")
    require_redis()
    try:
        direct = create_database("todo_fleet")
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at TEST_DATABASE_URL ({type(error).__name__})")
    try:
        with running_fleet(tmp_path_factory.mktemp("fleet"), direct, SETTINGS) as running:
            yield running
    finally:
        drop_database(direct)


def ok(outcome: Outcome) -> bool:
    return isinstance(outcome, httpx2.Response) and outcome.status_code in (200, 201, 204, 304)


def mendable(outcome: Outcome) -> bool:
    """A failure a keyed create may be retried after: the replica went away or was down."""
    return not isinstance(outcome, httpx2.Response) or outcome.status_code in (502, 503)


def described(outcome: Outcome) -> str:
    if isinstance(outcome, httpx2.Response):
        return f"{outcome.status_code} via {outcome.headers.get('x-served-by', 'HAProxy')}"
    return type(outcome).__name__


@dataclass
class Tally:
    """What the clients saw, by the phase each request was sent in."""

    phase: str = "steady"
    sent: int = 0
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # (phase, what)
    retries: Counter[tuple[str, str]] = field(default_factory=Counter)  # what was retried
    acked: dict[str, dict[int, str]] = field(default_factory=dict)  # user: {id: title}
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(
        self, http: httpx2.Client, method: str, url: str, *, retry_allowed: bool = False, **kw: Any
    ) -> Outcome:
        """The answer; a failure counts as an error unless the caller will retry it."""
        phase = self.phase
        try:
            outcome: Outcome = http.request(method, url, **kw)
        except httpx2.TransportError as error:
            outcome = error
        with self.lock:
            self.sent += 1
            if retry_allowed and mendable(outcome):
                self.retries[phase, described(outcome)] += 1
            elif not ok(outcome):
                self.errors[phase, f"{method} {described(outcome)}"] += 1
        return outcome

    def by_phase(self) -> dict[str, int]:
        phases = ("steady", "rolling", "kill", "recovered")
        return {p: sum(n for (at, _), n in self.errors.items() if at == p) for p in phases}


def client(base: str, user: str, tally: Tally, done: threading.Event) -> None:
    """One user at PACE requests a second until `done`: keyed creates (retried once, same key
    and body, after a lost connection, 502 or 503), lists, and toggles of its own tasks."""
    rng, mine, tasks = random.Random(user), tally.acked.setdefault(user, {}), f"/api/{user}/tasks"
    with httpx2.Client(base_url=base, headers=auth(user), timeout=10) as http:
        due = time.monotonic()
        for n in itertools.count():
            due = max(due + 1 / PACE, time.monotonic())  # when late, no burst to catch up
            if done.wait(max(0.0, due - time.monotonic())):
                return
            roll = rng.random()
            if roll < 0.4 or not mine:
                title, key = f"{user} #{n}", str(uuid.uuid4())
                create: dict[str, Any] = {
                    "json": {"title": title},
                    "headers": {"Idempotency-Key": key},
                }
                made = tally.send(http, "POST", tasks, retry_allowed=True, **create)
                if mendable(made):
                    made = tally.send(http, "POST", tasks, **create)
                if isinstance(made, httpx2.Response) and ok(made):
                    mine[made.json()["id"]] = title
            elif roll < 0.75:
                tally.send(http, "GET", tasks)
            else:
                tally.send(http, "PATCH", f"{tasks}/{rng.choice(list(mine))}/complete")


def restart(replica: Replica, how: signal.Signals) -> None:
    """SIGTERM (it drains, then stops) or SIGKILL; started again on its port once gone."""
    replica.process.send_signal(how)
    code = replica.process.wait(timeout=15)
    assert how == signal.SIGKILL or code in (0, -signal.SIGTERM), replica.output
    if how == signal.SIGKILL:
        time.sleep(2)
    replica.restart()
    replica.wait_ready(30)
    time.sleep(SETTLE)


def test_a_rolling_restart_costs_clients_nothing_and_a_kill_loses_no_create(fleet: Fleet) -> None:
    tally, done = Tally(), threading.Event()
    began = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        clients = [
            pool.submit(client, fleet.base, fresh_user(), tally, done) for _ in range(CLIENTS)
        ]
        try:
            time.sleep(3)
            tally.phase = "rolling"
            for replica in fleet.replicas:
                restart(replica, signal.SIGTERM)
            tally.phase = "steady"
            time.sleep(2)
            tally.phase = "kill"
            time.sleep(0.5)  # the requests sent before are answered: the kill's are "kill"'s
            restart(fleet.replicas[1], signal.SIGKILL)
            tally.phase = "recovered"
            time.sleep(max(3.0, 32 - (time.monotonic() - began)))
        finally:
            done.set()
        for running in clients:
            running.result(timeout=15)  # a client's own failure fails the test
    loaded = time.monotonic() - began

    lost = duplicated = 0
    unlisted: list[str] = []
    with httpx2.Client(base_url=fleet.base, timeout=10) as http:
        for user, acked in tally.acked.items():
            listed = http.get(f"/api/{user}/tasks", headers=auth(user))
            if listed.status_code != 200:
                unlisted.append(listed.text)
                continue
            stored = {task["id"]: task["title"] for task in listed.json()}
            lost += sum(stored.get(id_) != title for id_, title in acked.items())
            duplicated += sum(n - 1 for n in Counter(stored.values()).values())
    acknowledged = sum(len(acked) for acked in tally.acked.values())
    killed = {what: n for (at, what), n in tally.errors.items() if at == "kill"}
    retried = {f"{at}: {what}": n for (at, what), n in tally.retries.items()}
    print(
        f"\nfleet: {tally.sent} requests in {loaded:.0f} s from {CLIENTS} users, 4 restarts "
        f"(3 rolling SIGTERM, 1 SIGKILL); client errors by phase {tally.by_phase()} (kill: "
        f"{killed}); create retries {retried}; {acknowledged} acknowledged "
        f"creates, {lost} lost, {duplicated} duplicated, {len(unlisted)} users unlisted"
    )
    calm = {seen: n for seen, n in tally.errors.items() if seen[0] != "kill"}
    assert not calm, f"errors outside the kill: {calm}"
    assert not unlisted, unlisted
    assert (lost, duplicated) == (0, 0)
    assert acknowledged > CLIENTS * 50  # the load ran


def test_a_rate_limit_hit_through_one_replica_counts_on_all(fleet: Fleet) -> None:
    user = fresh_user()

    def burst(times: int) -> list[httpx2.Response]:
        with httpx2.Client(base_url=fleet.base, headers=auth(user), timeout=10) as http:
            return [http.get(f"/api/{user}/tasks") for _ in range(times)]

    began = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        replies = [reply for part in pool.map(burst, [25] * 4) for reply in part]
    took = time.monotonic() - began
    limited = [reply for reply in replies if reply.status_code == 429]
    by = Counter(reply.headers.get("x-served-by") for reply in replies)
    print(f"\nrate limit: {len(replies)} GETs in {took:.2f} s via {dict(by)}: {len(limited)} x 429")
    assert {reply.status_code for reply in replies} <= {200, 429}
    assert len(by) == len(fleet.replicas)
    assert len(limited) >= 20
    for reply in limited:
        assert reply.headers["content-type"].startswith("application/problem+json")
        assert reply.json()["code"] == "rate_limited"
        assert {"retry-after", "ratelimit", "ratelimit-policy"} <= set(reply.headers)

"""Request budgets over HTTP: in memory, and shared through the real Redis.

What this proves:

- past `RATE_LIMIT_READS` / `RATE_LIMIT_WRITES` a request is 429 `rate_limited`, a problem
  with `Retry-After`, `RateLimit` and `RateLimit-Policy` (IETF httpapi draft), which a page
  on an allowed origin can read; answers within the budget carry the policy;
- reads and writes have budgets of their own, per user; a refused write writes nothing;
- a request without a valid token spends its client address's budget, so past it even a
  token guess is 429, while users with valid tokens are not held up by it;
- probes are never limited; `0` turns a limit off;
- with REDIS_URL, two apps (two replicas) spend one budget (each counting a small share alone
  before it asks Redis); with Redis unreachable each counts alone, one warning says so,
  nothing is a 500.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.apps import memory_app
from tests.support.redis import private_redis
from tests.support.servers import free_port
from tests.support.tokens import auth, bearer, token_for
from todo_api.rate_limits import budgets

PROBLEM = "application/problem+json"
PAGE = "http://localhost:3000"
REDIS = "redis://127.0.0.1:6379/0"


@contextmanager
def client(**settings: object) -> Iterator[TestClient]:
    app, _, _ = memory_app(**settings)
    with TestClient(app) as test_client:
        yield test_client


def fresh() -> str:
    """A user no other test (or earlier run, through Redis) has spent budget for."""
    return f"user-{uuid.uuid4().hex[:12]}"


def test_past_the_read_budget_a_request_is_a_readable_429_problem() -> None:
    user = fresh()
    with client(rate_limit_reads="3/minute") as api:
        for _ in range(3):
            answer = api.get(f"/api/{user}/tasks", headers=auth(user))
            assert answer.status_code == 200
            assert answer.headers["ratelimit-policy"] == '"reads";q=3;w=60'
        refused = api.get(f"/api/{user}/tasks", headers={**auth(user), "Origin": PAGE})
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert "3 per 1 minute" in body["detail"]
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60
    assert refused.headers["ratelimit"] == f'"reads";r=0;t={wait}'
    assert refused.headers["ratelimit-policy"] == '"reads";q=3;w=60'
    exposed = refused.headers["access-control-expose-headers"].lower()
    assert {"retry-after", "ratelimit", "ratelimit-policy"} <= set(exposed.split(", "))
    assert refused.headers["access-control-allow-origin"] == PAGE


def test_reads_and_writes_have_their_own_budgets_and_a_refused_write_writes_nothing() -> None:
    user = fresh()
    tasks = f"/api/{user}/tasks"
    with client(rate_limit_reads="2/minute", rate_limit_writes="2/minute") as api:
        for title in ("one", "two"):
            assert api.post(tasks, json={"title": title}, headers=auth(user)).status_code == 201
        refused = api.post(tasks, json={"title": "three"}, headers=auth(user))
        assert refused.status_code == 429
        assert refused.headers["ratelimit-policy"] == '"writes";q=2;w=60'
        listed = api.get(tasks, headers=auth(user))  # reads are still within theirs
        assert listed.status_code == 200
        assert [task["title"] for task in listed.json()] == ["one", "two"]


def test_each_user_has_a_budget_of_their_own() -> None:
    alice, bob = fresh(), fresh()
    with client(rate_limit_reads="1/minute") as api:
        assert api.get(f"/api/{alice}/tasks", headers=auth(alice)).status_code == 200
        assert api.get(f"/api/{alice}/tasks", headers=auth(alice)).status_code == 429
        assert api.get(f"/api/{bob}/tasks", headers=auth(bob)).status_code == 200


def test_requests_without_a_valid_token_spend_the_address_budget() -> None:
    user = fresh()
    with client(rate_limit_reads="3/minute") as api:
        guesses = [
            api.get(f"/api/{user}/tasks", headers=bearer(f"guess-{n}")).status_code
            for n in range(3)
        ]
        assert guesses == [401, 401, 401]
        assert api.get(f"/api/{user}/tasks").status_code == 429  # no token at all
        assert api.get(f"/api/{user}/tasks", headers=bearer("guess")).status_code == 429
        assert api.get("/", headers={}).status_code == 429  # the root is by address too
        assert api.get(f"/api/{user}/tasks", headers=auth(user)).status_code == 200


def test_an_expired_token_is_not_a_guess_and_spends_no_address_budget() -> None:
    user = fresh()
    expired = bearer(token_for(user, ttl_seconds=-120))
    with client(rate_limit_reads="2/minute") as api:
        answers = [api.get(f"/api/{user}/tasks", headers=expired) for _ in range(4)]
        guesses = [api.get(f"/api/{user}/tasks", headers=bearer("guess")) for _ in range(3)]
    assert {answer.json()["code"] for answer in answers} == {"token_expired"}
    assert [guess.status_code for guess in guesses] == [401, 401, 429]


@pytest.mark.parametrize("probe", ["/health", "/health/ready", "/livez", "/readyz"])
def test_probes_are_never_limited(probe: str) -> None:
    with client(rate_limit_reads="1/minute") as api:
        assert {api.get(probe).status_code for _ in range(5)} == {200}


def test_zero_turns_a_limit_off() -> None:
    user = fresh()
    with client(rate_limit_reads="0", rate_limit_writes="1/minute") as api:
        answers = [api.get(f"/api/{user}/tasks", headers=auth(user)) for _ in range(20)]
    assert {answer.status_code for answer in answers} == {200}
    assert "ratelimit-policy" not in answers[0].headers


def test_the_openapi_document_says_when_and_how_a_request_is_refused() -> None:
    with client() as api:
        schema = api.get("/openapi.json").json()
    create = schema["paths"]["/api/{user_id}/tasks"]["post"]["responses"]["429"]
    assert set(create["headers"]) == {"Retry-After", "RateLimit", "RateLimit-Policy"}
    assert PROBLEM in create["content"]


@pytest.mark.usefixtures("redis_server")
def test_two_replicas_on_redis_spend_one_budget() -> None:
    user = fresh()
    settings = {"rate_limit_writes": "3/minute", "redis_url": REDIS}
    with client(**settings) as first, client(**settings) as second:
        answers = [
            replica.post(f"/api/{user}/tasks", json={"title": "t"}, headers=auth(user))
            for replica in (first, second, first, second)
        ]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]


def test_with_redis_unreachable_each_process_counts_alone_and_one_warning_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = fresh()
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    with (
        caplog.at_level(logging.WARNING, logger="todo_api"),
        client(rate_limit_reads="4/minute", redis_url=nowhere) as api,
    ):
        statuses = [api.get(f"/api/{user}/tasks", headers=auth(user)).status_code for _ in range(6)]
    assert statuses == [200] * 4 + [429] * 2  # no 500; the process's own count still holds
    assert time.monotonic() - started < 3  # one short timeout, then not asked for a while
    warnings = [r.getMessage() for r in caplog.records if "rate limits" in r.getMessage()]
    assert len(warnings) == 1
    assert "not shared" in warnings[0]
    assert nowhere not in caplog.text


@pytest.mark.usefixtures("redis_server")
def test_a_process_asks_redis_only_past_its_share_and_hands_over_what_it_counted() -> None:
    """At 100 a minute, each process counts 5 alone (LOCAL_SHARE); the 6th and later are
    counted in Redis, the first 5 with them: two replicas at 50 each meet the budget."""
    user = fresh()
    settings = {"rate_limit_writes": "100/minute", "redis_url": REDIS}
    with client(**settings) as first, client(**settings) as second:
        answers = [
            replica.post(f"/api/{user}/tasks", json={"title": "t"}, headers=auth(user))
            for _ in range(55)
            for replica in (first, second)
        ]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:100] == [201] * 100
    assert set(statuses[100:]) == {429}


def test_once_redis_answers_again_the_budget_is_shared_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Two replicas on a private Redis, stopped and started again: meanwhile each counts alone
    (what it counted then is not handed over); once Redis answers, one count again."""
    monkeypatch.setattr(budgets, "REDIS_RETRY_SECONDS", 0.2)
    user = fresh()
    tasks = f"/api/{user}/tasks"
    with (
        private_redis(tmp_path) as redis_server,
        caplog.at_level(logging.INFO, logger="todo_api"),
        client(rate_limit_reads="10/minute", redis_url=redis_server.url) as first,
        client(rate_limit_reads="10/minute", redis_url=redis_server.url) as second,
    ):
        redis_server.stop()
        alone = [first.get(tasks, headers=auth(user)).status_code for _ in range(2)]
        redis_server.start()  # empty
        time.sleep(0.3)
        shared = [
            replica.get(tasks, headers=auth(user)).status_code
            for replica in (first, *[second] * 10)
        ]
    assert alone == [200, 200]
    assert shared == [200] * 10 + [429]  # first's one, second's nine: ten in Redis
    said = [r.getMessage().split(":")[0] for r in caplog.records if "rate limits" in r.msg]
    assert said == ["rate limits not shared", "rate limits shared again"]


def test_redis_on_a_unix_socket_is_shared_too(tmp_path: Path) -> None:
    """REDIS_URL=unix://... (which `limits` spells `redis+unix`) counts like redis://."""
    user = fresh()
    tasks = f"/api/{user}/tasks"
    with (
        private_redis(tmp_path, unix_socket=True) as redis_server,
        client(rate_limit_reads="10/minute", redis_url=redis_server.url) as first,
        client(rate_limit_reads="10/minute", redis_url=redis_server.url) as second,
    ):
        assert redis_server.url.startswith("unix://")
        replicas = [first] * 5 + [second] * 6
        shared = [replica.get(tasks, headers=auth(user)).status_code for replica in replicas]
    assert shared == [200] * 10 + [429]  # alone, the second would have allowed all its six

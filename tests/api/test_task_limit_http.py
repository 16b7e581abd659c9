"""MAX_TASKS_PER_USER over HTTP: past it a create is 409 `task_limit_reached` (plain or with
an Idempotency-Key, whose retry after a deletion is tried afresh), other writes still work."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.apps import memory_app
from tests.support.tokens import auth

TASKS = "/api/alice/tasks"
ALICE = auth("alice")


def test_a_create_past_the_limit_is_a_409_problem_and_stores_nothing() -> None:
    app, _, _ = memory_app(max_tasks_per_user=2)
    with TestClient(app) as api:
        first = api.post(TASKS, json={"title": "one"}, headers=ALICE).json()
        api.post(TASKS, json={"title": "two"}, headers=ALICE)
        refused = api.post(TASKS, json={"title": "three"}, headers=ALICE)
        keyed = {**ALICE, "Idempotency-Key": "third"}
        refused_keyed = api.post(TASKS, json={"title": "three"}, headers=keyed)
        toggled = api.patch(f"{TASKS}/{first['id']}/complete", headers=ALICE)
        assert api.delete(f"{TASKS}/{first['id']}", headers=ALICE).status_code == 204
        retried = api.post(TASKS, json={"title": "three"}, headers=keyed)
        listed = api.get(TASKS, headers=ALICE).json()
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "task_limit_reached"
    assert "2 tasks" in refused.json()["detail"]
    assert refused_keyed.status_code == 409
    assert toggled.status_code == 200
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert [task["title"] for task in listed] == ["two", "three"]

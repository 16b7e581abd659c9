"""Pages, filters and orders on the list; ETags and conditional requests on tasks, over HTTP
on memory and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.tokens import auth

ALICE = auth("alice")
TASKS = "/api/alice/tasks"


def add(client: TestClient, title: str, **fields: Any) -> dict[str, Any]:
    response = client.post(TASKS, json={"title": title, **fields}, headers=ALICE)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def next_link(response: Any) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    matched = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert matched, link
    return matched.group(1)


def test_no_parameters_is_the_whole_list_as_the_seed_has_it(client: TestClient) -> None:
    ids = [add(client, f"t{n}")["id"] for n in range(3)]
    response = client.get(TASKS, headers=ALICE)
    assert [t["id"] for t in response.json()] == ids
    assert "link" not in response.headers


def test_following_next_returns_every_task_once(client: TestClient) -> None:
    ids = [add(client, f"t{n}")["id"] for n in range(7)]
    seen: list[int] = []
    url: str | None = f"{TASKS}?limit=3&sort=-id"
    pages = 0
    while url:
        response = client.get(url, headers=ALICE)
        assert response.status_code == 200, response.text
        assert len(response.json()) <= 3
        seen += [t["id"] for t in response.json()]
        url = next_link(response)
        pages += 1
    assert seen == ids[::-1]
    assert pages == 3


def test_filters_and_orders(client: TestClient) -> None:
    add(client, "Buy milk", description="2 litres")
    add(client, "buy BREAD", completed=True)
    add(client, "100% done_deal")

    def titles(query: str) -> list[str]:
        return [t["title"] for t in client.get(f"{TASKS}?{query}", headers=ALICE).json()]

    assert titles("q=BUY&sort=title") == ["Buy milk", "buy BREAD"]
    assert titles("q=litre") == ["Buy milk"]
    assert titles("completed=true") == ["buy BREAD"]
    assert titles("completed=false&sort=-id") == ["100% done_deal", "Buy milk"]
    assert titles("q=%25") == ["100% done_deal"]  # `%` is literal
    assert titles("q=_") == ["100% done_deal"]  # so is `_`


def test_the_seed_specs_spellings_of_status_and_sort(client: TestClient) -> None:
    """A frontend written against the seed's REST spec sends `?status=all&sort=created` on
    every list call: it gets the whole list, newest first, not a 422."""
    first = add(client, "first")["id"]
    done = add(client, "done", completed=True)["id"]
    last = add(client, "last")["id"]

    def ids(query: str) -> list[int]:
        response = client.get(f"{TASKS}?{query}", headers=ALICE)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()]

    assert ids("status=all&sort=created") == [last, done, first]
    assert ids("status=pending") == [first, last]
    assert ids("status=completed&sort=title") == [done]
    assert ids("status=all&sort=created&limit=2") == [last, done]  # and a next page


BAD_QUERIES = {
    "status unknown": ("status=done", 422),
    "sort due date descending (no such spelling)": ("sort=-due_date", 422),
    "unknown parameter": ("page=2", 422),
    "limit 0": ("limit=0", 422),
    "limit 501": ("limit=501", 422),
    "limit text": ("limit=ten", 422),
    "limit huge": ("limit=" + "9" * 40, 422),
    "sort unknown": ("sort=urgency", 422),
    "sort injection": ("sort=id;DROP TABLE tasks", 422),
    "completed maybe": ("completed=maybe", 422),
    "q empty": ("q=", 422),
    "q too long": ("q=" + "x" * 101, 422),
    "q NUL": ("q=a%00b", 422),
    "cursor forged": ("limit=2&cursor=eyJ2IjoxfQ", 400),
    "cursor garbage": ("limit=2&cursor=%F0%9F%8E%89", 400),
    "cursor huge": ("limit=2&cursor=" + "A" * 5000, 422),
}


@pytest.mark.parametrize(("query", "status"), BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_bad_list_parameters_are_problems(client: TestClient, query: str, status: int) -> None:
    add(client, "kept")
    response = client.get(f"{TASKS}?{query}", headers=ALICE)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in ("invalid_request", "invalid_query", "invalid_cursor")
    assert [t["title"] for t in client.get(TASKS, headers=ALICE).json()] == ["kept"]


def test_status_and_completed_together_conflict(client: TestClient) -> None:
    response = client.get(f"{TASKS}?status=pending&completed=true", headers=ALICE)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "conflicting_parameters"


def test_another_users_cursor_is_400_not_their_data(client: TestClient) -> None:
    for n in range(3):
        client.post("/api/bob/tasks", json={"title": f"bob {n}"}, headers=auth("bob"))
    page = client.get("/api/bob/tasks?limit=1", headers=auth("bob"))
    cursor = next_link(page)
    assert cursor is not None
    stolen = client.get(f"{TASKS}?{cursor.split('?')[1]}", headers=ALICE)
    assert stolen.status_code == 400
    assert stolen.json()["code"] == "invalid_cursor"


def test_every_task_answer_carries_its_version_as_etag(client: TestClient) -> None:
    created = client.post(TASKS, json={"title": "v"}, headers=ALICE)
    assert created.headers["etag"] == '"1"'
    one = created.headers["location"]
    assert client.get(one, headers=ALICE).headers["etag"] == '"1"'
    changed = client.put(one, json={"title": "w"}, headers=ALICE)
    assert changed.headers["etag"] == '"2"'
    toggled = client.patch(f"{one}/complete", headers=ALICE)
    assert toggled.headers["etag"] == '"3"'
    assert toggled.json()["version"] == 3


def test_if_none_match_answers_304_while_nothing_changed(client: TestClient) -> None:
    task = add(client, "cached")
    one = f"{TASKS}/{task['id']}"
    etag = client.get(one, headers=ALICE).headers["etag"]
    unchanged = client.get(one, headers={**ALICE, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    listed = client.get(TASKS, headers=ALICE)
    list_etag = listed.headers["etag"]
    assert client.get(TASKS, headers={**ALICE, "If-None-Match": list_etag}).status_code == 304
    client.put(one, json={"title": "changed"}, headers=ALICE)
    assert client.get(one, headers={**ALICE, "If-None-Match": etag}).status_code == 200
    assert client.get(TASKS, headers={**ALICE, "If-None-Match": list_etag}).status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("PUT", "", {"title": "mine"}), ("PATCH", "/complete", None), ("DELETE", "", None)],
)
def test_if_match_refuses_a_stale_write_and_changes_nothing(
    client: TestClient, method: str, suffix: str, body: object
) -> None:
    task = add(client, "shared")
    one = f"{TASKS}/{task['id']}"
    client.put(one, json={"title": "theirs"}, headers=ALICE)  # another tab wrote: now "2"
    before = client.get(one, headers=ALICE).json()
    for stale in ('"1"', 'W/"2"', '"02"', '"x"', '"99999999999999999999"', "2"):
        response = client.request(
            method, one + suffix, json=body, headers={**ALICE, "If-Match": stale}
        )
        assert response.status_code == 412, (stale, response.text)
        assert response.json()["code"] == "task_changed"
    assert client.get(one, headers=ALICE).json() == before
    several = client.request(
        method, one + suffix, json=body, headers={**ALICE, "If-Match": '"1", "2"'}
    )
    assert several.status_code == 400
    current = client.request(method, one + suffix, json=body, headers={**ALICE, "If-Match": '"2"'})
    assert current.status_code in (200, 204), current.text


def test_if_match_on_a_missing_task_is_404(client: TestClient) -> None:
    response = client.put(
        f"{TASKS}/999999", json={"title": "x"}, headers={**ALICE, "If-Match": '"1"'}
    )
    assert response.status_code == 404


def test_post_may_create_a_completed_task(client: TestClient) -> None:
    assert add(client, "done already", completed=True)["completed"] is True
    refused = client.post(TASKS, json={"title": "x", "completed": "yes"}, headers=ALICE)
    assert refused.status_code == 422

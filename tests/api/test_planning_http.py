"""The planning fields over HTTP, on the in-memory store, at a moment the test sets.

What this proves:

- priority, tags, due_date or due_at, time_zone, recurrence and remind_at round-trip (the
  create's answer, a read, a sync); a seed body gets the defaults; an instant sent with an
  offset is answered in UTC; null clears in a PUT;
- what breaks a rule is 422 naming the field (`invalid_task` for the domain's rules,
  `invalid_request` for a value of the wrong type or form), never a 500;
- the list filters by priority (any of), tag (all of, whatever the case), due before and
  after (days and instants), overdue and having a due; it sorts by priority and due (no due
  last both ways), and its pages (`Link`) keep every repeated parameter;
- `GET /tags` counts the caller's tags, with an ETag;
- completing an open recurring task rolls it forward (the same task, due a period later,
  still open, `last_completed_at` set), and completes it once its series is used up; with
  If-Match and Idempotency-Key as any write (a replay does not roll it twice);
- the document's examples of bodies are accepted, and the tag pattern is the domain's rule.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.apps import memory_app
from tests.support.clocks import SetClock
from tests.support.tokens import auth
from todo_api.http.examples import CREATE_EXAMPLES, UPDATE_EXAMPLES
from todo_api.http.planning import TAG_PATTERN
from todo_core.planning import check_tags
from todo_core.service_async import AsyncTaskService

ALICE = auth("alice")
BOB = auth("bob")
TASKS = "/api/alice/tasks"
TAGS = "/api/alice/tags"
NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)  # a Saturday
STAMP = "2030-06-15T12:00:00Z"  # NOW as the API writes it

EVERY_FIELD = {
    "title": "Water the plants",
    "priority": "high",
    "tags": [" Home ", "weekly", "HOME"],
    "due_at": "2030-06-17T09:00:00+02:00",  # a Monday, in Berlin's summer time
    "time_zone": "Europe/Berlin",
    "recurrence": {"rule": "freq=weekly;byday=mo", "from": "completion"},
    "remind_at": "2030-06-17T08:30:00+02:00",
}
AS_ANSWERED = {
    "title": "Water the plants",
    "description": None,
    "completed": False,
    "priority": "high",
    "tags": ["Home", "weekly"],
    "due_date": None,
    "due_at": "2030-06-17T07:00:00Z",
    "time_zone": "Europe/Berlin",
    "recurrence": {
        "rule": "FREQ=WEEKLY;BYDAY=MO",
        "from": "completion",
        "series_start": "2030-06-17T09:00:00",
    },
    "remind_at": "2030-06-17T06:30:00Z",
    "last_completed_at": None,
}


@pytest.fixture
def clock() -> SetClock:
    return SetClock(NOW)


@pytest.fixture
def api(clock: SetClock) -> Iterator[TestClient]:
    """The app on memory, its service on the test's clock."""
    app, container, _ = memory_app()
    service = providers.Singleton(
        AsyncTaskService,
        container.task_store.provided.repository,
        clock,
        occurrences=container.occurrences,
    )
    with container.task_service.override(service), TestClient(app) as client:
        yield client


def add(api: TestClient, title: str = "task", **fields: Any) -> dict[str, Any]:
    response = api.post(TASKS, json={"title": title, **fields}, headers=ALICE)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def put(api: TestClient, task_id: int, **headers: str) -> Any:
    return lambda body: api.put(f"{TASKS}/{task_id}", json=body, headers={**ALICE, **headers})


def fields_of(task: dict[str, Any], names: Any = AS_ANSWERED) -> dict[str, Any]:
    return {name: task[name] for name in names}


# Round trips


def test_every_field_round_trips(api: TestClient) -> None:
    made = add(api, **EVERY_FIELD)
    assert fields_of(made) == AS_ANSWERED
    read = api.get(f"{TASKS}/{made['id']}", headers=ALICE).json()
    assert read == made
    assert api.get(TASKS, headers=ALICE).json() == [made]


def test_a_seed_body_gets_the_defaults(api: TestClient) -> None:
    made = add(api, "Buy milk", description="2 litres")
    assert fields_of(made, list(AS_ANSWERED)[3:]) == {
        "priority": "medium",
        "tags": [],
        "due_date": None,
        "due_at": None,
        "time_zone": None,
        "recurrence": None,
        "remind_at": None,
        "last_completed_at": None,
    }


def test_a_moment_with_an_offset_is_answered_in_utc(api: TestClient) -> None:
    made = add(api, due_at="2030-06-20T23:30:00.250-05:00", remind_at="2030-06-20T12:00:00Z")
    assert (made["due_at"], made["remind_at"]) == (
        "2030-06-21T04:30:00.250000Z",
        "2030-06-20T12:00:00Z",
    )


def test_a_due_date_round_trips_as_a_day(api: TestClient) -> None:
    made = add(api, due_date="2030-12-31", time_zone="Pacific/Kiritimati")
    assert (made["due_date"], made["due_at"], made["time_zone"]) == (
        "2030-12-31",
        None,
        "Pacific/Kiritimati",
    )


def test_null_clears_an_optional_field_in_a_put(api: TestClient) -> None:
    made = add(api, **EVERY_FIELD)
    cleared = {"due_at": None, "time_zone": None, "recurrence": None, "remind_at": None}
    response = put(api, made["id"])({**cleared, "tags": []})
    assert response.status_code == 200, response.text
    task = response.json()
    assert fields_of(task, [*cleared, "tags", "priority"]) == {
        **cleared,
        "tags": [],
        "priority": "high",
    }
    assert task["version"] == 2


def test_a_put_changes_only_what_it_sends(api: TestClient) -> None:
    made = add(api, **EVERY_FIELD)
    task = put(api, made["id"])({"priority": "low", "tags": ["later"]}).json()
    assert fields_of(task) == {**AS_ANSWERED, "priority": "low", "tags": ["later"]}


def test_a_due_of_one_kind_replaces_the_other(api: TestClient) -> None:
    made = add(api, due_at="2030-07-01T10:00:00Z")
    task = put(api, made["id"])({"due_date": "2030-07-02"}).json()
    assert (task["due_date"], task["due_at"]) == ("2030-07-02", None)


def test_a_sync_has_the_new_fields(api: TestClient) -> None:
    made = add(api, **EVERY_FIELD)
    synced = api.get(f"{TASKS}?changed_since=0", headers=ALICE).json()
    assert synced["tasks"] == [made]


# Refusals: 422 naming the field


WEEKLY = {"rule": "FREQ=WEEKLY"}
INVALID_TASK = [
    ({"due_date": "2030-07-01", "due_at": "2030-07-01T10:00:00Z"}, "due_at"),
    ({"recurrence": WEEKLY}, "recurrence"),
    ({"due_date": "2030-07-01", "time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"due_date": "2030-07-01", "recurrence": {"rule": "FREQ=HOURLY"}}, "recurrence"),
    ({"due_date": "2030-07-01", "recurrence": {"rule": "FREQ=MONTHLY;BYSETPOS=-1"}}, "recurrence"),
    ({"due_date": "2030-07-01", "recurrence": {"rule": "FREQ=DAILY;COUNT=1"}}, "recurrence"),
    ({"due_date": "2030-07-01", "recurrence": {"rule": "FREQ=DAILY;UNTIL=20300630"}}, "recurrence"),
    ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
    ({"tags": ["x" * 51]}, "tags"),
    ({"tags": ["   "]}, "tags"),
    ({"tags": ["new\nline"]}, "tags"),
    ({"priority": "urgent"}, "priority"),
]
INVALID_REQUEST = [  # the wrong type, or not the form the document gives
    ({"priority": 3}, ["priority"]),
    ({"priority": None}, ["priority"]),
    ({"tags": "work"}, ["tags"]),
    ({"tags": [1]}, ["tags", 0]),
    ({"due_date": "2030-02-30"}, ["due_date"]),
    ({"due_date": "0"}, ["due_date"]),
    ({"due_date": "1969-12-31"}, ["due_date"]),  # the years 1970 to 2999 only
    ({"due_date": "3000-01-01"}, ["due_date"]),
    ({"due_date": "2030-07-01T00:00:00Z"}, ["due_date"]),
    ({"due_at": "2030-07-01T10:00:00"}, ["due_at"]),  # no offset: a guess about the zone
    ({"due_at": "2030-07-01 10:00:00Z"}, ["due_at"]),
    ({"due_at": "1700000000"}, ["due_at"]),
    ({"due_at": "0001-01-01T00:00:00+05:00"}, ["due_at"]),  # no UTC for it: not a 500
    ({"remind_at": "9999-12-31T23:00:00-05:00"}, ["remind_at"]),
    ({"time_zone": 1}, ["time_zone"]),
    ({"recurrence": "FREQ=DAILY"}, ["recurrence"]),
    ({"recurrence": {"rule": "FREQ=DAILY", "from": "later"}}, ["recurrence", "from"]),
    ({"recurrence": {"rule": "FREQ=DAILY", "start_from": "due"}}, ["recurrence", "start_from"]),
    ({"recurrence": {"from": "due"}}, ["recurrence", "rule"]),
    ({"due": "2030-07-01"}, ["due"]),
]


def assert_refused(response: Any, code: str, loc: list[Any]) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert [error["loc"] for error in problem["errors"]] == [["body", *loc]]


@pytest.mark.parametrize(("body", "field"), INVALID_TASK)
def test_a_broken_rule_is_an_invalid_task_naming_the_field(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    assert_refused(
        api.post(TASKS, json={"title": "t", **body}, headers=ALICE), "invalid_task", [field]
    )
    assert api.get(TASKS, headers=ALICE).json() == []


@pytest.mark.parametrize(("body", "loc"), INVALID_REQUEST)
def test_a_wrong_value_is_an_invalid_request_naming_the_field(
    api: TestClient, body: dict[str, Any], loc: list[Any]
) -> None:
    assert_refused(
        api.post(TASKS, json={"title": "t", **body}, headers=ALICE), "invalid_request", loc
    )


@pytest.mark.parametrize(("body", "field"), [*INVALID_TASK[2:], ({"due_date": None}, "recurrence")])
def test_a_change_is_held_to_the_same_rules(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    """Checked against the stored task too: a recurring task cannot lose its due."""
    made = add(api, due_date="2030-06-17", recurrence=WEEKLY)
    assert_refused(put(api, made["id"])(body), "invalid_task", [field])
    assert api.get(f"{TASKS}/{made['id']}", headers=ALICE).json() == made


def test_a_recurrence_needs_a_due_in_a_change_too(api: TestClient) -> None:
    made = add(api)
    assert_refused(put(api, made["id"])({"recurrence": WEEKLY}), "invalid_task", ["recurrence"])


# Filters and orders


@pytest.fixture
def planned(api: TestClient) -> dict[str, int]:
    """Five tasks, by name; NOW is 2030-06-15 12:00 UTC."""
    ids = {
        "a": add(api, "a", priority="high", tags=["Work", "Urgent"], due_date="2030-06-10"),
        "b": add(api, "b", tags=["work"], due_at="2030-06-20T08:00:00Z"),
        "c": add(api, "c", priority="low", tags=["home"]),
        "d": add(api, "d", priority="high", due_date="2030-06-01", completed=True),
        "e": add(api, "e", priority="low", due_at="2030-06-15T11:00:00Z"),
    }
    return {name: task["id"] for name, task in ids.items()}


def names(api: TestClient, planned: dict[str, int], query: str) -> str:
    response = api.get(f"{TASKS}?{query}", headers=ALICE)
    assert response.status_code == 200, response.text
    by_id = {task_id: name for name, task_id in planned.items()}
    return "".join(by_id[task["id"]] for task in response.json())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=high", "ad"),
        ("priority=high&priority=low", "acde"),
        ("priority=medium&priority=medium", "b"),
        ("tag=work", "ab"),
        ("tag=WORK&tag=urgent", "a"),
        ("tag=%20Home%20", "c"),
        ("tag=home&tag=work", ""),
        ("due_before=2030-06-15", "ad"),  # e is due on the 15th: not before it
        ("due_after=2030-06-15", "be"),  # on or after
        ("due_before=2030-06-15T11:30:00Z", "ade"),
        ("due_after=2030-06-15T13:00:00%2B02:00", "be"),  # 11:00 UTC: e is due then
        ("due_after=2030-06-02&due_before=2030-06-20", "ae"),
        ("overdue=true", "ae"),  # d is done
        ("overdue=false", "bcd"),
        ("has_due=true", "abde"),
        ("has_due=false", "c"),
        ("priority=low&has_due=true&overdue=true", "e"),
    ],
)
def test_filters(api: TestClient, planned: dict[str, int], query: str, expected: str) -> None:
    assert names(api, planned, query) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("priority", "cebad"),  # low first; ties by id
        ("-priority", "dabec"),  # high first; ties by id, descending
        ("due", "daebc"),  # soonest first, no due last
        ("due_date", "daebc"),  # a peer's spelling of `due`
        ("-due", "beadc"),  # latest first, no due last too
    ],
)
def test_orders(api: TestClient, planned: dict[str, int], sort: str, expected: str) -> None:
    assert names(api, planned, f"sort={sort}") == expected


def next_link(response: Any) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    matched = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert matched, link
    return matched.group(1)


@pytest.mark.parametrize(
    "query",
    [
        "sort=priority",
        "sort=-priority",
        "sort=due",
        "sort=-due",
        "sort=-due&priority=high&priority=low",
        "sort=priority&tag=work&tag=WORK",
        "sort=due&due_after=2030-06-01&overdue=false",
        "sort=-priority&has_due=true",
    ],
)
def test_pages_walk_the_whole_list_keeping_every_parameter(
    api: TestClient, planned: dict[str, int], query: str
) -> None:
    whole = names(api, planned, query)
    walked = ""
    url: str | None = f"{TASKS}?{query}&limit=2"
    while url is not None:
        response = api.get(url, headers=ALICE)
        assert response.status_code == 200, response.text
        by_id = {task_id: name for name, task_id in planned.items()}
        walked += "".join(by_id[task["id"]] for task in response.json())
        url = next_link(response)
        if url is not None:
            assert all(f"{pair}&" in url for pair in query.split("&")), url
    assert walked == whole


def test_only_priority_and_tag_may_be_repeated(api: TestClient) -> None:
    response = api.get(f"{TASKS}?overdue=true&overdue=false", headers=ALICE)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "overdue"]


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("priority=urgent", ["query", "priority", 0]),
        ("tag=", ["query", "tag"]),
        ("tag=" + "x" * 51, ["query", "tag"]),
        ("&".join(f"tag=t{n}" for n in range(21)), ["query", "tag"]),
        ("due_before=2030-13-01", ["query", "due_before"]),
        ("due_after=2030-06-15T10:00:00", ["query", "due_after"]),
        ("due_after=0", ["query", "due_after"]),
        ("due_before=0001-01-01T00:00:00%2B05:00", ["query", "due_before"]),
        ("overdue=perhaps", ["query", "overdue"]),
        ("sort=-due_date", ["query", "sort"]),
    ],
)
def test_a_bad_filter_is_422_naming_it(api: TestClient, query: str, loc: list[Any]) -> None:
    response = api.get(f"{TASKS}?{query}", headers=ALICE)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert loc in [error["loc"][: len(loc)] for error in response.json()["errors"]]


# Tags


def test_tags_counts_the_callers_tags_ordered_by_tag(api: TestClient) -> None:
    add(api, tags=["work", "Home"])
    add(api, tags=["Work"])
    add(api, tags=["errands"])
    api.post("/api/bob/tasks", json={"title": "b", "tags": ["bobs"]}, headers=BOB)
    response = api.get(TAGS, headers=ALICE)
    assert response.status_code == 200
    assert response.json() == [
        {"tag": "errands", "count": 1},
        {"tag": "Home", "count": 1},
        {"tag": "Work", "count": 2},  # the least spelling, by code point
    ]


def test_tags_of_a_user_without_any_is_an_empty_list(api: TestClient) -> None:
    add(api)
    assert api.get(TAGS, headers=ALICE).json() == []


def test_tags_has_an_etag_that_changes_with_them(api: TestClient) -> None:
    made = add(api, tags=["work"])
    etag = api.get(TAGS, headers=ALICE).headers["etag"]
    unchanged = api.get(TAGS, headers={**ALICE, "If-None-Match": etag})
    assert (unchanged.status_code, unchanged.headers["etag"], unchanged.content) == (304, etag, b"")
    put(api, made["id"])({"tags": ["home"]})
    changed = api.get(TAGS, headers={**ALICE, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json() == [{"tag": "home", "count": 1}]


def test_tags_are_the_token_users_only(api: TestClient) -> None:
    assert api.get("/api/bob/tags", headers=ALICE).status_code == 403
    missing = api.get(TAGS)
    assert (missing.status_code, missing.json()["code"]) == (401, "token_missing")


# Recurring tasks


def recurring(api: TestClient, rule: str = "FREQ=WEEKLY", **fields: Any) -> dict[str, Any]:
    return add(api, "Take out the bins", due_date="2030-06-17", recurrence={"rule": rule}, **fields)


def complete(api: TestClient, task_id: int, **headers: str) -> Any:
    return api.patch(f"{TASKS}/{task_id}/complete", headers={**ALICE, **headers})


def test_completing_a_recurring_task_twice_moves_its_due_a_week_each_time(
    api: TestClient, clock: SetClock
) -> None:
    made = recurring(api)
    toggled = complete(api, made["id"])  # no body: the seed's toggle
    assert toggled.status_code == 200, toggled.text
    first = toggled.json()
    assert (first["id"], first["version"], first["completed"]) == (made["id"], 2, False)
    assert (first["due_date"], first["last_completed_at"]) == ("2030-06-24", STAMP)
    assert toggled.headers["etag"] == '"2"'

    clock.at(datetime(2030, 6, 16, 8, 30, tzinfo=UTC))
    second = put(api, made["id"])({"completed": True}).json()
    assert (second["id"], second["version"], second["completed"]) == (made["id"], 3, False)
    assert (second["due_date"], second["last_completed_at"]) == (
        "2030-07-01",
        "2030-06-16T08:30:00Z",
    )
    # The rule stays; the series goes on from the new due (its DTSTART, as a client computing
    # what comes next would take it).
    rules = [(t["recurrence"]["rule"], t["recurrence"]["from"]) for t in (made, first, second)]
    assert rules == [("FREQ=WEEKLY", "due")] * 3
    starts = [t["recurrence"]["series_start"] for t in (made, first, second)]
    assert starts == ["2030-06-17T00:00:00", "2030-06-24T00:00:00", "2030-07-01T00:00:00"]
    assert api.get(f"{TASKS}/{made['id']}", headers=ALICE).json() == second


def test_a_completion_with_a_body_rolls_too(api: TestClient) -> None:
    made = recurring(api)
    rolled = api.patch(f"{TASKS}/{made['id']}/complete", json={"completed": True}, headers=ALICE)
    assert (rolled.json()["due_date"], rolled.json()["completed"]) == ("2030-06-24", False)


def test_the_last_of_a_series_completes_the_task(api: TestClient) -> None:
    made = recurring(api, "FREQ=WEEKLY;COUNT=2")
    first = complete(api, made["id"]).json()
    assert (first["due_date"], first["completed"]) == ("2030-06-24", False)
    last = complete(api, made["id"]).json()
    assert (last["due_date"], last["completed"], last["version"]) == ("2030-06-24", True, 3)
    assert last["last_completed_at"] == STAMP


def test_a_roll_moves_the_reminder_with_the_due(api: TestClient, clock: SetClock) -> None:
    made = add(api, **EVERY_FIELD)
    clock.at(datetime(2030, 6, 18, 10, 0, tzinfo=UTC))  # a day late, on Tuesday
    rolled = complete(api, made["id"]).json()
    # From completion: the first Monday after Tuesday, at the series' 09:00 in Berlin.
    assert (rolled["due_at"], rolled["remind_at"]) == (
        "2030-06-24T07:00:00Z",
        "2030-06-24T06:30:00Z",
    )
    assert rolled["last_completed_at"] == "2030-06-18T10:00:00Z"


def test_a_roll_is_a_conditional_write(api: TestClient) -> None:
    made = recurring(api)
    rolled = complete(api, made["id"], **{"If-Match": '"1"'})
    assert (rolled.status_code, rolled.json()["due_date"]) == (200, "2030-06-24")
    stale = complete(api, made["id"], **{"If-Match": '"1"'})
    assert (stale.status_code, stale.json()["code"]) == (412, "task_changed")
    stale_put = put(api, made["id"], **{"If-Match": '"1"'})({"completed": True})
    assert stale_put.status_code == 412
    assert api.get(f"{TASKS}/{made['id']}", headers=ALICE).json() == rolled.json()


@pytest.mark.parametrize("how", ["toggle", "set", "put"])
def test_a_replayed_roll_answers_the_same_task_and_rolls_once(api: TestClient, how: str) -> None:
    made = recurring(api)
    key = {"Idempotency-Key": f"roll-{uuid.uuid4()}"}

    def roll() -> Any:
        if how == "put":
            return put(api, made["id"], **key)({"completed": True})
        body = {"completed": True} if how == "set" else None
        return api.patch(f"{TASKS}/{made['id']}/complete", json=body, headers={**ALICE, **key})

    first, again = roll(), roll()
    assert first.status_code == again.status_code == 200, again.text
    assert again.json() == first.json()
    assert again.headers.get("idempotent-replayed") == "true"
    assert (first.json()["due_date"], first.json()["version"]) == ("2030-06-24", 2)
    assert api.get(f"{TASKS}/{made['id']}", headers=ALICE).json() == first.json()


# The document


@pytest.mark.parametrize("name", list(CREATE_EXAMPLES))
def test_the_documents_create_examples_are_taken(api: TestClient, name: str) -> None:
    response = api.post(TASKS, json=CREATE_EXAMPLES[name]["value"], headers=ALICE)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("name", list(UPDATE_EXAMPLES))
def test_the_documents_update_examples_are_taken(api: TestClient, name: str) -> None:
    made = add(api, **CREATE_EXAMPLES["planned"]["value"])
    assert put(api, made["id"])(UPDATE_EXAMPLES[name]["value"]).status_code == 200


def test_the_document_describes_every_planning_field(api: TestClient) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    for body in ("TaskIn", "TaskPatch"):
        fields = schemas[body]["properties"]
        assert set(EVERY_FIELD) <= set(fields)
        assert all(fields[name].get("description") for name in EVERY_FIELD if name != "title")
    assert "Europe/Berlin" in schemas["TimeZone"]["enum"]
    assert schemas["RecurrenceIn"]["additionalProperties"] is False


def _accepted(tag: str) -> bool:
    try:
        check_tags([tag])
    except ValueError:
        return False
    return True


@given(st.text(max_size=60) | st.from_regex(TAG_PATTERN))
@settings(max_examples=400)
def test_the_documented_tag_pattern_is_exactly_the_domain_rule(tag: str) -> None:
    assert bool(re.match(TAG_PATTERN, tag)) == _accepted(tag)

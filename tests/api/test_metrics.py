"""Prometheus metrics, in-process: off by default, behind METRICS_TOKEN on the API's port, and
counting what happened (requests by route template, 503s by code, token checks, key fetches,
database calls and the pool)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from tests.support.apps import jwks_container, memory_app, settings_for_tests
from tests.support.jwks import KeyServer, SigningKey, claims_for
from tests.support.metrics import METRICS_TOKEN, Samples, samples_of, total, value
from tests.support.tokens import auth, bearer, token_for
from todo_api import Container, create_app
from todo_api.http.middleware.request_telemetry import RequestTelemetry
from todo_api.telemetry.metrics import BUCKETS, Metrics
from todo_api.telemetry.scraping import exposition

TASK = "/api/{user_id}/tasks/{task_id}"


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples_of(response.text)


@pytest.fixture
def metered() -> Iterator[tuple[TestClient, Container]]:
    app, container, _ = memory_app(metrics=True, metrics_token=METRICS_TOKEN)
    with TestClient(app) as client:
        yield client, container


def test_off_by_default_there_is_no_metrics_route_and_no_middleware() -> None:
    app, _, _ = memory_app()
    assert not any(middleware.cls is RequestTelemetry for middleware in app.user_middleware)
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 404


def test_with_a_port_of_their_own_metrics_are_not_on_the_api_port() -> None:
    app, _, _ = memory_app(metrics=True, metrics_port=9464)
    with TestClient(app) as client:
        assert client.get("/metrics", headers=bearer(METRICS_TOKEN)).status_code == 404


def test_the_token_guards_metrics_and_they_are_not_in_the_openapi_document(
    metered: tuple[TestClient, Container],
) -> None:
    client, _ = metered
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing.json()["code"] == "token_missing"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    for wrong in ("Bearer nope", f"Bearer {METRICS_TOKEN}x", f"Basic {METRICS_TOKEN}"):
        refused = client.get("/metrics", headers={"Authorization": wrong})
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert METRICS_TOKEN not in refused.text
    assert client.get("/metrics", headers=bearer(METRICS_TOKEN)).status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_guessing_the_metrics_token_spends_the_address_budget() -> None:
    app, _, _ = memory_app(metrics=True, metrics_token=METRICS_TOKEN, rate_limit_reads="2/minute")
    with TestClient(app) as client:
        guesses = [client.get("/metrics", headers=bearer(f"guess-{n}")) for n in range(3)]
        scraped = client.get("/metrics", headers=bearer(METRICS_TOKEN))
    assert [guess.status_code for guess in guesses] == [401, 401, 429]
    assert guesses[2].json()["code"] == "rate_limited"
    assert scraped.status_code == 200  # the scraper itself is never refused


def test_requests_are_counted_and_timed_by_route_template_never_by_raw_path(
    metered: tuple[TestClient, Container],
) -> None:
    client, _ = metered
    created = client.post("/api/alice/tasks", json={"title": "t"}, headers=auth("alice"))
    path = f"/api/alice/tasks/{created.json()['id']}"
    for _ in range(2):
        assert client.get(path, headers=auth("alice")).status_code == 200
    assert client.get("/api/alice/tasks/999", headers=auth("alice")).status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.request("BREW", "/health").status_code == 405
    samples = scrape(client)
    requests = "todo_http_requests_total"
    assert value(samples, requests, route=TASK, method="GET", status="200") == 2
    assert value(samples, requests, route=TASK, method="GET", status="404") == 1
    assert value(samples, requests, route="/api/{user_id}/tasks", method="POST", status="201") == 1
    assert value(samples, requests, route="<unmatched>", method="GET", status="404") == 1
    assert value(samples, requests, route="/health", method="OTHER", status="405") == 1
    timed = "todo_http_request_duration_seconds_count"
    assert value(samples, timed, route=TASK, method="GET") == 3
    assert value(samples, timed.replace("_count", "_bucket"), route=TASK, method="GET", le="+Inf")
    assert not [labels for _, labels in samples if any("alice" in v for _, v in labels)]


def test_503_problems_are_counted_by_their_code(metered: tuple[TestClient, Container]) -> None:
    client, container = metered
    container.draining().set()
    for _ in range(2):
        assert client.get("/health/ready").status_code == 503
    samples = scrape(client)
    assert value(samples, "todo_http_unavailable_total", code="shutting_down") == 2
    assert total(samples, "todo_http_unavailable_total") == 2


def test_token_checks_are_counted_by_outcome(metered: tuple[TestClient, Container]) -> None:
    client, _ = metered
    token = token_for("alice")
    for _ in range(3):
        client.get("/api/alice/tasks", headers=bearer(token))
    client.get("/api/alice/tasks", headers=bearer(token_for("alice", ttl_seconds=-120)))
    client.get("/api/alice/tasks", headers=bearer("not-a-token"))
    samples = scrape(client)
    counted = {
        outcome: value(samples, "todo_token_checks_total", outcome=outcome)
        for outcome in ("ok", "remembered", "expired", "invalid", "unavailable")
    }
    assert counted == {"ok": 1, "remembered": 2, "expired": 1, "invalid": 1, "unavailable": 0}


def test_key_set_fetches_and_their_failures_are_counted() -> None:
    server = KeyServer()
    key = SigningKey.make("EdDSA")
    server.publish(key)
    container = jwks_container(
        server.url, jwt_jwks_timeout_seconds=0.5, metrics=True, metrics_token=METRICS_TOKEN
    )
    try:
        with TestClient(create_app(container)) as client:  # the first fetch, at start
            server.down()
            unknown = SigningKey.make("EdDSA").sign(claims_for(server))  # not published
            answered = client.get("/api/alice/tasks", headers=bearer(unknown))
            assert answered.json()["code"] == "auth_unavailable"
            samples = scrape(client)
    finally:
        server.down()
    assert value(samples, "todo_jwks_fetches_total", outcome="ok") == 1
    assert value(samples, "todo_jwks_fetches_total", outcome="failed") == 1
    assert value(samples, "todo_token_checks_total", outcome="unavailable") == 1
    assert value(samples, "todo_http_unavailable_total", code="auth_unavailable") == 1


def test_rate_limited_requests_are_counted_by_kind() -> None:
    app, _, _ = memory_app(metrics=True, metrics_token=METRICS_TOKEN, rate_limit_writes="1/minute")
    with TestClient(app) as client:
        assert value(scrape(client), "todo_rate_limited_total", kind="writes") == 0  # shown at 0
        for _ in range(3):
            client.post("/api/metered/tasks", json={"title": "t"}, headers=auth("metered"))
        samples = scrape(client)
    assert value(samples, "todo_rate_limited_total", kind="writes") == 2
    assert value(samples, "todo_rate_limited_total", kind="reads") == 0


def test_database_calls_are_timed_by_operation(tmp_path: Path) -> None:
    container = Container()
    container.settings.override(
        settings_for_tests(
            database_url=f"sqlite:///{tmp_path / 'metrics.db'}",
            metrics=True,
            metrics_token=METRICS_TOKEN,
        )
    )
    with TestClient(create_app(container)) as client:
        client.post("/api/alice/tasks", json={"title": "t"}, headers=auth("alice"))
        client.get("/api/alice/tasks", headers=auth("alice"))
        client.get("/api/alice/tasks/1", headers=auth("alice"))
        samples = scrape(client)
    timed = "todo_db_call_duration_seconds_count"
    for operation in ("add", "list", "get"):
        assert value(samples, timed, operation=operation) == 1, operation
    assert total(samples, "todo_db_pool_connections") == 0  # SQLite: no pool to speak of


def test_the_postgresql_pool_is_sampled(postgres_url: str, clean_postgres: object) -> None:
    container = Container()
    container.settings.override(
        settings_for_tests(
            database_url=postgres_url, db_pool_size=2, metrics=True, metrics_token=METRICS_TOKEN
        )
    )
    with TestClient(create_app(container)) as client:
        assert client.get("/api/alice/tasks", headers=auth("alice")).status_code == 200
        samples = scrape(client)
    in_use = value(samples, "todo_db_pool_connections", state="in_use")
    idle = value(samples, "todo_db_pool_connections", state="idle")
    assert in_use + idle == 2  # the pool's minimum, opened at start
    assert value(samples, "todo_db_pool_waiting") == 0
    assert value(samples, "todo_db_call_duration_seconds_count", operation="list") == 1


def test_nothing_imports_prometheus_client_before_serve_has_set_its_directory() -> None:
    """prometheus_client picks single- or multi-process values when first imported: the CLI
    and the app must not import it before `todo-api serve` sets PROMETHEUS_MULTIPROC_DIR."""
    code = (
        "import sys, todo_api, todo_api.cli, todo_api.app, todo_api.container;"
        "todo_api.create_app();"
        "print('prometheus_client' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "False"


def test_counts_kept_between_flushes_add_up_as_if_observed_one_by_one() -> None:
    """Requests are counted in plain dicts and flushed every second (and before a scrape):
    the histogram must read exactly as if each time had been observed on its own."""
    times = [0, 0.0004, 0.001, 0.0011, 0.25, 0.2500001, 10, 11, 99.5]
    registry = CollectorRegistry()
    reference = Histogram(
        "todo_http_request_duration_seconds",
        "-",
        ["route", "method"],
        registry=registry,
        buckets=BUCKETS,
    )
    metrics = Metrics()
    for seconds in times:
        reference.labels("/r", "GET").observe(seconds)
        metrics.request("/r", "GET", 200, seconds)
    requests = {"route": "/r", "method": "GET", "status": "200"}
    assert (
        value(samples_of(exposition(metrics).decode()), "todo_http_requests_total", **requests) == 0
    )
    metrics.flush()
    metrics.flush()  # nothing new: adds nothing
    flushed = samples_of(exposition(metrics).decode())
    assert value(flushed, "todo_http_requests_total", **requests) == len(times)
    expected = samples_of(generate_latest(registry).decode())

    def timings(samples: Samples) -> Samples:
        return {
            key: found
            for key, found in samples.items()
            if key[0].startswith("todo_http_request_duration") and "_created" not in key[0]
        }

    assert timings(flushed) == timings(expected)

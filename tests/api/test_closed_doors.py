"""What an attacker, or a plain browser, meets at the edges: no redirect built from the Host
header, no sniffing, nothing private cached, and the interactive docs only where they belong
(and with every script they load served by the app itself, never a CDN)."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from tests.support.apps import memory_app
from tests.support.tokens import auth

PRODUCTION = {"environment": "production", "database_url": "postgresql://nobody@127.0.0.1/none"}


def test_a_trailing_slash_is_not_found_never_redirected() -> None:
    app, _, _ = memory_app()
    with TestClient(app) as client:
        for headers in ({}, auth("alice")):
            answer = client.get(
                "/api/alice/tasks/",
                headers={**headers, "Host": "evil.example"},
                follow_redirects=False,
            )
            assert answer.status_code == 404, answer.text
            assert "location" not in answer.headers
            assert answer.json()["code"] == "not_found"


def test_nothing_is_sniffed_and_nothing_private_is_stored() -> None:
    app, _, _ = memory_app()
    origin = "http://localhost:3000"
    with TestClient(app) as client:
        answers = {
            "root": client.get("/"),
            "tasks": client.get("/api/alice/tasks", headers=auth("alice")),
            "refused": client.get("/api/alice/tasks"),
            "not found": client.get("/no/such/path"),
            "preflight": client.options(
                "/api/alice/tasks",
                headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            ),
        }
    for what, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", what
    for what in ("tasks", "refused", "preflight"):
        assert answers[what].headers["cache-control"] == "no-store", what
    assert "cache-control" not in answers["root"].headers


def test_the_docs_are_served_from_the_app_in_development() -> None:
    app, _, _ = memory_app()
    with TestClient(app) as client:
        assert client.get("/").json()["docs"] == "/docs"
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            sources = re.findall(r'(?:src|href)="([^"]+)"', html)
            assert sources, page
            assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], page
            assert "fonts.googleapis" not in html
            for source in sources:
                assert client.get(source).status_code == 200, source
        assert client.get("/openapi.json").status_code == 200


@pytest.mark.parametrize("api_docs", [None, False])
def test_production_serves_no_docs_unless_asked(api_docs: bool | None) -> None:
    app, _, _ = memory_app(**PRODUCTION, api_docs=api_docs)
    with TestClient(app) as client:
        for page in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(page).status_code == 404, page
        assert client.get("/").json()["docs"] is None


def test_production_serves_the_docs_when_asked() -> None:
    app, _, _ = memory_app(**PRODUCTION, api_docs=True)
    with TestClient(app) as client:
        assert client.get("/docs").status_code == 200
        assert client.get("/openapi.json").status_code == 200


def test_an_app_used_without_its_lifespan_says_what_to_do(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`TestClient(app)` without `with` never runs the lifespan: the 500 is logged with the
    remedy, not as a bare KeyError."""
    app, _, _ = memory_app()
    client = TestClient(app)  # no `with`: no lifespan
    with caplog.at_level(logging.ERROR, logger="todo_api.errors"):
        answer = client.get("/api/alice/tasks", headers=auth("alice"))
    assert answer.status_code == 500
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "with TestClient(app) as client:" in logged

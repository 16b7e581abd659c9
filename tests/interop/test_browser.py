"""A real browser on another origin: Debian's Chromium, driven by Playwright, loads a page
that signs up with the real Better Auth client (`jwtClient()`) and calls the API with the
tokens it gets, the way the README tells frontend developers to. What the test asserts is
what page JavaScript could read: statuses, bodies and exposed headers, errors included.

Chromium is Debian's (`/usr/bin/chromium`, or TODO_CHROMIUM): Playwright cannot download a
browser here. Without it (or Node.js) the test skips, saying why; under
TODO_REQUIRE_BROWSER=1 (CI) it fails instead.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.better_auth import better_auth_server
from tests.support.faults import use_broken_store
from tests.support.servers import Server, clean_env, free_port, serving_in_process
from todo_api.app import create_app
from todo_api.container import Container
from todo_api.settings import Settings

CHROMIUM = os.environ.get("TODO_CHROMIUM", "/usr/bin/chromium")
TOKEN_LIFETIME_SECONDS = 4  # short, so that the page meets an expired token within the test


def browser_unavailable(reason: str) -> None:
    if os.environ.get("TODO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and TODO_REQUIRE_BROWSER=1")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        browser_unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    """Better Auth and the page on one origin, as a Next.js app serves both."""
    with better_auth_server(page=True, lifetime=f"{TOKEN_LIFETIME_SECONDS}s") as origin:
        yield origin


def api_env(page_origin: str, jwks_url: str) -> dict[str, str]:
    return clean_env(JWT_JWKS_URL=jwks_url, FRONTEND_URL=page_origin, JWT_LEEWAY_SECONDS="0")


@pytest.fixture(scope="module")
def api(page_origin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`todo-api serve` on its own origin, on the embedded SQLite default."""
    cwd = tmp_path_factory.mktemp("browser-api")
    server = Server(cwd, api_env(page_origin, f"{page_origin}/api/auth/jwks"), access_log=True)
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api_without_keys(
    page_origin: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`todo-api serve` whose auth server is down: a new token cannot be checked."""
    cwd = tmp_path_factory.mktemp("browser-api-no-keys")
    nobody = f"http://127.0.0.1:{free_port()}/api/auth/jwks"
    server = Server(cwd, api_env(page_origin, nobody))
    server.wait_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def broken_api(page_origin: str) -> Iterator[str]:
    """The API with a bug injected through the container: listing tasks raises."""
    container = Container()
    container.settings.override(
        Settings(  # type: ignore[call-arg]
            _env_file=None,
            jwt_jwks_url=f"{page_origin}/api/auth/jwks",
            frontend_url=page_origin,
            access_log=False,
        )
    )
    use_broken_store(container, broken_owner=None)
    with serving_in_process(create_app(container)) as base:
        yield base


class Page:
    """The test's handle on the page: each call runs in the page and returns what it read."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def call(self, api: str, method: str, path: str, body: object = None) -> dict[str, Any]:
        seen: dict[str, Any] = self.page.evaluate(
            "([a, m, p, b]) => todo.call(a, m, p, b)", [api, method, path, body]
        )
        assert "error" not in seen, f"{method} {path}: the page could not read it: {seen}"
        assert seen["requestId"], f"{method} {path}: no X-Request-ID readable: {seen}"
        return seen

    def call_with(self, api: str, method: str, path: str, token: str) -> dict[str, Any]:
        seen: dict[str, Any] = self.page.evaluate(
            "([a, m, p, t]) => todo.callWith(a, m, p, null, t)", [api, method, path, token]
        )
        assert "error" not in seen, seen
        return seen


def test_a_page_on_another_origin_uses_the_api_with_better_auth_tokens(
    chromium: Any, page_origin: str, api: Server, api_without_keys: Server, broken_api: str
) -> None:
    browser_page = chromium.new_page()
    console: list[str] = []
    browser_page.on("console", lambda message: console.append(message.text))
    browser_page.goto(page_origin + "/")
    browser_page.wait_for_function("document.getElementById('status').textContent === 'ready'")
    page = Page(browser_page)
    base = api.base
    assert base.rsplit(":", 1)[0] == page_origin.rsplit(":", 1)[0]  # same host, other port
    assert base != page_origin

    user = browser_page.evaluate("name => todo.signUp(name)", f"alice{time.time_ns()}")
    tasks = f"/api/{user}/tasks"

    created = page.call(base, "POST", tasks, {"title": "Buy milk", "description": "2 litres"})
    assert created["status"] == 201, created
    task = created["body"]
    assert isinstance(task["id"], int)
    assert created["location"] == f"{tasks}/{task['id']}"
    one = f"{tasks}/{task['id']}"

    listed = page.call(base, "GET", tasks)
    assert listed["status"] == 200
    assert [t["title"] for t in listed["body"]] == ["Buy milk"]

    updated = page.call(base, "PUT", one, {"title": "Buy oat milk"})
    assert (updated["status"], updated["body"]["title"]) == (200, "Buy oat milk")

    for _ in range(2):  # a double click lands where it meant to
        done = page.call(base, "PATCH", f"{one}/complete", {"completed": True})
        assert (done["status"], done["body"]["completed"]) == (200, True)
    toggled = page.call(base, "PATCH", f"{one}/complete")
    assert toggled["body"]["completed"] is False

    foreign = page.call(base, "GET", "/api/someone-else/tasks")
    assert (foreign["status"], foreign["body"]["code"]) == (403, "forbidden")
    invalid = page.call(base, "POST", tasks, {"title": "   "})
    assert invalid["status"] == 422
    assert invalid["contentType"] == "application/problem+json"
    assert invalid["body"]["errors"][0]["loc"] == ["body", "title"]

    # The token expires; the API says so in words a page can act on; one fresh token and
    # one retry later, the request goes through.
    stale = browser_page.evaluate("todo.token()")
    browser_page.evaluate(f"todo.sleep({(TOKEN_LIFETIME_SECONDS + 1.5) * 1000})")
    expired = page.call_with(base, "GET", tasks, stale)
    assert (expired["status"], expired["body"]["code"]) == (401, "token_expired")
    assert 'error="invalid_token"' in expired["wwwAuthenticate"]
    retried = page.call(base, "GET", tasks)
    assert retried["refreshed"] is True
    assert retried["status"] == 200
    assert browser_page.evaluate("todo.token()") != stale
    fresh = browser_page.evaluate("todo.token()")
    forged = page.call_with(
        base, "GET", tasks, fresh[:-6] + ("AAAA" if fresh[-6] != "A" else "BBBB") + fresh[-2:]
    )
    assert (forged["status"], forged["body"]["code"]) == (401, "invalid_token")

    removed = page.call(base, "DELETE", one)
    assert removed["status"] == 204
    gone = page.call(base, "GET", one)
    assert (gone["status"], gone["body"]["code"]) == (404, "task_not_found")

    unavailable = page.call(api_without_keys.base, "GET", tasks)
    assert (unavailable["status"], unavailable["body"]["code"]) == (503, "auth_unavailable")
    assert unavailable["retryAfter"] == "2"

    bug = page.call(broken_api, "GET", tasks)
    assert bug["status"] == 500
    assert bug["contentType"] == "application/problem+json"
    assert bug["body"]["code"] == "internal_error"
    assert bug["body"]["request_id"] == bug["requestId"]

    assert not [line for line in console if "CORS" in line], console
    token = browser_page.evaluate("todo.token()")
    assert token.split(".")[2] not in api.output

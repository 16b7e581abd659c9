"""Behind a proxy, a request without a valid token spends the budget of the client address
the proxy names, as uvicorn reads it: from `X-Forwarded-For`, only when the connection comes
from an address FORWARDED_ALLOW_IPS trusts (by default loopback, as here), and then the
rightmost address the proxy added, never one the client wrote before it. A real `todo-api
serve` on SQLite, its process stopped by id."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.support.servers import Server, clean_env
from tests.support.tokens import SECRET

TASKS = "/api/alice/tasks"


@pytest.fixture(scope="module")
def behind_a_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = clean_env(BETTER_AUTH_SECRET=SECRET, RATE_LIMIT_READS="2/minute")
    server = Server(tmp_path_factory.mktemp("addresses"), env)
    server.wait_ready()
    try:
        yield server.base
    finally:
        server.stop()


def forwarded(chain: str) -> dict[str, str]:
    return {"X-Forwarded-For": chain, "Authorization": "Bearer not-a-token"}


def test_each_forwarded_client_has_a_budget_of_its_own(behind_a_proxy: str) -> None:
    with httpx2.Client(base_url=behind_a_proxy, timeout=10) as http:
        first = [http.get(TASKS, headers=forwarded("198.51.100.1")).status_code for _ in range(3)]
        other = http.get(TASKS, headers=forwarded("198.51.100.2")).status_code
    assert first == [401, 401, 429]
    assert other == 401


def test_an_address_the_client_wrote_itself_is_not_believed(behind_a_proxy: str) -> None:
    """The client prepends addresses of its own choosing; the proxy appends the real one."""
    with httpx2.Client(base_url=behind_a_proxy, timeout=10) as http:
        answers = [
            http.get(TASKS, headers=forwarded(f"203.0.113.{n}, 198.51.100.3")).status_code
            for n in range(3)
        ]
    assert answers == [401, 401, 429]

"""A real `todo-api serve` process on the private PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import clean_env, start_server, stop
from tests.support.tokens import SECRET


@pytest.fixture(scope="module")
def pg_server(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the API served by uvicorn on the private PostgreSQL database."""
    cwd = tmp_path_factory.mktemp("server")
    process, base = start_server(
        cwd, clean_env(DATABASE_URL=postgres_url, BETTER_AUTH_SECRET=SECRET)
    )
    yield base
    stop(process)

"""A JWKS server of the test's own for every auth test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.jwks import KeyServer


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.down()

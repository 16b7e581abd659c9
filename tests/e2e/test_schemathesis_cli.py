"""Schemathesis' own runner against a real server on PostgreSQL, every check on: its coverage
phase sends the methods a path does not document and requires a 405 whose `Allow` lists
exactly the documented ones (RFC 9110); its stateful phase chains create, read, change and
delete through the links it infers. The hypothesis-driven test in tests/api fuzzes each
operation in-process; this one is what a user running `st run` would see."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import clean_env, start_server, stop
from tests.support.tokens import SECRET, token_for

ST = str(Path(sys.executable).with_name("st"))


@pytest.fixture(scope="module")
def fuzzed_server(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API on PostgreSQL with budgets above what the run sends (some 2,300 requests in
    a minute): a 429 would only say that the fuzzer outran them."""
    cwd = tmp_path_factory.mktemp("fuzzed")
    limits = {"RATE_LIMIT_READS": "100000/minute", "RATE_LIMIT_WRITES": "100000/minute"}
    limits["EVENTS_MAX_LIFETIME_SECONDS"] = "0.05"  # a change stream ends at once
    process, base = start_server(
        cwd, clean_env(DATABASE_URL=postgres_url, BETTER_AUTH_SECRET=SECRET, **limits)
    )
    yield base
    stop(process)


def test_schemathesis_finds_nothing_with_every_check(fuzzed_server: str, tmp_path: Path) -> None:
    config = Path(__file__).parents[1] / "support" / "schemathesis.toml"
    done = subprocess.run(
        [
            ST,
            "--config-file",
            str(config),
            "run",
            f"{fuzzed_server}/openapi.json",
            "--header",
            f"Authorization: Bearer {token_for('alice')}",
            "--checks",
            "all",
            "--phases",
            "coverage,fuzzing,stateful",
            "--max-examples",
            "30",
            "--seed",
            "1",
            "--no-color",
        ],
        cwd=tmp_path,  # it keeps a cache of what it found in the working directory
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks",
            "PYTHONPATH": str(Path(__file__).parents[2]),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "No issues found" in done.stdout

"""The docs say what the code does: every problem code the API can answer is in docs/errors.md
with its status, and no other code is; every setting is in docs/configuration.md, and no other
variable is (but the few the libraries read themselves); the README stays a short front door
that links every page and carries CI's test command verbatim."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.support.apps import memory_app
from tests.support.tokens import auth
from todo_api.http.problems import STATUS_OF
from todo_api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_MAX_LINES = 250

# The README's two commands, character for character (.ci/run runs the second one verbatim).
RUN_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/todo-api serve"
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest"

# Variables the configuration page documents that no setting reads: the OpenTelemetry SDK and
# prometheus-client read them from the process environment themselves.
READ_BY_LIBRARIES = {
    "OTEL_SERVICE_NAME",
    "OTEL_RESOURCE_ATTRIBUTES",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "PROMETHEUS_MULTIPROC_DIR",
}

_PIPE = re.compile(r"(?<!\\)\|")  # a cell boundary, not an escaped `\|` inside a cell
_BACKTICKED_VARIABLE = re.compile(r"`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`")


def table_rows(page: Path, header: str) -> list[list[str]]:
    """The cells of every body row of each table on `page` whose header row is `header`."""
    rows: list[list[str]] = []
    lines = page.read_text().splitlines()
    for at, line in enumerate(lines):
        if line.strip() != header:
            continue
        for row in lines[at + 2 :]:  # after the header and its |---| line
            if not row.startswith("|"):
                break
            rows.append([cell.strip() for cell in _PIPE.split(row.strip())[1:-1]])
    assert rows, f"no table headed {header!r} on {page.name}"
    return rows


def one_name(cell: str) -> str:
    """The one backticked name a cell holds (one code, or one variable, per row)."""
    match = re.fullmatch(r"`([A-Za-z0-9_]+)`", cell)
    assert match, f"expected exactly one `name` in the cell, got {cell!r}"
    return match.group(1)


# -- docs/errors.md ---------------------------------------------------------------------------


def documented_problems() -> list[tuple[int, str]]:
    rows = table_rows(DOCS / "errors.md", "| status | code | when |")
    return [(int(cells[0]), one_name(cells[1])) for cells in rows]


def problems_written_in_the_code() -> set[tuple[int, str]]:
    """Every `problem(status, "code", ...)` called with literals anywhere in todo_api: the
    422 of a request that fails validation, the 500 of a bug, the 401s of /metrics..."""
    found = set()
    for path in (ROOT / "todo_api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "problem"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add((node.args[0].value, node.args[1].value))
    return found


def problems_of_the_framework() -> set[tuple[int, str]]:
    """The framework's own answers (their code is the status phrase), provoked for real."""
    app, container, _ = memory_app()
    alice = auth("alice")
    as_json = {**alice, "Content-Type": "application/json"}
    too_large = b'{"title": "' + b"x" * container.settings().max_body_bytes + b'"}'
    with TestClient(app) as client:
        answers = {
            "unknown path": (client.get("/no/such/path"), {404}),
            "wrong method": (client.delete("/api/alice/tasks", headers=alice), {405}),
            "truncated JSON": (
                client.post("/api/alice/tasks", content=b'{"title": ', headers=as_json),
                {400, 422},
            ),
            "JSON not UTF-8": (
                client.post("/api/alice/tasks", content=b'{"title": "\xff"}', headers=as_json),
                {400, 422},
            ),
            "body over the limit": (
                client.post("/api/alice/tasks", content=too_large, headers=as_json),
                {413},
            ),
        }
    found = set()
    for what, (answer, expected) in answers.items():
        assert answer.status_code in expected, f"{what}: {answer.status_code} {answer.text}"
        assert answer.headers["content-type"] == "application/problem+json", what
        found.add((answer.status_code, answer.json()["code"]))
    return found


def test_every_problem_the_api_can_answer_is_in_the_errors_table_and_no_other() -> None:
    answerable = {(status, code) for status, code, _ in STATUS_OF.values()}
    written = problems_written_in_the_code()
    assert {(422, "invalid_request"), (500, "internal_error")} <= written
    answerable |= written | problems_of_the_framework()

    documented = documented_problems()
    repeated = sorted({row for row in documented if documented.count(row) > 1})
    assert not repeated, f"docs/errors.md lists these twice: {repeated}"
    missing = sorted(answerable - set(documented))
    assert not missing, f"answered by the API, missing from docs/errors.md: {missing}"
    stale = sorted(set(documented) - answerable)
    assert not stale, f"in docs/errors.md, but the API never answers them: {stale}"


# -- docs/configuration.md --------------------------------------------------------------------


def test_every_setting_is_documented_and_every_documented_variable_is_read() -> None:
    settings = {field.upper() for field in Settings.model_fields}
    rows = table_rows(DOCS / "configuration.md", "| variable | meaning | default |")
    names = [one_name(cells[0]) for cells in rows]  # one variable per row

    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"docs/configuration.md has two rows for: {repeated}"
    missing = sorted(settings - set(names))
    assert not missing, f"settings missing from docs/configuration.md: {missing}"
    stale = sorted(set(names) - settings - READ_BY_LIBRARIES)
    assert not stale, f"in docs/configuration.md, but no setting reads them: {stale}"
    mentioned = {
        name for cells in rows for cell in cells[1:] for name in _BACKTICKED_VARIABLE.findall(cell)
    }
    unknown = sorted(mentioned - settings - READ_BY_LIBRARIES)
    assert not unknown, f"docs/configuration.md's tables mention unknown variables: {unknown}"


# -- README.md --------------------------------------------------------------------------------


def test_the_readme_is_a_short_front_door_with_both_commands_and_every_page() -> None:
    text = README.read_text()
    lines = text.splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md is {len(lines)} lines"
    assert RUN_COMMAND in lines, "the README's run command changed"
    assert TEST_COMMAND in lines, "the README's test command changed"
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text().splitlines()
    unlinked = sorted(page.name for page in DOCS.glob("*.md") if f"](docs/{page.name})" not in text)
    assert not unlinked, f"README.md does not link these pages: {unlinked}"

"""Writes each sync twin from its async source, as psycopg's `tools/async_to_sync.py` does.

`<name>_async.py` is written by hand; `<name>.py` beside it is generated from it: `unasync`
drops `async` and `await` and renames what has a sync name (`RENAMES`, and every module
`<name>_async` to `<name>`), then ruff removes the imports the sync code no longer needs and
formats it. The twins are committed; a test fails while one is stale.

    python -m tools.async_to_sync            # write every twin
    python -m tools.async_to_sync --check    # name each stale twin, exit 1 if any
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import unasync

from tools.ruffing import ruffed

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("todo_core", "todo_adapters", "todo_api")
SUFFIX = "_async"
# Async names whose twin is not the same name without "Async" (unasync's default: "Sync...").
RENAMES = {
    "AsyncTaskRepository": "TaskRepository",
    "AsyncTokenVerifier": "TokenVerifier",
    "AsyncChangeNotifier": "ChangeNotifier",
    "AsyncPokes": "Pokes",
    "AsyncInMemoryChangeNotifier": "InMemoryChangeNotifier",
    "AsyncSlot": "Slot",
    "AsyncAnnouncedTasks": "AnnouncedTasks",
    "AbstractAsyncContextManager": "AbstractContextManager",
    "asynccontextmanager": "contextmanager",
    # The memory notifier's slot: an asyncio.Event is a threading.Event without a loop.
    "asyncio": "threading",
    "AsyncTaskService": "TaskService",
    "AsyncInMemoryTaskRepository": "InMemoryTaskRepository",
    "AsyncSqlTaskRepository": "SqlTaskRepository",
    "AsyncDatabase": "Database",
    "AsyncRun": "Run",
    "async_database": "database",
    # The SQL repository runs on psycopg's pool (Connections) or a SQLAlchemy Engine.
    "Connections": "Engine",
    "connections": "engine",
}
HEADER = (
    "# Generated from {source} by tools/async_to_sync.py: do not edit; change\n"
    "# {source}, then run `python -m tools.async_to_sync`.\n"
)


def sources(root: Path = ROOT) -> list[Path]:
    """Every hand-written async twin in the product's packages."""
    return sorted(p for package in PACKAGES for p in (root / package).rglob(f"*{SUFFIX}.py"))


def twin_of(source: Path) -> Path:
    return source.with_name(source.name.removesuffix(f"{SUFFIX}.py") + ".py")


def generated(source: Path, root: Path = ROOT) -> str:
    """The sync twin of `source`, as it should be committed."""
    renames = {**RENAMES, **{p.stem: twin_of(p).stem for p in sources(root)}}
    with tempfile.TemporaryDirectory() as out:
        rule = unasync.Rule(str(source.parent), out, additional_replacements=renames)
        unasync.unasync_files([str(source)], [rule])
        text = (Path(out) / source.name).read_text()
    header = HEADER.format(source=source.name)
    return ruffed(header + text, twin_of(source), root)


def stale(root: Path = ROOT) -> list[Path]:
    """The twins that differ from what their source generates (formatting aside)."""
    return [
        twin_of(source)
        for source in sources(root)
        if not twin_of(source).exists()
        or ruffed(twin_of(source).read_text(), twin_of(source), root) != generated(source, root)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say which twins are stale")
    if parser.parse_args().check:
        outdated = stale()
        for twin in outdated:
            print(f"stale: {twin.relative_to(ROOT)} (run `python -m tools.async_to_sync`)")
        sys.exit(1 if outdated else 0)
    for source in sources():
        twin_of(source).write_text(generated(source))
        print(f"wrote {twin_of(source).relative_to(ROOT)}")


if __name__ == "__main__":
    main()

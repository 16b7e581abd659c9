"""The development signing secret: generated once, kept in a 0600 file beside the database.

So that `todo-api serve` and `todo-api token` agree with no configuration at all, while no
secret is ever written into the repository or printed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from todo_adapters.sql.urls import sqlite_database


def dev_secret_path(database_url: str) -> Path:
    """Beside the SQLite file; in the working directory for a server database."""
    database = sqlite_database(database_url)
    return Path(f"{database}.dev-secret") if database else Path(".todo-dev-secret")


def load_or_create(path: Path) -> str:
    """Read the secret, creating it atomically (and only once, even across racing workers)."""
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)  # atomic: the first writer wins, the others read its secret
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> str:
    secret = path.read_text().strip()
    if not secret:
        raise RuntimeError(f"development secret file {path} is empty; delete it to regenerate")
    return secret

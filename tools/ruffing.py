"""Generated code as ruff would leave it, so that what a generator writes and what is
committed compare equal whatever the formatting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def ruffed(text: str, path: Path, root: Path) -> str:
    """`text` with unused imports removed, imports sorted and formatted, as ruff would for
    `path` (with the project's own configuration)."""
    where = ["--stdin-filename", str(path)]
    fix = ["check", "--fix-only", "--select", "F401,I001", "--exit-zero", *where, "-"]
    for command in (fix, ["format", *where, "-"]):
        text = subprocess.run(
            [sys.executable, "-m", "ruff", *command],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
        ).stdout
    return text

"""todo_core runs where no third-party package is installed (python -S: no site-packages)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import todo_core
from todo_core import TaskService
from todo_core.tasks import Task
foreign = sorted(
    name for name in sys.modules
    if name.split(".")[0] not in sys.stdlib_module_names | {{"todo_core", "__main__"}}
)
assert not foreign, foreign
try:
    import pydantic  # noqa: F401
except ImportError:
    print("isolated")
"""


def test_todo_core_imports_with_the_standard_library_alone() -> None:
    result = subprocess.run(
        [sys.executable, "-S", "-c", PROBE], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "isolated"  # and third-party packages really were absent

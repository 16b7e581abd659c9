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
    and not name.startswith("_sysconfigdata_")  # the build's config, which zoneinfo reads
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


def test_every_error_and_every_value_of_the_services_is_exported_from_the_package() -> None:
    """An importer writes `from todo_core import StaleTask, TaskQuery`, never a submodule."""
    import inspect

    import todo_core
    from todo_core import errors

    raised = {name for name, value in vars(errors).items() if inspect.isclass(value)}
    values = {"Task", "NewTask", "TaskChanges", "TaskQuery", "TaskPage", "Changes", "Done"}
    missing = sorted((raised | values) - set(todo_core.__all__))
    assert not missing, f"export these from todo_core: {missing}"


def test_no_module_of_todo_core_names_a_third_party_package_even_for_type_checking() -> None:
    """The run-time probe above cannot see imports under `TYPE_CHECKING` (nor import-linter,
    which is told to skip them); a type checker on a machine with only the standard library
    would fail on them all the same."""
    import ast

    foreign = []
    for source in sorted((ROOT / "todo_core").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            foreign += [
                f"{source.name}: {name}"
                for name in names
                if name.split(".")[0] not in sys.stdlib_module_names | {"todo_core", "__future__"}
            ]
    assert foreign == []

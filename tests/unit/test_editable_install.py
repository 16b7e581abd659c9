"""Another project type-checks against the README's editable install (issue 17, item 16).

setuptools installs a flat layout in editable mode through an import hook, which mypy cannot
follow (`import-not-found`). `src/` holds one symlink per package, and `package-dir` points
there, so setuptools writes a plain `.pth` line instead: mypy reads it, only the three
packages become importable (not `tests`, `bench`, `tools`), and a module added to a package
is seen at once, with no reinstall.
"""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("todo_core", "todo_adapters", "todo_api")
CONSUMER = """\
from todo_core import AsyncTaskService, StaleTask, TaskService

def title_of(service: TaskService, task_id: int) -> str:
    return service.get("alice", task_id).title

reveal_type(AsyncTaskService.add)
reveal_type(StaleTask)
"""


def test_src_holds_one_link_per_package_and_nothing_else() -> None:
    entries = (ROOT / "src").iterdir()
    links = sorted(entry for entry in entries if not entry.name.endswith(".egg-info"))
    assert [link.name for link in links] == sorted(PACKAGES)
    for link in links:
        assert link.is_symlink()
        assert link.resolve() == ROOT / link.name


def test_mypy_in_another_project_sees_the_packages_of_an_editable_install(
    tmp_path: Path,
) -> None:
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = [python, "-m", "pip", "install", "-q", "--no-deps", "-e", ROOT]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    consumer = tmp_path / "consumer.py"
    consumer.write_text(CONSUMER)
    found = subprocess.run(
        [python, "-c", "import todo_core, tests"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert "No module named 'tests'" in found.stderr  # only the packages are importable
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--python-executable", str(python), str(consumer)]
    )
    assert status == 0, out + err
    assert 'Revealed type is "def (self: todo_core.service_async.AsyncTaskService' in out
    assert "todo_core.errors.StaleTask" in out

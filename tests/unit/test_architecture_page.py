"""The architecture page names every room: each package of the three, and each top-level
module of todo_api (the process), so a new room cannot appear unwritten."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "architecture.md"


def rooms() -> list[str]:
    packages = [
        path.parent.relative_to(ROOT).as_posix() + "/"
        for top in ("todo_core", "todo_adapters", "todo_api")
        for path in (ROOT / top).rglob("__init__.py")
        if "versions" not in path.parts
    ]
    process = [path.name for path in (ROOT / "todo_api").glob("*.py") if path.name != "__init__.py"]
    return packages + process


def test_every_room_is_on_the_architecture_page() -> None:
    page = PAGE.read_text()
    missing = [room for room in rooms() if _named(room) not in page]
    assert not missing, f"name these in docs/architecture.md: {missing}"


def test_the_page_would_notice_a_new_room() -> None:
    assert "todo_api/http/routes/" in rooms()
    assert "app.py" in rooms()


def _named(room: str) -> str:
    """How the page's tree names a room: `routes/` for a package, `app.py` for a module."""
    return room.rstrip("/").rsplit("/", 1)[-1] + ("/" if room.endswith("/") else "")

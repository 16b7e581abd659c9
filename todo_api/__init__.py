"""The HTTP adapter: FastAPI routes over todo_core, wired by one dependency-injector container."""

from todo_api.app import create_app
from todo_api.container import Container, use_memory

__all__ = ["Container", "create_app", "use_memory"]

"""The ASGI entry point for uvicorn (`todo_api.main:app`): the only module holding an app."""

from todo_api.app import create_app

app = create_app()

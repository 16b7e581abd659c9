"""How `todo-api serve` speaks HTTP: uvicorn's httptools protocol, with time and size limits
on every request's head and body (`protocol`)."""

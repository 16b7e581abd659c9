"""What runs per request: routes, the one dependency, schemas, problems, OpenAPI, middleware.

Everything here reads what the process built (see `state.py`); nothing here builds it.
"""

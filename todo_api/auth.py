"""Who is calling: the bearer token's user, and the rule that a URL names only that user."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from todo_api.problems import ForeignUser
from todo_core.errors import InvalidToken
from todo_core.ports import Principal

_bearer = HTTPBearer(auto_error=False, description="A JWT from Better Auth (or `todo-api token`)")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Verify the bearer token. HMAC verification is microseconds: fine on the event loop."""
    if credentials is None:
        raise InvalidToken("Not authenticated")
    verifier = request.app.state.container.token_verifier()
    principal: Principal = verifier.verify(credentials.credentials)
    return principal


async def url_owner(
    user_id: Annotated[str, Path(description="Must be the token's user id")],
    principal: Annotated[Principal, Depends(current_principal)],
) -> str:
    """The owner every query is scoped by: the token's user, which the URL must repeat."""
    if user_id != principal.user_id:
        raise ForeignUser()
    return principal.user_id


Owner = Annotated[str, Depends(url_owner)]

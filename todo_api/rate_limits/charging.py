"""Spending a request budget (`budgets`) and saying so in the IETF httpapi draft's
fields: `RateLimit-Policy` on every limited answer, `RateLimit` and `Retry-After` on a 429.

Routes build their own responses, which FastAPI does not merge a dependency's headers into;
so the dependency leaves the policy in the request's scope and `RateLimitHeaders` adds it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from todo_api.http.middleware.base import HttpMiddleware
from todo_api.http.state import shared
from todo_api.rate_limits.budgets import Kind, Refusal

_POLICY = "todo.rate_limit_policy"
READS = frozenset({"GET", "HEAD"})


class RateLimited(Exception):
    """Over the budget for this kind of request."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        super().__init__(
            f"Too many {refusal.kind}: {refusal.rate} allowed; retry in "
            f"{refusal.retry_after_seconds} s"
        )

    @property
    def headers(self) -> dict[str, str]:
        refusal = self.refusal
        return {
            "Retry-After": str(refusal.retry_after_seconds),
            "RateLimit": f'"{refusal.kind}";r=0;t={refusal.retry_after_seconds}',
            "RateLimit-Policy": refusal.policy,
        }


def kind_of(request: Request) -> Kind:
    return "reads" if request.method in READS else "writes"


async def charge(request: Request, who: str) -> None:
    """Spend one request from `who`'s budget (`user:ID` or `address:IP`); RateLimited when
    it is spent."""
    state = shared(request)
    limits, kind = state.limits, kind_of(request)
    refusal = await limits.charge(kind, who)
    if refusal is not None:
        state.telemetry.rate_limited(kind)
        raise RateLimited(refusal)
    policy = limits.policies.get(kind)
    if policy is not None:
        request.scope[_POLICY] = policy


def address_key(request: Request) -> str:
    """The budget of the client's address (behind a proxy, the one uvicorn took from
    X-Forwarded-For, as sent by an address FORWARDED_ALLOW_IPS trusts)."""
    return f"address:{request.client.host if request.client else 'unknown'}"


class RateLimitHeaders(HttpMiddleware):
    """Adds the policy a dependency charged against to the response."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                policy = scope.get(_POLICY)
                if policy is not None:
                    policy_header = (b"ratelimit-policy", policy.encode())
                    message["headers"] = [*message.get("headers", ()), policy_header]
            await send(message)

        await self.app(scope, receive, send_with_policy)

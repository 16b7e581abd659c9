"""What the adapters report as they work, for whoever watches: each call to the task store and
its operation, each fetch of an auth server's key set, each token check's outcome.

Adapters call an Observer and never import a metrics or tracing library; the application
decides what an observation becomes (todo_api's telemetry: Prometheus metrics and OpenTelemetry
spans). The default observer does nothing, and costs next to nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Final, Literal, Protocol, get_args

# How a token check ended: verified now, answered from memory, or refused (and why).
TokenOutcome = Literal["ok", "remembered", "expired", "invalid", "unavailable"]
TOKEN_OUTCOMES: Final[tuple[TokenOutcome, ...]] = get_args(TokenOutcome)


class Observer(Protocol):
    def database_call(self, operation: str) -> AbstractContextManager[object]:
        """Around one call to the task store (`list`, `get`, `add`, ...); an exception that
        leaves it is the call's failure."""
        ...

    def key_fetch(self) -> AbstractContextManager[object]:
        """Around one fetch of the auth server's key set; an exception that leaves it is a
        failed fetch."""
        ...

    def token_checked(self, outcome: TokenOutcome) -> None: ...


class Unobserved:
    """The observer that watches nothing."""

    _nothing: Final = nullcontext()  # reusable: it holds no state

    def database_call(self, operation: str) -> AbstractContextManager[object]:
        return self._nothing

    def key_fetch(self) -> AbstractContextManager[object]:
        return self._nothing

    def token_checked(self, outcome: TokenOutcome) -> None:
        return None


NO_OBSERVER: Final = Unobserved()

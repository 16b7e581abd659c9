"""Verifiers made of verifiers: routing a token by its algorithm, remembering good ones, and
serving an event loop without blocking it."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Executor
from typing import Protocol

from todo_adapters.observing import NO_OBSERVER, Observer
from todo_adapters.tokens.claims import MAX_TOKEN_LENGTH, header_of
from todo_core.errors import InvalidToken, TokenCheckUnavailable, TokenExpired
from todo_core.ports import TokenVerifier
from todo_core.principal import Principal


class AlgorithmVerifier(TokenVerifier, Protocol):
    """A verifier that names the algorithms it accepts."""

    @property
    def algorithms(self) -> tuple[str, ...]: ...


class ByAlgorithm:
    """Sends each token to the one verifier configured for its header's `alg`.

    With a shared secret and a JWKS both configured, an HS256 token can only ever meet the
    secret and an EdDSA token only the published keys; any other `alg` (`none` included) is
    refused here, before any key is looked at or fetched.
    """

    def __init__(self, verifiers: Iterable[AlgorithmVerifier]) -> None:
        self._routes: dict[str, TokenVerifier] = {}
        for verifier in verifiers:
            for algorithm in verifier.algorithms:
                if algorithm in self._routes:
                    raise ValueError(f"two verifiers claim {algorithm}")
                self._routes[algorithm] = verifier
        if not self._routes:
            raise ValueError("at least one verifier is required")
        self.algorithms = tuple(self._routes)

    def verify(self, token: str) -> Principal:
        algorithm = header_of(token).get("alg")
        verifier = self._routes.get(algorithm) if isinstance(algorithm, str) else None
        if verifier is None:
            raise InvalidToken(why="algorithm_not_allowed", note=f"allowed: {self.algorithms}")
        return verifier.verify(token)


class RememberingVerifier:
    """Remembers tokens that verified, until they expire, so that `recall` answers without
    blocking and without cryptography.

    A frontend sends the same token for its whole life (15 minutes with Better Auth); checking
    its signature once is enough. Only successes are kept, by the exact token, and only tokens
    with an `exp`; a remembered token stops counting at its `exp` (the inner verifier, asked
    again, applies its leeway). A key withdrawn from a JWKS stops new tokens at once, but one
    already remembered keeps working until it expires.
    """

    def __init__(self, inner: TokenVerifier, size: int = 4096) -> None:
        self.inner = inner
        self._size = size
        self._known: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, token: str) -> Principal | None:
        """The principal of a token that verified before and has not expired; never blocks."""
        if len(token) > MAX_TOKEN_LENGTH:
            return None
        entry = self._known.get(token)
        if entry is None:
            return None
        principal, expires = entry
        if time.time() >= expires:
            with self._lock:
                self._known.pop(token, None)
            return None
        return principal

    def verify(self, token: str) -> Principal:
        principal = self.recall(token)
        if principal is not None:
            return principal
        principal = self.inner.verify(token)
        expires = principal.claims.get("exp")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            with self._lock:
                self._known[token] = (principal, float(expires))
                if len(self._known) > self._size:
                    self._known.popitem(last=False)
        return principal


class OffLoopVerifier:
    """AsyncTokenVerifier over a RememberingVerifier: a remembered token is answered on the
    event loop (a dict lookup); a new one is verified on `threads`, since that may mean fetching
    keys from the auth server. Those threads are the token checks' own, apart from any other
    work, so checks stuck on a slow auth server cannot hold up requests whose tokens are known.
    Each check's outcome is told to `observer`.
    """

    def __init__(
        self, memory: RememberingVerifier, threads: Executor, observer: Observer = NO_OBSERVER
    ) -> None:
        self._memory = memory
        self._threads = threads
        self._checked = observer.token_checked

    async def verify(self, token: str) -> Principal:
        principal = self._memory.recall(token)
        if principal is not None:
            self._checked("remembered")
            return principal
        context = contextvars.copy_context()  # log lines (and spans) keep their request
        verify = self._memory.verify
        loop = asyncio.get_running_loop()
        try:
            principal = await loop.run_in_executor(self._threads, context.run, verify, token)
        except TokenExpired:
            self._checked("expired")
            raise
        except InvalidToken:
            self._checked("invalid")
            raise
        except TokenCheckUnavailable:
            self._checked("unavailable")
            raise
        self._checked("ok")
        return principal

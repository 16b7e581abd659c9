"""Bearer tokens: the shared-secret (HS*) verifier of the seed's setup, the JWKS verifier of
Better Auth's `jwt()` plugin, and the verifiers that combine them."""

from todo_adapters.tokens.composites import ByAlgorithm, OffLoopVerifier, RememberingVerifier
from todo_adapters.tokens.jwks import JwksVerifier
from todo_adapters.tokens.shared_secret import SharedSecretVerifier

__all__ = [
    "ByAlgorithm",
    "JwksVerifier",
    "OffLoopVerifier",
    "RememberingVerifier",
    "SharedSecretVerifier",
]

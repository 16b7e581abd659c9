"""Signing keys made in the test, and a real HTTP server publishing them as a JWKS.

The server can be taken down (connections refused), made to hang, or made to answer garbage,
and counts the fetches it served, so tests can assert both what was verified and how often
the auth server was asked.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

JWKS_PATH = "/api/auth/jwks"


@dataclass
class SigningKey:
    """A private key and its public JWK, as an auth server holds them."""

    algorithm: str
    private: Any
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def make(cls, algorithm: str, kid: str | None = None, rsa_bits: int = 2048) -> SigningKey:
        if algorithm == "EdDSA":
            private: Any = ed25519.Ed25519PrivateKey.generate()
        elif algorithm == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
        elif algorithm == "ES512":
            private = ec.generate_private_key(ec.SECP521R1())
        else:  # RS256, PS256
            private = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        return cls(algorithm, private, kid or uuid.uuid4().hex)

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        family: Any = {"Ed": OKPAlgorithm, "ES": ECAlgorithm}.get(self.algorithm[:2], RSAAlgorithm)
        data: dict[str, Any] = family.to_jwk(public, as_dict=True)
        return {**data, "kid": self.kid, "alg": self.algorithm}

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(
            claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid, **header}
        )


class KeyServer:
    """A JWKS endpoint on a loopback port, under the test's control."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.fetches = 0
        self.behaviour = "serve"  # or "hang", "garbage", "error"
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.up()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + JWKS_PATH

    def publish(self, *keys: SigningKey) -> None:
        self.keys = [key.jwk() for key in keys]

    def up(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                if owner.behaviour == "hang":
                    time.sleep(5)
                body = b"not json" if owner.behaviour == "garbage" else b""
                if not body:
                    body = json.dumps({"keys": owner.keys}).encode()
                status = 500 if owner.behaviour == "error" else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up first (the "hang" case)

            def log_message(self, *_: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._server = server

    def down(self) -> None:
        """Stop listening: fetches now fail with 'connection refused'."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def claims_for(server: KeyServer, user_id: str = "alice", **extra: Any) -> dict[str, Any]:
    """What Better Auth's `jwt()` puts in a token: `sub`, its origin as `iss` and `aud`,
    15 minutes of life, no `nbf`, and the user row."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "id": user_id,
        "email": f"{user_id}@example.com",
        "iat": now,
        "exp": now + 900,
        "iss": server.origin,
        "aud": server.origin,
    }
    claims.update(extra)
    return claims

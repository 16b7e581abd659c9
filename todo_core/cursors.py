"""Opaque cursors, for pages and for sync: a small JSON document, base64url without padding,
that a client hands back unchanged. What it holds, and what it must belong to, is its
caller's to check (`listing`, `syncing`); this is only how it travels."""

from __future__ import annotations

import base64
import hashlib
import json


def encode(document: dict[str, object]) -> str:
    raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8", "surrogatepass")).rstrip(b"=").decode()


def decode(cursor: object, max_length: int) -> dict[str, object]:
    """The document `encode` made; ValueError for anything else (too long, not base64, not
    JSON, nested past reason, not an object)."""
    if not isinstance(cursor, str) or not 1 <= len(cursor) <= max_length:
        raise ValueError("not a cursor")
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        document = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except RecursionError:  # thousands of `[`: a forged cursor, not a bug of ours
        raise ValueError("not a cursor") from None
    if not isinstance(document, dict):
        raise ValueError("not a cursor")
    return document


def digest(text: str) -> str:
    """What a cursor belongs to (an owner, a query) as 24 hex digits: no user id in clear."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]

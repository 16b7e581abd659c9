"""What a page on an allowed origin may send and read (the origins themselves are settings).

No credentials mode: the API reads a bearer token, never a cookie, so `fetch` needs no
`credentials: 'include'`, and refusing it keeps any cookie of the API's host out of reach.
"""

from __future__ import annotations

# Headers frontends and their libraries send: conditional and retry headers (If-Match,
# If-None-Match, Idempotency-Key), cache control, and tracing (W3C trace context, Sentry).
REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "X-Request-ID",
    "Cache-Control",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
]

# Without these, page JS reads null for them: the request id to quote in a bug report,
# how long to wait after a 503, why a token was refused, where a new task lives, and the
# version, paging and replay headers of lists and retried writes, and the request budget.
RESPONSE_HEADERS = [
    "X-Request-ID",
    "Retry-After",
    "WWW-Authenticate",
    "Location",
    "ETag",
    "Link",
    "Idempotent-Replayed",
    "RateLimit",
    "RateLimit-Policy",
]

# How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours).
PREFLIGHT_MAX_AGE_SECONDS = 600

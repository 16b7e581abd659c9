"""What wraps every request, declared as one ordered list in `todo_api.app` (outermost
first): the access log and request id, the security headers, telemetry, CORS, the answer to
what escapes the app, (the rate-limit policy header, whose home is `todo_api.rate_limits`),
the body limit."""

"""What the container builds, once per app run: the task store (`stores`), the token
verifiers (`verifiers`, with the development secret), the threads of blocking work, and what
runs beside requests (`housekeeping`, `background`, `draining`)."""

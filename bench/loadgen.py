"""A lean closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its next
request as soon as the previous answer arrives, for a fixed time.

Raw asyncio streams (uvloop when present) rather than an HTTP client library, so that the
client spends as little of this 2-core machine as possible.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Request = tuple[str, str, bytes | None, str]  # method, path, JSON body, extra header lines
Picker = Callable[[random.Random], tuple[Request, str]]  # request and the token to send


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)  # perf_counter, when kept
    keep_spans: bool = False  # each request's start and end (CLOCK_MONOTONIC: the server's too)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = float("nan")  # the server's, over the measured time

    @property
    def cpu_ms_per_request(self) -> float:
        answered = len(self.latencies)
        return self.cpu_seconds * 1000 / answered if answered else float("nan")

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def failures(self) -> int:
        """Transport errors and error statuses: anything a client would call a failure."""
        return self.errors + sum(n for status, n in self.statuses.items() if status >= 400)

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 400)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def encode(host: str, request: Request, token: str) -> bytes:
    method, path, body, extra = request
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Length: {len(body) if body else 0}\r\n{extra}"
    )
    if body:
        head += "Content-Type: application/json\r\n"
    return head.encode() + b"\r\n" + (body or b"")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    host: str,
    port: int,
    pick: Picker,
    stop_at: float,
    record_from: float,
    timeout: float,
    outcome: Outcome,
    seed: int,
) -> None:
    rng = random.Random(seed)
    reader = writer = None
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            request, token = pick(rng)
            started = time.perf_counter()
            writer.write(encode(host, request, token))
            status = await asyncio.wait_for(_read_response(reader), timeout)
            finished = time.perf_counter()
            if started >= record_from:
                outcome.latencies.append(finished - started)
                if outcome.keep_spans:
                    outcome.spans.append((started, finished))
                outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            if time.perf_counter() >= record_from:
                outcome.errors += 1
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def load(
    host: str,
    port: int,
    pick: Picker,
    connections: int,
    seconds: float,
    warmup: float = 0.5,
    timeout: float = 10.0,
    server_cpu: Callable[[], float] | None = None,
    keep_spans: bool = False,
) -> Outcome:
    """Drive `connections` connections for `warmup + seconds`; measure only the last part,
    including the CPU time `server_cpu` reports the server used meanwhile."""
    outcome = Outcome(keep_spans=keep_spans)
    now = time.perf_counter()
    record_from, stop_at = now + warmup, now + warmup + seconds
    cpu_at_start: list[float] = []
    if server_cpu is not None:
        asyncio.get_running_loop().call_later(warmup, lambda: cpu_at_start.append(server_cpu()))
    await asyncio.gather(
        *(
            _connection(host, port, pick, stop_at, record_from, timeout, outcome, seed)
            for seed in range(connections)
        )
    )
    outcome.seconds = max(time.perf_counter() - record_from, 1e-9)
    if server_cpu is not None and cpu_at_start:
        outcome.cpu_seconds = server_cpu() - cpu_at_start[0]
    return outcome


def run_load(*args: Any, **kwargs: Any) -> Outcome:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(load(*args, **kwargs))
    return uvloop.run(load(*args, **kwargs))

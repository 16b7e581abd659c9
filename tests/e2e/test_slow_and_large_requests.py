"""What a slow or oversized request gets from a real `todo-api serve`, over raw sockets: a
head or a body that does not arrive in time is cut (408), a head too large is refused (431),
and the shapes of request smuggling stay 400. Normal requests, kept alive, are untouched."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import Server, clean_env, stop
from tests.support.tokens import SECRET, auth

REQUEST_SECONDS = 1.5
CUT_WITHIN = REQUEST_SECONDS + 1.5  # the sweep's half second, and the test's own pace


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder: Path = tmp_path_factory.mktemp("guarded")
    env = clean_env(
        BETTER_AUTH_SECRET=SECRET,
        DATABASE_URL=f"sqlite:///{folder / 'todo.db'}",
        HTTP_REQUEST_TIMEOUT_SECONDS=str(REQUEST_SECONDS),
        RATE_LIMIT_READS="0",
        RATE_LIMIT_WRITES="0",
    )
    running = Server(folder, env)
    running.wait_ready()
    yield running
    stop(running.process)


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def answer_of(connection: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def one_response(connection: socket.socket) -> bytes:
    """One answer on a kept-alive connection: its head, then `content-length` bytes."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(
        next(
            line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")
        ).split(b":")[1]
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def closed_after(server: Server, send: list[bytes], pause: float) -> tuple[float, bytes]:
    """Send each piece `pause` seconds apart (stopping once the server has closed), then read
    to the end: how long the connection lasted, and what came back."""
    began = time.monotonic()
    with connect(server) as connection:
        for piece in send:
            try:
                connection.sendall(piece)
            except OSError:  # cut already
                break
            time.sleep(pause)
        try:
            answer = answer_of(connection)
        except ConnectionResetError:
            answer = b""
    return time.monotonic() - began, answer


def test_a_connection_that_sends_nothing_is_cut(server: Server) -> None:
    lasted, answer = closed_after(server, [], 0)
    assert lasted < CUT_WITHIN
    assert status_of(answer) == 408


def test_a_request_line_sent_slowly_is_cut(server: Server) -> None:
    pieces = [b"GET /api/alice/ta", b"sks HTTP/1.1\r\n"] + [b"X-Slow: 1\r\n"] * 20
    lasted, answer = closed_after(server, pieces, 0.5)
    assert lasted < CUT_WITHIN, "a header every half second kept it open"
    assert status_of(answer) == 408


def test_a_body_sent_a_byte_at_a_time_is_cut(server: Server) -> None:
    token = auth("alice")["Authorization"]
    head = (
        b"POST /api/alice/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Authorization: " + token.encode() + b"\r\nContent-Length: 400\r\n\r\n"
    )
    lasted, answer = closed_after(server, [head, *[b" "] * 20], 0.5)
    assert lasted < CUT_WITHIN
    assert status_of(answer) == 408


@pytest.mark.parametrize(
    "head",
    [
        b"X-Big: " + b"a" * 100_000 + b"\r\n",  # one header of 100 KB
        b"".join(b"X-%d: 1\r\n" % n for n in range(10_000)),  # ten thousand headers
        b"X-Bigger: " + b"a" * 1_000_000 + b"\r\n",  # one of 1 MB
    ],
    ids=["100 KB header", "10,000 headers", "1 MB header"],
)
def test_a_head_too_large_is_refused(server: Server, head: bytes) -> None:
    with connect(server) as connection:
        # refused and closed before it all went: the answer is already waiting
        with contextlib.suppress(OSError):
            connection.sendall(b"GET /livez HTTP/1.1\r\nHost: t\r\n" + head + b"\r\n")
        try:
            answer = answer_of(connection)
        except ConnectionResetError:
            answer = b""
    assert status_of(answer) in (431, 0), answer[:200]  # 0: closed before reading it all
    assert status_of(answer) == 431 or len(head) > 500_000


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    ],
    ids=["two Content-Length", "Content-Length with chunked"],
)
def test_request_smuggling_shapes_are_400(server: Server, framing: bytes) -> None:
    with connect(server) as connection:
        connection.sendall(b"POST /api/alice/tasks HTTP/1.1\r\nHost: t\r\n" + framing + b"\r\n")
        connection.sendall(b"0\r\n\r\nGET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
        answer = answer_of(connection)
    assert status_of(answer) == 400
    assert answer.count(b"HTTP/1.1 ") == 1  # nothing smuggled behind it was answered


def test_ordinary_requests_on_a_kept_alive_connection_are_untouched(server: Server) -> None:
    token = auth("alice")["Authorization"].encode()
    request = b"GET /api/alice/tasks HTTP/1.1\r\nHost: t\r\nAuthorization: " + token + b"\r\n\r\n"
    with connect(server) as connection:
        for _ in range(3):
            connection.sendall(request)
            answer = one_response(connection)
            assert status_of(answer) == 200, answer[:200]
            assert answer.endswith(b"[]")  # alice has no tasks here
            time.sleep(REQUEST_SECONDS * 0.8)  # idle between requests: the keep-alive's to judge

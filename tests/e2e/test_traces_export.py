"""Traces of a real `todo-api serve --workers 2`, sent to an OTLP/HTTP endpoint: each worker
sets the SDK up in its own lifespan and flushes it at its end, so every span arrives, in the
caller's trace."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx2
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.support.servers import Server, clean_env
from tests.support.tokens import SECRET

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


class Collector:
    """An OTLP/HTTP endpoint on a loopback port that keeps the spans it is sent."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, dict[str, object]]] = []  # trace id, name, attributes
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                exported = ExportTraceServiceRequest.FromString(body)
                for resource in exported.resource_spans:
                    for scope in resource.scope_spans:
                        for span in scope.spans:
                            attributes = {a.key: a.value for a in span.attributes}
                            owner.spans.append((span.trace_id.hex(), span.name, attributes))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def collector() -> Iterator[Collector]:
    running = Collector()
    yield running
    running.close()


def test_every_workers_spans_reach_the_endpoint_by_the_time_it_stops(
    tmp_path: Path, collector: Collector
) -> None:
    env = clean_env(BETTER_AUTH_SECRET=SECRET, OTEL_EXPORTER_OTLP_ENDPOINT=collector.url)
    server = Server(tmp_path, env, "--workers", "2")
    sent = 20
    try:
        server.wait_ready()
        for n in range(sent):
            traceparent = f"00-{TRACE_ID}-{n + 1:016x}-01"
            response = httpx2.get(f"{server.base}/health", headers={"traceparent": traceparent})
            assert response.status_code == 200
    finally:
        server.stop()  # each worker's lifespan ends: its spans are flushed
    ours = [span for span in collector.spans if span[0] == TRACE_ID]
    assert len(ours) == sent, server.output
    assert {name for _, name, _ in ours} == {"GET /health"}

"""OpenTelemetry traces, in-process, into the SDK's in-memory exporter: a span per request
named by its route template and carrying its request id, child spans for database calls and
key-set fetches, and the caller's `traceparent` honoured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests.support.apps import jwks_container, memory_app, settings_for_tests
from tests.support.jwks import KeyServer, SigningKey, claims_for
from tests.support.tokens import auth, bearer
from todo_api import Container, create_app
from todo_api.http.middleware.request_telemetry import REQUEST_ID_ATTRIBUTE, RequestTelemetry

TRACING = {"otel_exporter_otlp_endpoint": "http://127.0.0.1:4318"}  # replaced by the exporter
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"


def traced(container: Container) -> InMemorySpanExporter:
    """Spans of the app on `container` kept in memory, as they end."""
    exporter = InMemorySpanExporter()
    container.span_processor.override(providers.Object(SimpleSpanProcessor(exporter)))
    return exporter


def named(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


@pytest.fixture
def memory_traced() -> Iterator[tuple[TestClient, InMemorySpanExporter]]:
    app, container, _ = memory_app(**TRACING)
    exporter = traced(container)
    with TestClient(app) as client:
        yield client, exporter


def test_a_request_span_is_named_by_its_route_template_and_carries_the_request_id(
    memory_traced: tuple[TestClient, InMemorySpanExporter],
) -> None:
    client, exporter = memory_traced
    headers = {**auth("alice"), "X-Request-ID": "trace-me-1"}
    assert client.get("/api/alice/tasks", headers=headers).status_code == 200
    span = named(exporter.get_finished_spans(), "GET /api/{user_id}/tasks")
    assert span.kind is SpanKind.SERVER
    assert span.parent is None  # no traceparent: a trace of its own
    attributes = dict(span.attributes or {})
    assert attributes["http.route"] == "/api/{user_id}/tasks"
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.response.status_code"] == 200
    assert attributes[REQUEST_ID_ATTRIBUTE] == "trace-me-1"
    assert "alice" not in span.name


def test_the_callers_traceparent_is_honoured(
    memory_traced: tuple[TestClient, InMemorySpanExporter],
) -> None:
    client, exporter = memory_traced
    traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
    client.get("/health", headers={"traceparent": traceparent})
    span = named(exporter.get_finished_spans(), "GET /health")
    assert span.context is not None
    assert span.context.trace_id == int(TRACE_ID, 16)
    assert span.parent is not None
    assert span.parent.span_id == int(PARENT_ID, 16)
    assert span.parent.is_remote


def test_a_503_marks_its_span_an_error_and_an_unmatched_path_is_named_by_method() -> None:
    app, container, _ = memory_app(**TRACING)
    exporter = traced(container)
    with TestClient(app) as client:
        container.draining().set()
        assert client.get("/health/ready").status_code == 503
        assert client.get("/no/such/page").status_code == 404
    spans = exporter.get_finished_spans()
    unready = named(spans, "GET /health/ready")
    assert unready.status.status_code is StatusCode.ERROR
    unmatched = named(spans, "GET")  # no route template to name it by
    assert "http.route" not in (unmatched.attributes or {})
    assert unmatched.status.status_code is StatusCode.UNSET  # a 4xx is the caller's


def test_database_calls_are_child_spans_of_the_request(
    postgres_url: str, clean_postgres: object
) -> None:
    container = Container()
    container.settings.override(settings_for_tests(database_url=postgres_url, **TRACING))
    exporter = traced(container)
    with TestClient(create_app(container)) as client:
        assert client.get("/api/alice/tasks", headers=auth("alice")).status_code == 200
    spans = exporter.get_finished_spans()
    request = named(spans, "GET /api/{user_id}/tasks")
    call = named(spans, "list tasks")
    assert call.kind is SpanKind.CLIENT
    assert call.parent is not None
    assert request.context is not None
    assert call.parent.span_id == request.context.span_id
    assert call.context is not None
    assert call.context.trace_id == request.context.trace_id
    attributes = dict(call.attributes or {})
    assert attributes["db.system.name"] == "postgresql"
    assert attributes["db.operation.name"] == "list"


def test_a_key_fetch_for_a_new_key_is_a_child_span_of_the_request() -> None:
    server = KeyServer()
    server.publish(SigningKey.make("EdDSA"))
    container = jwks_container(server.url, **TRACING)
    exporter = traced(container)
    try:
        with TestClient(create_app(container)) as client:
            rotated = SigningKey.make("EdDSA")
            server.publish(rotated)  # a rotation: the request's token names a key not yet seen
            token = rotated.sign(claims_for(server))
            assert client.get("/api/alice/tasks", headers=bearer(token)).status_code == 200
    finally:
        server.down()
    spans = exporter.get_finished_spans()
    fetches = [span for span in spans if span.name == "fetch signing keys"]
    assert len(fetches) == 2  # at start (a trace of its own), then within the request
    at_start, in_request = fetches
    assert at_start.parent is None
    request = named(spans, "GET /api/{user_id}/tasks")
    assert request.context is not None
    assert in_request.parent is not None
    assert in_request.parent.span_id == request.context.span_id


def test_with_tracing_off_there_is_no_tracer_and_no_span_per_request() -> None:
    app, container, _ = memory_app(metrics=True, metrics_port=9464)
    with TestClient(app) as client:
        client.get("/health")
        assert container.telemetry().tracer is None
    plain, _, _ = memory_app()
    assert not any(middleware.cls is RequestTelemetry for middleware in plain.user_middleware)

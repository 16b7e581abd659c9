"""OpenTelemetry's SDK, set up when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans batched to that
OTLP/HTTP endpoint. The SDK reads the other OTEL_* variables itself (service name, resource
attributes, sampler, headers, timeouts).

Built in each worker's lifespan, never at import nor in `todo-api serve`'s parent (the batch
processor's thread does not survive a fork), and shut down, flushed, at the lifespan's end.
The provider is the app's own, not the global one: two apps in one process (tests) never mix.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from todo_api.settings import Settings

if TYPE_CHECKING:  # the SDK is imported only where traces are on
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

DEFAULT_SERVICE_NAME = "todo-api"


def otlp_span_processor(settings: Settings) -> SpanProcessor | None:
    """The container's `span_processor`: spans batched to the configured OTLP endpoint, or
    None without one (no traces). Tests override it with an in-memory exporter."""
    if not settings.otel_exporter_otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # As the SDK does with the variable (which may come from `.env` here, unseen by the SDK):
    # traces go to `<endpoint>/v1/traces`, unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT says.
    endpoint = os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or (
        settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
    )
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint))


def tracer_provider(processor: SpanProcessor) -> TracerProvider:
    """A provider sending every span to `processor`; `shutdown()` flushes it."""
    from opentelemetry.sdk.trace import TracerProvider

    provider = TracerProvider(resource=_resource(), shutdown_on_exit=False)
    provider.add_span_processor(processor)
    return provider


def _resource() -> Resource:
    """OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES as the SDK reads them; `todo-api` for a
    service left unnamed."""
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "unknown_service")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    return resource

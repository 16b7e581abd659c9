"""What the app measures and traces, when configured: Prometheus metrics (METRICS=true) and
OpenTelemetry spans (OTEL_EXPORTER_OTLP_ENDPOINT). `observing` is what requests and adapters
report to; `metrics`, `scraping`, `multiprocess` and `metrics_port` are Prometheus' side (imported
only once metrics are on), `tracing` OpenTelemetry's, `upkeep` the once-a-second flush."""

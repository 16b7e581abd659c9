"""Metrics and traces: off unless asked for, and then never public by accident."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from todo_api.settings.environment import EnvironmentSettings

MIN_METRICS_TOKEN_LENGTH = 16


class TelemetrySettings(EnvironmentSettings):
    metrics: bool = False
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_token: SecretStr | None = None
    # OpenTelemetry traces: on when an OTLP endpoint is given (the SDK reads OTEL_* itself).
    otel_exporter_otlp_endpoint: str | None = None

    @model_validator(mode="after")
    def _metrics_not_public(self) -> TelemetrySettings:
        token = self.metrics_token.get_secret_value() if self.metrics_token else None
        if token is not None and len(token) < MIN_METRICS_TOKEN_LENGTH:
            raise ValueError(f"METRICS_TOKEN must be {MIN_METRICS_TOKEN_LENGTH}+ characters")
        if self.metrics and self.metrics_port is None and self.metrics_token is None:
            raise ValueError(
                "METRICS=true needs METRICS_PORT (a port of their own) or METRICS_TOKEN "
                "(a bearer token /metrics asks for): the API's port is public"
            )
        return self

    @property
    def telemetry_on(self) -> bool:
        return self.metrics or bool(self.otel_exporter_otlp_endpoint)

"""Prometheus' text read back, for tests: each sample by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples_of(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample with exactly these labels; 0 when there is none (never counted)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples whose labels include these (e.g. over every status)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)

"""Observations added to a Prometheus histogram in bulk.

prometheus_client only observes one value at a time; in multiprocess mode each observation is
a locked write to a memory-mapped file. Requests count their times in plain lists instead
(`metrics`), and a flush adds each list at once, through the histogram's private `_sum` and
`_buckets` (non-cumulative counts). That is the one use of prometheus_client's internals for
histograms: tests/api/test_metrics.py holds it to what `observe` gives, and pyproject.toml
bounds the version.
"""

from __future__ import annotations

from prometheus_client import Histogram

Timing = list[float]  # the sum of the times, then how many fell in each bucket (+Inf last)


def add(histogram: Histogram, timing: Timing) -> None:
    """Observations made meanwhile, added at once: the sum, then each bucket's count (what
    `observe` adds one at a time)."""
    histogram._sum.inc(timing[0])
    for bucket, count in zip(histogram._buckets, timing[1:], strict=True):
        if count:
            bucket.inc(count)

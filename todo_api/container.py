"""The composition root: the one place that decides which adapter serves each port.

Nothing is built at import time: the lifespan asks for `shared` once, which builds what
requests use (the task store and its pool, the token checks' threads and memory, the service);
the lifespan's end closes it all. Tests and embedders swap a provider with `.override(...)`
(see `use_memory`).
"""

from __future__ import annotations

import threading

from dependency_injector import containers, providers

from todo_adapters.memory import AsyncInMemoryTaskRepository
from todo_adapters.occurrences import DateutilOccurrences
from todo_adapters.tokens import OffLoopVerifier, RememberingVerifier
from todo_api.http.state import Shared, StreamTiming
from todo_api.rate_limits.budgets import rate_limits_for
from todo_api.resources.changes import change_notifier_for, stream_tickets_for
from todo_api.resources.housekeeping import purged_every
from todo_api.resources.stores import open_task_store
from todo_api.resources.task_store import memory_store
from todo_api.resources.threads import thread_pool
from todo_api.resources.verifiers import (
    either_verifier,
    jwks_verifier_for,
    shared_secret_verifier_for,
)
from todo_api.settings import Settings
from todo_api.telemetry.observing import observer_of, telemetry_for
from todo_api.telemetry.tracing import otlp_span_processor
from todo_api.telemetry.upkeep import metrics_kept_up
from todo_core.service_async import AsyncTaskService


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

    # Metrics (METRICS) and traces (OTEL_EXPORTER_OTLP_ENDPOINT), built in each worker's
    # lifespan; the adapters report to `observer`, which does nothing when both are off.
    span_processor = providers.Singleton(otlp_span_processor, settings)
    telemetry = providers.Resource(telemetry_for, settings, span_processor)
    observer = providers.Singleton(observer_of, telemetry)

    task_store = providers.Resource(open_task_store, settings, observer)
    metrics_upkeep = providers.Resource(metrics_kept_up, telemetry, task_store.provided.pool_stats)
    # Recurring tasks' rules, expanded by python-dateutil.
    occurrences = providers.Singleton(DateutilOccurrences)
    # Pokes for live updates: every write's, to the streams of its owner on every replica.
    change_notifier = providers.Resource(change_notifier_for, settings)
    # Single-use tickets for a browser's EventSource (in Redis with REDIS_URL: any replica).
    stream_tickets = providers.Resource(stream_tickets_for, settings)
    task_service = providers.Singleton(
        AsyncTaskService,
        task_store.provided.repository,
        occurrences=occurrences,
        changes=change_notifier,
        key_ttl=settings.provided.idempotency_ttl,
        sync_retention=settings.provided.sync_retention,
        task_limit=settings.provided.max_tasks_per_user,
    )
    # Old idempotency keys and tombstones, forgotten now and then by every replica.
    housekeeping = providers.Resource(
        purged_every, task_service, settings.provided.housekeeping_interval_seconds
    )

    shared_secret_verifier = providers.Singleton(shared_secret_verifier_for, settings)
    jwks_verifier = providers.Singleton(jwks_verifier_for, settings, observer)
    token_verifier = providers.Singleton(either_verifier, shared_secret_verifier, jwks_verifier)
    token_memory = providers.Singleton(RememberingVerifier, token_verifier)
    # New tokens are checked on threads of their own: a slow auth server must not hold up
    # anything else.
    token_threads = providers.Resource(
        thread_pool, settings.provided.blocking_threads, "token-check"
    )
    request_tokens = providers.Singleton(OffLoopVerifier, token_memory, token_threads, observer)

    # Request budgets, in Redis when REDIS_URL is set (shared by every replica).
    rate_limits = providers.Resource(
        rate_limits_for,
        settings.provided.rate_limit_reads,
        settings.provided.rate_limit_writes,
        settings.provided.redis_address,
    )

    # Set at SIGTERM when SHUTDOWN_DRAIN_SECONDS > 0: readiness then answers 503.
    draining = providers.Singleton(threading.Event)

    shared = providers.Singleton(
        Shared,
        tasks=task_service,
        tokens=request_tokens,
        storage_probe=task_store.provided.ping,
        draining=draining,
        limits=rate_limits,
        telemetry=telemetry,
        tickets=stream_tickets,
        streams=providers.Factory(
            StreamTiming,
            settings.provided.events_ping_seconds,
            settings.provided.events_max_lifetime_seconds,
        ),
    )


def use_memory(container: Container) -> AsyncInMemoryTaskRepository:
    """Serve tasks from memory instead of a database (tests, demos); returns the repository."""
    repository = AsyncInMemoryTaskRepository()
    container.task_store.override(providers.Object(memory_store(repository)))
    return repository

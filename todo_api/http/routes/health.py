"""Liveness, readiness and the root document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from todo_api.http.openapi import errors_doc
from todo_api.http.refusals import ShuttingDown
from todo_api.http.state import shared
from todo_api.rate_limits.charging import address_key, charge
from todo_core.errors import StorageUnavailable

router = APIRouter(tags=["health"])


@router.get("/", responses=errors_doc(429))
async def root(request: Request) -> dict[str, str | None]:
    """What this is and where its documentation lives (budgeted by client address; the
    probes below are not: a balancer checking often must never be refused)."""
    await charge(request, address_key(request))
    docs = "/docs" if request.app.openapi_url else None  # none in production, by default
    return {"message": "Todo API", "version": request.app.version, "docs": docs}


@router.get("/health")
async def health() -> dict[str, str]:
    """The process answers; says nothing about the database (see /health/ready)."""
    return {"status": "ok"}


@router.get("/livez")
async def live() -> dict[str, str]:
    """The process answers: no I/O (a liveness probe must not fail for a database outage,
    or the orchestrator restarts healthy replicas)."""
    return {"status": "ok"}


@router.get("/health/ready", responses=errors_doc(503))
@router.get("/readyz", responses=errors_doc(503))
async def ready(request: Request) -> dict[str, Any]:
    """Ready to serve: not draining, and the task store answers."""
    state = shared(request)
    if state.draining.is_set():
        raise ShuttingDown()
    try:
        await state.storage_probe()
    except Exception as error:  # any failure to reach it means "not ready", not a 500
        raise StorageUnavailable(type(error).__name__) from error
    return {"status": "ready", "database": "ok"}

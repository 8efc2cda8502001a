"""Liveness and readiness routes that every service mounts (probes share them)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse

Check = Callable[[], Awaitable[object]]


class NotReady(Exception):
    """A check's own verdict; its message (no secrets, no addresses) is shown in the answer."""


async def run_checks(checks: Mapping[str, Check], timeout_s: float = 3.0) -> dict[str, str]:
    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout_s)
        except NotReady as exc:
            return f"down: {exc}"
        except Exception as exc:
            return f"down: {type(exc).__name__}"
        return "ok"

    names = list(checks)
    results = await asyncio.gather(*(one(checks[name]) for name in names))
    return dict(zip(names, results, strict=True))


def health_router(checks: Callable[[], Mapping[str, Check]]) -> APIRouter:
    """``checks`` is called per request, so it can read state set up in the lifespan."""
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        results = await run_checks(checks())
        ok = bool(results) and all(value == "ok" for value in results.values())
        return JSONResponse(
            {"status": "ready" if ok else "not-ready", "checks": results},
            status_code=200 if ok else 503,
        )

    return router

"""Stopping a background task so that a shutdown cannot hang on it.

``task.cancel(); await task`` is not enough on Python 3.11: ``asyncio.wait_for`` there returns
the inner awaitable's result when the cancellation arrives in the same loop iteration as that
result (gh-86296, fixed by 3.12's rewrite of ``wait_for``), so the cancellation is swallowed,
the task's loop goes round again and ``await task`` never returns. Every ``wait_for`` inside a
loop is exposed (an audit flush woken by the request that just ended, a readiness check that
answers as the service stops). :func:`stop_task` cancels again until the task has ended.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

#: how long one cancellation is given before it is sent again
RETRY_S = 0.2


async def stop_task(task: asyncio.Future[Any] | None, *, retry_s: float = RETRY_S) -> None:
    """Cancel ``task`` and wait until it has ended, cancelling again where a cancellation was
    swallowed. What the task raised (its cancellation included) is not re-raised here; the
    caller's own cancellation is."""
    if task is None:
        return
    attempts = 0
    while not task.done():
        task.cancel()
        attempts += 1
        await asyncio.wait({task}, timeout=retry_s)
    if attempts > 1:
        log.warning("a background task ignored a cancellation", extra={"attempts": attempts})
    if not task.cancelled():
        task.exception()  # retrieved: no "exception was never retrieved" at collection


async def stop_tasks(tasks: list[asyncio.Future[Any]], *, retry_s: float = RETRY_S) -> None:
    """:func:`stop_task` for each of ``tasks``, side by side."""
    await asyncio.gather(*(stop_task(task, retry_s=retry_s) for task in tasks))

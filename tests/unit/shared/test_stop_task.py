"""A background loop's stop cannot hang on a swallowed cancellation.

On Python 3.11 ``asyncio.wait_for`` returns its inner result when the cancellation arrives in
the same loop iteration (gh-86296): a loop waiting on an event that is set just as the service
stops goes round again, and ``task.cancel(); await task`` waited for ever (the gateway's
lifespan exit hung until pytest-timeout after a search had woken the audit flush)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import pytest

from lexstream.gateway.audit import AuditLog
from lexstream.gateway.settings import GatewaySettings
from lexstream.shared.tasks import stop_task, stop_tasks


def _looping(wake: asyncio.Event, rounds: list[int]) -> asyncio.Task[None]:
    async def loop() -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), 30)
            wake.clear()
            rounds.append(1)

    return asyncio.create_task(loop())


async def _started(task: asyncio.Task[None]) -> None:
    for _ in range(3):  # the loop is inside its wait_for
        await asyncio.sleep(0)
    assert not task.done()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12's wait_for passes cancellation on")
async def test_a_plain_cancel_is_swallowed_by_wait_for_on_3_11() -> None:
    """The failure this module guards against, as it happens: the loop survives the cancel."""
    wake, rounds = asyncio.Event(), []
    task = _looping(wake, rounds)
    await _started(task)
    wake.set()
    task.cancel()
    await asyncio.wait({task}, timeout=0.5)
    assert not task.done()  # the cancellation was swallowed
    assert rounds == [1]
    task.cancel()  # a second one, sent while it waits, is not
    await asyncio.wait({task}, timeout=0.5)
    assert task.cancelled()


async def test_stop_task_ends_a_loop_that_swallowed_the_cancellation() -> None:
    wake, rounds = asyncio.Event(), []
    task = _looping(wake, rounds)
    await _started(task)
    wake.set()
    await asyncio.wait_for(stop_task(task, retry_s=0.05), 5)
    assert task.done()


async def test_stop_tasks_ends_every_task_and_keeps_their_errors_to_itself() -> None:
    async def fails() -> None:
        raise RuntimeError("boom")

    wake, rounds = asyncio.Event(), []
    looping, failing = _looping(wake, rounds), asyncio.create_task(fails())
    await _started(looping)
    wake.set()
    await asyncio.wait_for(stop_tasks([looping, failing], retry_s=0.05), 5)
    assert looping.done()
    assert failing.done()
    await stop_task(None)  # nothing started: nothing to stop


async def test_the_audit_log_stops_when_a_flush_is_woken_as_it_stops() -> None:
    audit = AuditLog(_NoEs(), None, GatewaySettings(audit_flush_interval_s=30.0))  # type: ignore[arg-type]
    audit.start()
    await asyncio.sleep(0.01)

    async def stop_as_woken() -> None:
        audit._wake.set()  # a request's entry woke the flush just as the gateway stops
        await audit.stop()

    stopping = asyncio.create_task(stop_as_woken())
    await asyncio.wait({stopping}, timeout=5)  # not wait_for: its cancel would be swallowed too
    try:
        assert stopping.done(), "the audit log's stop hangs"
    finally:
        for task in (stopping, audit._task):
            if task is not None:
                await stop_task(task)


class _NoEs:
    async def bulk(self, **_: Any) -> dict[str, Any]:
        return {"items": []}

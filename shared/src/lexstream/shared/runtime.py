"""Process start-up shared by the services: wait for dependencies with tenacity."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, stop_after_delay, wait_exponential

log = logging.getLogger(__name__)


async def wait_for(
    name: str, check: Callable[[], Awaitable[object]], timeout_s: float = 120
) -> None:
    """Wait until a dependency answers, so a service started with the stack does not crash."""
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(timeout_s),
        wait=wait_exponential(multiplier=0.2, max=5),
        reraise=True,
    ):
        with attempt:
            await check()
    log.info("dependency ready", extra={"dependency": name})

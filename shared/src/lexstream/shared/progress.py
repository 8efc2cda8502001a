"""Progress of a long stage, reported from a worker thread as ``documents.progress`` events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from faststream.kafka import KafkaBroker

from lexstream.shared import __version__
from lexstream.shared.events import DocumentProgress, DocumentStatus, Event, Stage, Topics
from lexstream.shared.kafka import publish_event

log = logging.getLogger(__name__)


class ProgressReporter:
    """Thread-safe: ``report(fraction)`` may be called from the thread doing the work.

    Reports are throttled to steps of ``step`` so a 500-page document sends a handful of
    events, not 500; a failed publish is logged and never fails the work itself.
    """

    def __init__(
        self,
        broker: KafkaBroker,
        topics: Topics,
        event: Event,
        stage: Stage,
        status: DocumentStatus,
        *,
        step: float = 0.1,
    ) -> None:
        self._broker = broker
        self._topics = topics
        self._event = event
        self._stage = stage
        self._status = status
        self._step = step
        self._last = -1.0
        self._loop = asyncio.get_running_loop()

    async def started(self) -> None:
        await self._publish(None)

    def report(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if fraction < 1.0 and fraction - self._last < self._step:
            return
        self._last = fraction
        future = asyncio.run_coroutine_threadsafe(self._publish(fraction), self._loop)
        future.add_done_callback(self._log_failure)

    def pages(self) -> Callable[[int, int], None]:
        """An adapter for callbacks that count pages: ``progress(done, total)``."""
        return lambda done, total: self.report(done / total if total else 1.0)

    @staticmethod
    def _log_failure(future: object) -> None:
        exc = future.exception() if hasattr(future, "exception") else None
        if exc is not None:
            log.warning("progress event not published", extra={"error_type": type(exc).__name__})

    async def _publish(self, fraction: float | None) -> None:
        await publish_event(
            self._broker,
            self._topics.progress,
            DocumentProgress(
                **self._event.envelope(),
                stage=self._stage,
                status=self._status,
                fraction=fraction,
                service_version=__version__,
            ),
        )

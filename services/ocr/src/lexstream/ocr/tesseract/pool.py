"""Parallel OCR of pages: a process pool with one Tesseract engine per worker.

Tesseract is CPU-bound and not thread-friendly enough to scale with threads, so pages
go to worker processes. Only page *numbers* travel to the workers; each worker renders
its page itself. At most ``2 x workers`` pages are in flight, so memory is bounded by
the number of workers, not by the length of the document.

A service should build one :class:`OcrPool` at start-up and pass it to every
``extract_text`` call (workers then stay warm); without one, ``extract_text`` uses an
:class:`OnDemandOcr`, which builds a temporary pool for each batch of several pages.
Both implement :class:`~lexstream.ocr.extractors.base.PageOcr`.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType

from lexstream.ocr.extractors.base import PageJob, PageOcrResult
from lexstream.ocr.tesseract.engine import TesseractEngine, init_worker, run_job

logger = logging.getLogger(__name__)


class OcrPool:
    """A pool of OCR worker processes; use as a context manager or call :meth:`close`."""

    def __init__(self, workers: int, tessdata: str, max_tasks_per_child: int = 500) -> None:
        self.workers = workers
        self.tessdata = tessdata
        # forkserver: never fork a process that runs Kafka client or event-loop threads.
        context = multiprocessing.get_context("forkserver")
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=init_worker,
            initargs=(tessdata,),
            max_tasks_per_child=max_tasks_per_child,
        )

    def map_pages(
        self, jobs: Iterable[PageJob], on_result: Callable[[PageOcrResult], None]
    ) -> None:
        """Run ``jobs`` with at most ``2 x workers`` in flight; ``on_result`` as each ends.

        The first exception raised by a page (e.g. an ExtractionError for a page that is too
        large) cancels the pages not yet started and is re-raised.
        """
        pending: set[Future[PageOcrResult]] = set()
        limit = 2 * self.workers
        job_iter = iter(jobs)
        try:
            for job in job_iter:
                pending.add(self._executor.submit(run_job, job))
                while len(pending) >= limit:
                    pending = self._drain(pending, on_result)
            while pending:
                pending = self._drain(pending, on_result)
        finally:
            for future in pending:
                future.cancel()

    @staticmethod
    def _drain(
        pending: set[Future[PageOcrResult]], on_result: Callable[[PageOcrResult], None]
    ) -> set[Future[PageOcrResult]]:
        done, still = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            on_result(future.result())
        return still

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> OcrPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class OnDemandOcr:
    """OCR without a long-lived pool: one page (or one worker) in this process, several pages
    in a temporary pool of up to ``workers`` processes, built for the call and closed after."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map_pages(
        self, jobs: Sequence[PageJob], on_result: Callable[[PageOcrResult], None]
    ) -> None:
        if not jobs:
            return
        tessdata = jobs[0].tessdata
        if self.workers <= 1 or len(jobs) == 1:
            engine = TesseractEngine(tessdata)
            try:
                for result in _in_process(engine, jobs):
                    on_result(result)
            finally:
                engine.close()
            return
        with OcrPool(min(self.workers, len(jobs)), tessdata) as temporary:
            temporary.map_pages(jobs, on_result)


def _in_process(engine: TesseractEngine, jobs: Sequence[PageJob]) -> Iterator[PageOcrResult]:
    for job in jobs:
        yield engine.ocr_page(job)

"""One way to wait for something in a test: :func:`eventually` (and its async twin).

A test that waits polls a probe until it answers, and fails with what it saw last when the
time is up. The probe returns the value the test goes on with (a record, a list of hits);
anything falsy - ``None``, ``False``, an empty list - means "not yet". Exceptions listed in
``ignoring`` (a server still coming back) also mean "not yet"; any other exception fails the
test at once, since waiting longer cannot fix a bug.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import httpx

T = TypeVar("T")


class _Polling(Generic[T]):
    """One wait's bookkeeping, shared by the sync and async loops: the deadline, the probe's
    last answer and the last error it raised that ``ignoring`` lists."""

    def __init__(
        self, what: str, timeout_s: float, ignoring: tuple[type[BaseException], ...]
    ) -> None:
        self.what, self.timeout_s, self.ignoring = what, timeout_s, ignoring
        self.deadline = time.monotonic() + timeout_s
        self.last: T | None = None
        self.error: BaseException | None = None

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """Around one call of the probe: an exception ``ignoring`` lists means "not yet"."""
        try:
            yield
        except self.ignoring as exc:
            self.error = exc

    def answered(self, answer: T | None) -> T | None:
        """Note the probe's answer; it is the result when truthy."""
        self.last, self.error = answer, None
        return answer

    def check_time(self) -> None:
        """AssertionError naming what was awaited and what was seen last, once time is up."""
        if time.monotonic() < self.deadline:
            return
        error, last = self.error, self.last
        seen = f"last error: {type(error).__name__}: {error}" if error else f"last answer: {last!r}"
        raise AssertionError(
            f"{self.what} did not happen within {self.timeout_s:g} s ({seen})"[:4000]
        )


def eventually(
    probe: Callable[[], T | None],
    *,
    what: str = "the condition",
    timeout_s: float = 60,
    interval_s: float = 0.25,
    ignoring: tuple[type[BaseException], ...] = (),
) -> T:
    """The probe's first truthy answer; AssertionError naming ``what`` after ``timeout_s``."""
    polling = _Polling[T](what, timeout_s, ignoring)
    while True:
        with polling.attempt():
            if answer := polling.answered(probe()):
                return answer
        polling.check_time()
        time.sleep(interval_s)


async def eventually_async(
    probe: Callable[[], Awaitable[T | None]],
    *,
    what: str = "the condition",
    timeout_s: float = 60,
    interval_s: float = 0.25,
    ignoring: tuple[type[BaseException], ...] = (),
) -> T:
    """:func:`eventually` for a coroutine probe (sleeps without blocking the event loop)."""
    polling = _Polling[T](what, timeout_s, ignoring)
    while True:
        with polling.attempt():
            if answer := polling.answered(await probe()):
                return answer
        polling.check_time()
        await asyncio.sleep(interval_s)


def wait_terminal(
    client: httpx.Client, document_id: str, timeout_s: float = 240, poll_s: float = 0.25
) -> dict[str, Any]:
    """The document's metadata once it is ``indexed`` or ``failed`` (through the gateway)."""

    last: dict[str, Any] = {}

    def terminal() -> dict[str, Any] | None:
        response = client.get(f"/v1/documents/{document_id}")
        if response.status_code != 200:
            return None
        last.update(response.json())
        return dict(last) if last["status"] in ("indexed", "failed") else None

    try:
        return eventually(
            terminal,
            what=f"document {document_id} finishing",
            timeout_s=timeout_s,
            interval_s=poll_s,
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last record: {last}") from None


def wait_http_ready(
    url: str,
    *,
    timeout_s: float = 240,
    alive: Callable[[], str | None] = lambda: None,
) -> None:
    """Wait until ``url`` answers 2xx. ``alive`` returns why to stop at once (a process that
    exited, with its log) or None while there is still a reason to wait."""

    def ready() -> bool:
        reason = alive()
        if reason:
            raise RuntimeError(reason)
        try:
            return httpx.get(url, timeout=2).is_success
        except httpx.HTTPError:
            return False

    eventually(ready, what=f"{url} answering 2xx", timeout_s=timeout_s, interval_s=0.3)

"""What one caller may cost the gateway and Elasticsearch.

Three bounds, each answered with 429 and ``Retry-After``:

- a token bucket per caller (key id, or token subject): requests a second, with a burst;
- a bound on the searches one caller has in flight at once. A request rate alone cannot bound
  cost: a few slow queries keep the rate low while they hold Elasticsearch's search threads,
  so the bucket never runs dry (what an attack with 5-second queries showed); a bound on the
  searches in flight limits the share of the cluster one caller can hold, however slow each;
- a token bucket of failed authentications per client address, checked before any key is
  looked up, so a stream of made-up keys costs no Elasticsearch request.

State is per gateway process and in memory: with N replicas a caller gets at most N times
each bound, which is the point of a per-replica bound (it protects that replica's share).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

MAX_TRACKED = 100_000  # callers or addresses remembered; beyond it the oldest state is dropped


class TooManyRequests(Exception):
    """The caller is over a limit (429 with ``Retry-After``)."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    @property
    def retry_after(self) -> str:
        """The ``Retry-After`` header: whole seconds, at least 1."""
        return str(max(1, math.ceil(self.retry_after_s)))


@dataclass
class RateLimiter:
    """A token bucket per caller: ``rate`` tokens a second, bursts up to ``burst``."""

    rate: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def _tokens(self, caller: str, now: float) -> float:
        tokens, last = self._buckets.get(caller, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def take(self, caller: str) -> float:
        """0 if the request may go (a token is taken); else the seconds until one exists."""
        now = time.monotonic()
        tokens = self._tokens(caller, now)
        if len(self._buckets) >= MAX_TRACKED and caller not in self._buckets:
            self._buckets.clear()  # a flood of distinct callers: start afresh, not grow
        if tokens >= 1.0:
            self._buckets[caller] = (tokens - 1.0, now)
            return 0.0
        self._buckets[caller] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def wait(self, caller: str) -> float:
        """Like :meth:`take`, without taking: 0 while a token is left."""
        tokens = self._tokens(caller, time.monotonic())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate


@dataclass
class InFlight:
    """At most ``bound`` searches in flight per caller; one more is refused at once.

    Refusing rather than queueing keeps a flood from piling up waiting requests (and their
    sockets) in the gateway; the caller is told to retry after ``retry_after_s``.
    """

    bound: int
    retry_after_s: float = 1.0
    _running: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def slot(self, caller: str) -> Iterator[None]:
        running = self._running.get(caller, 0)
        if running >= self.bound:
            raise TooManyRequests(
                f"too many searches in flight for this caller (at most {self.bound}); "
                "wait for one to finish",
                self.retry_after_s,
            )
        self._running[caller] = running + 1
        try:
            yield
        finally:
            left = self._running[caller] - 1
            if left:
                self._running[caller] = left
            else:
                del self._running[caller]

    def running(self, caller: str) -> int:
        return self._running.get(caller, 0)


@dataclass
class AuthFailures:
    """Failed authentications per client address: ``burst`` at once, then ``rate`` a second.

    :meth:`check` comes before the key look-up; :meth:`failed` is called on each refusal.
    """

    rate: float
    burst: int
    _bucket: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self._bucket = RateLimiter(self.rate, self.burst)

    def check(self, address: str) -> None:
        wait = self._bucket.wait(address)
        if wait > 0:
            raise TooManyRequests(
                "too many failed authentication attempts from this address; retry later", wait
            )

    def failed(self, address: str) -> None:
        self._bucket.take(address)

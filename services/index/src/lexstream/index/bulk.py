"""Bounded ``_bulk`` writes with per-item outcomes and retries with backoff.

One call writes a list of actions in requests of at most ``max_bytes`` (and ``max_actions``)
each. Elasticsearch answers per item, so each item ends in one of three ways:

* written (2xx);
* rejected for good (a 4xx other than 409/429, e.g. a ``mapper_parsing_exception``): only that
  item fails, with a reason a person can read, and the others are written;
* rejected for now (429, 5xx, or the whole request failing with a transient error): retried,
  only those items, with exponential backoff and jitter; after ``attempts`` tries the call
  raises :class:`TransientError` so the caller leaves its Kafka offsets uncommitted.

409 (a guarded write lost an optimistic-concurrency race) is reported apart, for the caller to
re-read and retry. Actions are keyed (by document id); when a key appears twice only the last
action is sent, so a retry can never write an older version over a newer one.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from elasticsearch import ApiError, AsyncElasticsearch

from lexstream.shared.errors import TransientError, is_transient

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class BulkAction:
    """One ``_bulk`` action: ``op`` is ``index`` or ``create``; ``meta`` adds ``if_seq_no`` etc."""

    key: str
    index: str
    source: Mapping[str, Any]
    op: str = "index"
    meta: Mapping[str, Any] = field(default_factory=dict)

    def lines(self) -> bytes:
        header = {self.op: {"_index": self.index, "_id": self.key, **self.meta}}
        # 'replace' turns a lone surrogate into '?': invalid UTF-8 never reaches the node.
        body = json.dumps(self.source, ensure_ascii=False, separators=(",", ":"))
        return (json.dumps(header) + "\n" + body + "\n").encode("utf-8", "replace")


@dataclass
class BulkResult:
    written: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)
    requests: int = 0
    retries: int = 0


def describe_item_error(error: Any) -> str:
    """``mapper_parsing_exception: failed to parse field [x] (caused by: ...)``."""
    if not isinstance(error, Mapping):
        return str(error)[:1000]
    text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
    cause = error.get("caused_by")
    if isinstance(cause, Mapping):
        text += f" (caused by {cause.get('type', 'error')}: {cause.get('reason', '')})"
    return text[:1000]


def chunks(
    encoded: Sequence[tuple[BulkAction, bytes]], *, max_bytes: int, max_actions: int
) -> Iterator[list[tuple[BulkAction, bytes]]]:
    """Split into requests under both bounds (an action bigger than max_bytes goes alone)."""
    chunk: list[tuple[BulkAction, bytes]] = []
    size = 0
    for item in encoded:
        if chunk and (size + len(item[1]) > max_bytes or len(chunk) >= max_actions):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += len(item[1])
    if chunk:
        yield chunk


class BulkWriter:
    def __init__(
        self,
        es: AsyncElasticsearch,
        *,
        max_bytes: int = 16 * 1024 * 1024,
        max_actions: int = 1_000,
        attempts: int = 6,
        max_wait_s: float = 10.0,
        refresh: bool | Literal["wait_for"] = False,
    ) -> None:
        self.es = es
        self.max_bytes = max_bytes
        self.max_actions = max_actions
        self.attempts = attempts
        self.max_wait_s = max_wait_s
        self.refresh = refresh

    def _backoff(self, attempt: int) -> float:
        return float(min(self.max_wait_s, 0.2 * 2**attempt) * (0.5 + random.random() / 2))

    async def write(self, actions: Sequence[BulkAction]) -> BulkResult:
        last = {action.key: action for action in actions}  # the last action for a key wins
        pending = [(action, action.lines()) for action in last.values()]
        result = BulkResult()
        for attempt in range(self.attempts):
            retry: list[tuple[BulkAction, bytes]] = []
            for chunk in chunks(pending, max_bytes=self.max_bytes, max_actions=self.max_actions):
                retry.extend(await self._send(chunk, result))
            if not retry:
                return result
            pending = retry
            if attempt + 1 < self.attempts:
                result.retries += 1
                await asyncio.sleep(self._backoff(attempt))
        raise TransientError(
            f"Elasticsearch kept rejecting {len(pending)} bulk item(s) "
            f"after {self.attempts} attempts; will retry"
        )

    async def _send(
        self, chunk: list[tuple[BulkAction, bytes]], result: BulkResult
    ) -> list[tuple[BulkAction, bytes]]:
        """Send one request; record outcomes; return the items to try again."""
        result.requests += 1
        try:
            # Already NDJSON: the client forwards bytes as they are (no second serialisation).
            body: Any = [lines for _, lines in chunk]
            response = await self.es.bulk(operations=body, refresh=self.refresh)
        except ApiError as exc:
            if is_transient(exc):
                return chunk
            if len(chunk) == 1:  # e.g. 413: this one document is the problem
                result.failed[chunk[0][0].key] = f"Elasticsearch refused the document: {exc}"
                return []
            raise
        except Exception as exc:
            if is_transient(exc):
                return chunk
            raise
        retry: list[tuple[BulkAction, bytes]] = []
        for (action, lines), item in zip(chunk, response["items"], strict=True):
            outcome = next(iter(item.values()))
            status = int(outcome.get("status", 500))
            if status < 300:
                result.written.add(action.key)
            elif status == 409:
                result.conflicts.add(action.key)
            elif status in RETRY_STATUSES:
                retry.append((action, lines))
            else:
                result.failed[action.key] = describe_item_error(outcome.get("error"))
        return retry

"""Submit a run of documents while something breaks, then account for every one of them.

:func:`submit_run` sends documents through the gateway (HTTP, most of them) and the upstream
topic (inline ``content_base64``) with a unique ``external_id`` each, retrying as a well-behaved
client does (on 429/503/504 and dropped connections, honouring ``Retry-After``), while an
``action`` (the fault) runs once a given number was submitted. :func:`reconcile` then reads the
status index and the search alias directly and sorts every submission into indexed /
failed-with-reason / lost / duplicated.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan

from tests.reliability.corpus import Doc
from tests.reliability.stack import ROOT
from tests.support.wait import eventually

SOURCE = "reliability"
RESULTS = Path(
    os.environ.get(
        "LEXSTREAM_RELIABILITY_RESULTS", str(ROOT / ".lexstream" / "reliability-results.jsonl")
    )
)


@dataclass
class Submitted:
    doc: Doc
    via: str  # "http" or "topic"
    document_id: str | None = None
    attempts: int = 0
    answers: Counter[int] = field(default_factory=Counter)
    retry_after_seen: bool = False
    error: str | None = None


@dataclass
class RunStats:
    submitted: list[Submitted]
    seconds: float

    def answers(self) -> Counter[int]:
        total: Counter[int] = Counter()
        for s in self.submitted:
            total.update(s.answers)
        return total


async def _http_submit(
    client: httpx.AsyncClient, item: Submitted, matter_id: str, deadline: float
) -> None:
    doc = item.doc
    while time.monotonic() < deadline:
        item.attempts += 1
        try:
            response = await client.post(
                "/v1/documents",
                data={"matter_id": matter_id, "external_id": doc.external_id, "source": SOURCE},
                files={"file": (doc.filename, doc.data)},
            )
        except httpx.TransportError as exc:
            item.answers[0] += 1
            item.error = type(exc).__name__
            await asyncio.sleep(1.0)
            continue
        item.answers[response.status_code] += 1
        if response.status_code == 202:
            item.document_id = response.json()["document_id"]
            item.error = None
            return
        if response.status_code in (429, 502, 503, 504):
            retry_after = response.headers.get("retry-after")
            item.retry_after_seen = item.retry_after_seen or retry_after is not None
            await asyncio.sleep(min(float(retry_after or 1), 5.0))
            continue
        item.error = f"HTTP {response.status_code}: {response.text[:300]}"
        return
    item.error = item.error or "deadline"


async def _topic_submit(
    producer: AIOKafkaProducer, topic: str, item: Submitted, matter_id: str, deadline: float
) -> None:
    doc = item.doc
    payload = json.dumps(
        {
            "source": SOURCE,
            "external_id": doc.external_id,
            "filename": doc.filename,
            "content_base64": base64.b64encode(doc.data).decode(),
            "matter_id": matter_id,
        }
    ).encode()
    while time.monotonic() < deadline:
        item.attempts += 1
        try:
            await asyncio.wait_for(
                producer.send_and_wait(topic, payload, key=doc.external_id.encode()), 30
            )
            item.answers[1] += 1
            item.error = None
            return
        except Exception as exc:  # broker down: the same message again is the same document
            item.answers[0] += 1
            item.error = type(exc).__name__
            await asyncio.sleep(1.0)
    item.error = item.error or "deadline"


async def submit_run(
    docs: list[Doc],
    *,
    gateway_url: str,
    admin_key: str,
    kafka: str,
    topic: str,
    matter_id: str,
    topic_every: int = 5,
    concurrency: int = 4,
    action_after: int | None = None,
    action: Callable[[], Awaitable[None]] | None = None,
    deadline_s: float = 900,
) -> RunStats:
    """Submit every document (``concurrency`` at a time); ``action`` runs once when
    ``action_after`` have been submitted, and the remaining submissions go on meanwhile."""
    started = time.monotonic()
    deadline = started + deadline_s
    items = [
        Submitted(doc, "topic" if topic_every and i % topic_every == topic_every - 1 else "http")
        for i, doc in enumerate(docs)
    ]
    queue: asyncio.Queue[Submitted] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    done = 0
    trigger = asyncio.Event()
    # Not idempotent, like the services' producer (shared/kafka.py): after a broker restart
    # aiokafka's idempotent producer can fail every later send (OutOfOrderSequenceNumber),
    # which here left every worker retrying a topic submission until the deadline. A message
    # sent twice is the same document (same source + external_id).
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka, acks="all", enable_idempotence=False, request_timeout_ms=20000
    )
    await producer.start()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal done
        while not queue.empty():
            item = queue.get_nowait()
            if item.via == "http":
                await _http_submit(client, item, matter_id, deadline)
            else:
                await _topic_submit(producer, topic, item, matter_id, deadline)
            done += 1
            if action_after is not None and done >= action_after:
                trigger.set()

    async def run_action() -> None:
        if action is None:
            return
        await trigger.wait()
        await action()

    timeout = httpx.Timeout(120, connect=10)
    try:
        async with httpx.AsyncClient(
            base_url=gateway_url, headers={"X-API-Key": admin_key}, timeout=timeout
        ) as client:
            action_task = asyncio.create_task(run_action())
            await asyncio.gather(*(worker(client) for _ in range(concurrency)))
            if action_after is not None and action_after >= len(items):
                trigger.set()
            await action_task
    finally:
        await producer.stop()
    return RunStats(items, time.monotonic() - started)


# -- reconciliation -------------------------------------------------------------------------


@dataclass
class Reconciliation:
    scenario: str
    submitted: int
    indexed: int
    failed_with_reason: int
    lost: int
    duplicated: int
    seconds: float = 0.0
    notes: str = ""
    lost_ids: list[str] = field(default_factory=list)
    duplicated_ids: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        data = asdict(self)
        data["lost_ids"] = data["lost_ids"][:20]
        data["duplicated_ids"] = data["duplicated_ids"][:20]
        return data


def _status_records(es: Elasticsearch, index: str) -> list[dict[str, Any]]:
    try:
        return [hit["_source"] for hit in scan(es, index=index, query={"query": {"match_all": {}}})]
    except NotFoundError:
        return []


def _search_hits(es: Elasticsearch, alias: str, ids: Iterable[str]) -> Counter[str]:
    """How many search documents (across every index behind the alias) each id has."""
    counts: Counter[str] = Counter()
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        try:
            response = es.search(
                index=alias,
                query={"ids": {"values": chunk}},
                size=len(chunk) * 2,
                source=False,
            )
        except NotFoundError:
            return counts
        counts.update(hit["_id"] for hit in response["hits"]["hits"])
    return counts


def _by_external_id(records: list[dict[str, Any]], run: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for record in records:
        if record.get("parent_document_id"):
            continue
        # the document's own submission, and later ones of the same bytes (duplicates)
        for provenance in [record.get("provenance") or {}, *(record.get("submissions") or [])]:
            external_id = provenance.get("external_id")
            if external_id in run:
                found.setdefault(external_id, set()).add(record["document_id"])
    return found


def wait_terminal(
    es: Elasticsearch, prefix: str, items: list[Submitted], timeout_s: float = 600
) -> None:
    """Wait until every submission's document is indexed or failed (or the time is up)."""
    run = {item.doc.external_id for item in items}

    def none_pending() -> bool:
        try:
            records = _status_records(es, f"{prefix}-status")
        except Exception:  # Elasticsearch still coming back
            return False
        by_ext = _by_external_id(records, run)
        status = {r["document_id"]: r.get("status") for r in records}
        for item in items:
            ids = by_ext.get(item.doc.external_id, set()) | (
                {item.document_id} if item.document_id else set()
            )
            if not ids or any(status.get(i) not in ("indexed", "failed") for i in ids):
                return False
        return True

    # What is still pending when the time is up is reported by reconcile() as lost, so running
    # out of time is not an error here.
    with contextlib.suppress(AssertionError):
        eventually(
            none_pending, what="every submission finished", timeout_s=timeout_s, interval_s=3
        )


def reconcile(
    es: Elasticsearch, prefix: str, scenario: str, items: list[Submitted], seconds: float = 0.0
) -> Reconciliation:
    run = {item.doc.external_id for item in items}
    es.indices.refresh(index=f"{prefix}-*")
    records = _status_records(es, f"{prefix}-status")
    by_id = {r["document_id"]: r for r in records}
    by_ext = _by_external_id(records, run)
    all_ids = {i for ids in by_ext.values() for i in ids} | {
        item.document_id for item in items if item.document_id
    }
    hits = _search_hits(es, f"{prefix}-documents", all_ids)
    result = Reconciliation(scenario, len(items), 0, 0, 0, 0, seconds=round(seconds, 1))
    reasons: Counter[str] = Counter()
    for item in items:
        ext = item.doc.external_id
        ids = by_ext.get(ext, set()) | ({item.document_id} if item.document_id else set())
        if len(ids) > 1 or any(hits[i] > 1 for i in ids):
            result.duplicated += 1
            result.duplicated_ids.append(ext)
            continue
        if not ids:
            result.lost += 1
            result.lost_ids.append(f"{ext} (no document: {item.error})")
            continue
        (document_id,) = ids
        record = by_id.get(document_id, {})
        status = record.get("status")
        if status == "indexed" and hits[document_id] == 1:
            result.indexed += 1
        elif status == "failed" and record.get("failure_reason"):
            result.failed_with_reason += 1
            reasons[str(record.get("error_type"))] += 1
        else:
            result.lost += 1
            result.lost_ids.append(
                f"{ext} ({document_id}: status {status}, hits {hits[document_id]})"
            )
    result.reasons = dict(reasons)
    return result


def record_result(result: Reconciliation) -> None:
    """Append a row for ``python -m bench.faults.report`` (the table in docs/reliability.md)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps({"at": time.time(), **result.row()}) + "\n")

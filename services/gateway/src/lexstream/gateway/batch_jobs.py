"""Batch search jobs: their records in Elasticsearch and the task that runs one.

A job is a record in ``<prefix>-batch-jobs`` (who created it, its queries, its status and
progress) and one record per finished query in ``<prefix>-batch-results`` (its hit count and
best hits). Every gateway replica reads both, so any replica answers for a job; the replica
that accepted the job runs it, in an asyncio task, and writes its progress about once a
second. A job whose progress stops being written (its replica stopped) is reported as failed
once ``batch_stale_after_s`` has passed: submit it again.

What runs at once is bounded: ``batch_jobs_per_replica`` jobs per replica (the others wait,
``queued``), ``batch_query_concurrency`` queries per job, ``batch_jobs_per_caller``
unfinished jobs per caller. A job's searches do not take the caller's slots of searches in
flight (``search_in_flight_per_caller``): those bound interactive searches, and a batch
holding one would refuse the caller's own searches for as long as it runs. The job bounds
its own share instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import (
    ApiError,
    AsyncElasticsearch,
    BadRequestError,
    ConflictError,
    ConnectionError,
    ConnectionTimeout,
    NotFoundError,
)

from lexstream.gateway.access import Access
from lexstream.gateway.batch import BatchQuery, batch_body, shape_hits
from lexstream.gateway.search import BadSearch, QueryCaps
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import KEYWORD, now_iso
from lexstream.shared.tasks import stop_task

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)
#: how often a running job writes its progress (and so shows it is alive)
FLUSH_INTERVAL_S = 1.0
#: tries of one query when Elasticsearch is unavailable, and the wait before the next
SEARCH_TRIES = 3
RETRY_WAIT_S = 1.0
#: result records read at once when a job's hits are exported
RESULTS_PAGE = 20
INTERRUPTED = "interrupted: the gateway running the job stopped; submit the list again"


def jobs_index(settings: GatewaySettings) -> str:
    return f"{settings.index_prefix}-batch-jobs"


def results_index(settings: GatewaySettings) -> str:
    return f"{settings.index_prefix}-batch-results"


NOT_INDEXED = {"type": "text", "index": False}

JOBS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "batch_id": KEYWORD,
        "tenant": KEYWORD,
        "subject": KEYWORD,
        "key_id": KEYWORD,
        "name": {"type": "keyword", "ignore_above": 256},
        "status": KEYWORD,
        "total": {"type": "integer"},
        "done": {"type": "integer"},
        "errors": {"type": "integer"},
        "hits_total": {"type": "long"},
        "max_hits": {"type": "integer"},
        "created_at": {"type": "date"},
        "started_at": {"type": "date"},
        "finished_at": {"type": "date"},
        "updated_at": {"type": "date"},
        "failure": NOT_INDEXED,
        "queries": {"type": "object", "enabled": False},
    },
}

RESULTS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "batch_id": KEYWORD,
        "tenant": KEYWORD,
        "query_index": {"type": "integer"},
        "total": {"type": "long"},
        "timed_out": {"type": "boolean"},
        "error": NOT_INDEXED,
        "finished_at": {"type": "date"},
        "hits": {"type": "object", "enabled": False},
    },
}


def is_stale(record: dict[str, Any], now: datetime, stale_after_s: float) -> bool:
    """An unfinished job whose replica has written nothing for ``stale_after_s``."""
    if record.get("status") not in UNFINISHED:
        return False
    updated = datetime.fromisoformat(str(record.get("updated_at") or record["created_at"]))
    return now - updated > timedelta(seconds=stale_after_s)


def effective(record: dict[str, Any], now: datetime, stale_after_s: float) -> dict[str, Any]:
    """The record as callers see it: a stale job is a failed one."""
    if is_stale(record, now, stale_after_s):
        return {**record, "status": FAILED, "failure": INTERRUPTED}
    return record


def job_view(record: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """A job with each query's status: ``error`` (never searched, or its search refused),
    ``done`` with its hit count, or ``queued`` (not searched yet)."""
    found = {int(r["query_index"]): r for r in results}
    queries = []
    for stored in record.get("queries") or []:
        query = BatchQuery.from_stored(stored)
        result = found.get(query.index)
        error = query.error or (result or {}).get("error")
        if error:
            status, total = "error", None
        elif result is not None:
            status, total = "done", int(result["total"])
        else:
            status, total = QUEUED, None
        queries.append(
            {
                "index": query.index,
                "id": query.id,
                "query": query.query,
                "filters": query.filters,
                "status": status,
                "total": total,
                "timed_out": bool((result or {}).get("timed_out")),
                "error": error,
            }
        )
    return {**summary_view(record), "queries": queries}


def summary_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "batch_id": record["batch_id"],
        "name": record.get("name"),
        "status": record["status"],
        "progress": {"done": record.get("done", 0), "total": record.get("total", 0)},
        "hits_total": record.get("hits_total", 0),
        "errors": record.get("errors", 0),
        "max_hits": record.get("max_hits"),
        "created_at": record["created_at"],
        "started_at": record.get("started_at"),
        "finished_at": record.get("finished_at"),
        "failure": record.get("failure"),
    }


def new_record(
    *,
    batch_id: str,
    access: Access,
    name: str | None,
    queries: list[BatchQuery],
    max_hits: int,
) -> dict[str, Any]:
    p = access.principal
    now = now_iso()
    errors = sum(1 for q in queries if q.error)
    return {
        "batch_id": batch_id,
        "tenant": p.tenant,
        "subject": p.subject,
        "key_id": p.key_id,
        "name": name,
        "status": QUEUED,
        "total": len(queries),
        "done": errors,  # a row that cannot run is finished: its error is its result
        "errors": errors,
        "hits_total": 0,
        "max_hits": max_hits,
        "created_at": now,
        "started_at": None,
        "finished_at": None,
        "updated_at": now,
        "failure": None,
        "queries": [q.stored() for q in queries],
    }


class BatchStore:
    """The job and result records (indices created on first use)."""

    def __init__(self, es: AsyncElasticsearch, settings: GatewaySettings) -> None:
        self.es = es
        self.settings = settings
        self.jobs = jobs_index(settings)
        self.results = results_index(settings)
        self._ready = False

    async def ensure(self) -> None:
        if self._ready:
            return
        for name, mappings in ((self.jobs, JOBS_MAPPINGS), (self.results, RESULTS_MAPPINGS)):
            if await self.es.indices.exists(index=name):
                continue
            try:
                await self.es.indices.create(
                    index=name,
                    settings={"number_of_shards": 1, "number_of_replicas": 0},
                    mappings=mappings,
                )
            except BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
        self._ready = True

    async def create(self, record: dict[str, Any]) -> None:
        await self.ensure()
        await self.es.index(
            index=self.jobs,
            id=record["batch_id"],
            document=record,
            op_type="create",
            refresh=True,  # a small index: refreshed now, not at the next second
        )

    async def get(self, batch_id: str) -> dict[str, Any] | None:
        """The job's record (with ``_seq_no`` and ``_primary_term`` for a conditional write)."""
        try:
            found = await self.es.get(index=self.jobs, id=batch_id)
        except NotFoundError:
            return None
        record: dict[str, Any] = found["_source"]
        return {**record, "_seq_no": found["_seq_no"], "_primary_term": found["_primary_term"]}

    async def update(self, batch_id: str, fields: dict[str, Any], refresh: bool = False) -> None:
        await self.es.update(
            index=self.jobs,
            id=batch_id,
            doc={**fields, "updated_at": now_iso()},
            refresh=True if refresh else None,
            retry_on_conflict=3,
        )

    async def mark_stale(self, record: dict[str, Any]) -> None:
        """Write down that a stale job failed, unless its replica wrote since it was read."""
        fields = {"status": FAILED, "failure": INTERRUPTED, "finished_at": now_iso()}
        with contextlib.suppress(ConflictError, NotFoundError):
            await self.es.update(
                index=self.jobs,
                id=record["batch_id"],
                doc=fields,
                if_seq_no=record["_seq_no"],
                if_primary_term=record["_primary_term"],
            )

    async def unfinished(self, tenant: str, subject: str) -> int:
        """The caller's jobs queued or running (and still alive), over every replica."""
        await self.ensure()
        alive = datetime.now(UTC) - timedelta(seconds=self.settings.batch_stale_after_s)
        result = await self.es.count(
            index=self.jobs,
            query={
                "bool": {
                    "filter": [
                        {"term": {"tenant": tenant}},
                        {"term": {"subject": subject}},
                        {"terms": {"status": list(UNFINISHED)}},
                        {"range": {"updated_at": {"gte": alive.isoformat()}}},
                    ]
                }
            },
        )
        return int(result["count"])

    async def list_jobs(self, tenant: str, subject: str, size: int) -> list[dict[str, Any]]:
        try:
            result = await self.es.search(
                index=self.jobs,
                query={
                    "bool": {
                        "filter": [{"term": {"tenant": tenant}}, {"term": {"subject": subject}}]
                    }
                },
                sort=[{"created_at": "desc"}, {"batch_id": "asc"}],
                size=size,
                source_excludes=["queries"],
            )
        except NotFoundError:
            return []
        return [hit["_source"] for hit in result["hits"]["hits"]]

    async def write_results(self, records: list[dict[str, Any]], refresh: bool) -> None:
        operations: list[dict[str, Any]] = []
        for record in records:
            doc_id = f"{record['batch_id']}:{record['query_index']}"
            operations += [{"index": {"_index": self.results, "_id": doc_id}}, record]
        answer = await self.es.bulk(operations=operations, refresh=True if refresh else None)
        if answer.get("errors"):
            refused = [i["index"] for i in answer["items"] if i["index"].get("status", 200) >= 300]
            raise RuntimeError(f"the index refused {len(refused)} batch results")

    async def read_results(
        self, batch_id: str, *, after: int | None, size: int, with_hits: bool
    ) -> list[dict[str, Any]]:
        """Result records of a job in query order, ``size`` of them after query ``after``."""
        body: dict[str, Any] = {
            "query": {"term": {"batch_id": batch_id}},
            "sort": [{"query_index": "asc"}],
            "size": size,
        }
        if after is not None:
            body["search_after"] = [after]
        if not with_hits:
            body["_source"] = {"excludes": ["hits"]}
        try:
            result = await self.es.search(index=self.results, body=body)
        except NotFoundError:
            return []
        return [hit["_source"] for hit in result["hits"]["hits"]]

    async def all_results(
        self, batch_id: str, with_hits: bool, page: int = RESULTS_PAGE
    ) -> AsyncIterator[dict[str, Any]]:
        after: int | None = None
        while True:
            records = await self.read_results(batch_id, after=after, size=page, with_hits=with_hits)
            for record in records:
                yield record
            if len(records) < page:
                return
            after = int(records[-1]["query_index"])


@dataclass
class _Progress:
    """What a running job has found and not yet written, and what it has written."""

    done: int
    errors: int
    hits_total: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class BatchRunner:
    """Runs accepted jobs in this replica, at most ``batch_jobs_per_replica`` at once."""

    def __init__(
        self,
        es: AsyncElasticsearch,
        store: BatchStore,
        settings: GatewaySettings,
        alias: str,
        caps: QueryCaps,
    ) -> None:
        self.es = es
        self.store = store
        self.settings = settings
        self.alias = alias
        self.caps = caps
        self._slots = asyncio.Semaphore(settings.batch_jobs_per_replica)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> int:
        return len(self._tasks)

    def start(
        self,
        record: dict[str, Any],
        queries: list[BatchQuery],
        access: Access,
        finished: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        task = asyncio.create_task(self._run(record, queries, access, finished))
        self._tasks.add(task)  # a task nobody references can be collected while it runs
        task.add_done_callback(self._tasks.discard)

    async def wait(self) -> None:
        """Until every job of this replica is finished (for tests and an orderly stop)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _run(
        self,
        record: dict[str, Any],
        queries: list[BatchQuery],
        access: Access,
        finished: Callable[[dict[str, Any]], None] | None,
    ) -> None:
        batch_id = record["batch_id"]
        progress = _Progress(done=record["done"], errors=record["errors"])
        heartbeat = asyncio.create_task(self._heartbeat(batch_id, progress))
        try:
            async with self._slots:
                await self.store.update(batch_id, {"status": RUNNING, "started_at": now_iso()})
                bound = asyncio.Semaphore(self.settings.batch_query_concurrency)

                async def one(query: BatchQuery) -> None:
                    async with bound:
                        outcome = await self._search(query, access, record["max_hits"])
                    progress.pending.append({"batch_id": batch_id, **outcome})

                await asyncio.gather(*(one(q) for q in queries if q.error is None))
            await stop_task(heartbeat)  # its flush, if one was under way, has given up
            await self._flush(batch_id, progress, refresh=True)
            final = {"status": DONE, "finished_at": now_iso(), **_counts(progress)}
            if finished is not None:  # in the trail before anyone can see the job done
                finished({**record, **final})
            await self.store.update(batch_id, final, refresh=True)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await self.store.update(batch_id, {"status": FAILED, "failure": INTERRUPTED})
            raise
        except Exception as exc:
            log.exception("batch job failed", extra={"error_type": type(exc).__name__})
            with contextlib.suppress(Exception):
                failure = f"the job stopped: {type(exc).__name__}; submit the list again"
                await self.store.update(
                    batch_id,
                    {"status": FAILED, "failure": failure, "finished_at": now_iso()},
                    refresh=True,
                )
        finally:
            heartbeat.cancel()

    async def _heartbeat(self, batch_id: str, progress: _Progress) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await self._flush(batch_id, progress, refresh=False)
            except Exception as exc:  # the next beat tries again; the final flush must succeed
                log.warning("batch progress not written", extra={"error_type": type(exc).__name__})

    async def _flush(self, batch_id: str, progress: _Progress, refresh: bool) -> None:
        """Write the results found since the last flush, then the counts they make."""
        async with progress.lock:
            batch, progress.pending = progress.pending, []
            try:
                if batch:
                    await self.store.write_results(batch, refresh=True)
            except BaseException:  # cancelled too: the batch is written by the next flush
                progress.pending = batch + progress.pending
                raise
            progress.done += len(batch)
            progress.errors += sum(1 for r in batch if r.get("error"))
            progress.hits_total += sum(int(r["total"]) for r in batch)
            await self.store.update(batch_id, _counts(progress), refresh=refresh)

    async def _search(self, query: BatchQuery, access: Access, max_hits: int) -> dict[str, Any]:
        """One query's result record: its count and hits, or the error that stopped it."""
        outcome: dict[str, Any] = {
            "tenant": access.principal.tenant,
            "query_index": query.index,
            "total": 0,
            "timed_out": False,
            "error": None,
            "hits": [],
        }
        timeout = f"{round(self.settings.search_query_timeout_s * 1000)}ms"
        for attempt in range(SEARCH_TRIES):
            try:
                body = batch_body(query, access, self.caps, max_hits)
                result = await self.es.search(index=self.alias, body={**body, "timeout": timeout})
                total, hits = shape_hits(dict(result))
                outcome.update(total=total, hits=hits, timed_out=bool(result.get("timed_out")))
                break
            except NotFoundError:  # no documents index yet: nothing to find
                break
            except BadSearch as exc:
                outcome["error"] = str(exc)
                break
            except BadRequestError as exc:
                outcome["error"] = f"the query was refused: {_reason(exc)}"
                break
            except (ConnectionError, ConnectionTimeout, ApiError) as exc:
                if attempt + 1 == SEARCH_TRIES:
                    outcome["error"] = (
                        f"search was unavailable ({type(exc).__name__}); run it again"
                    )
                    break
                await asyncio.sleep(RETRY_WAIT_S * (attempt + 1))
        outcome["finished_at"] = now_iso()
        return outcome


def _counts(progress: _Progress) -> dict[str, Any]:
    return {"done": progress.done, "errors": progress.errors, "hits_total": progress.hits_total}


def _reason(exc: BadRequestError) -> str:
    info = exc.info if isinstance(exc.info, dict) else {}
    root = (info.get("error") or {}).get("root_cause") or [{}]
    if isinstance(root, list) and root and isinstance(root[0], dict):
        return str(root[0].get("reason") or exc.message)
    return str(exc.message)

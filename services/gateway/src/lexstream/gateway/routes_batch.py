"""Batch search: a list of queries run as one job, its progress, counts and hits (batch.py).

A job is its creator's alone: another caller, a tenant admin too, gets the 404 an unknown job
gets. (Its counts were found under the creator's grants; an admin behind an ethical wall
would learn from them what the wall hides.) Its hits are checked against the reader's
access again when they are read, so a wall raised after the job ran hides what it found.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile

from lexstream.gateway.access import Access
from lexstream.gateway.audit import AuditBacklogFull
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.batch import (
    EXPORT_COLUMNS,
    BadBatch,
    BatchQuery,
    check_queries,
    csv_lines,
    export_record,
    parse_csv,
    parse_rows,
    visible_hits,
)
from lexstream.gateway.batch_jobs import (
    FAILED,
    BatchRunner,
    BatchStore,
    effective,
    is_stale,
    job_view,
    new_record,
    summary_view,
)
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.limits import TooManyRequests
from lexstream.gateway.schemas import COMMON_ERRORS, Timestamp, errors

log = logging.getLogger(__name__)

router = APIRouter(tags=["batch search"], responses=COMMON_ERRORS)

BATCH_ID = re.compile(r"^[0-9a-f]{32}$")
NO_SUCH = "no such batch search"
BatchId = Annotated[str, Path(max_length=64, description="the id POST answered")]
JobStatus = Literal["queued", "running", "done", "failed"]


class BatchRow(BaseModel):
    """One query of a list (a CSV row has the same columns; ``doc_type`` is read as ``type``)."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(description="as GET /v1/search's q: words, operators, fielded terms")
    id: str | None = Field(default=None, description="your id for it; the row number if none")
    jurisdiction: str | None = None
    court: str | None = None
    type: str | None = Field(default=None, description="document type (GET /v1/search doc_type)")
    language: str | None = None
    matter_id: str | None = None
    date_from: str | None = Field(default=None, description="YYYY-MM-DD")
    date_to: str | None = Field(default=None, description="YYYY-MM-DD")
    cites: str | None = None


class BatchAccepted(BaseModel):
    batch_id: str
    status: JobStatus
    total: int = Field(description="queries in the list, those with an error included")
    errors: int = Field(description="queries that will not run; GET status_url says why")
    status_url: str
    hits_url: str


class BatchProgress(BaseModel):
    done: int = Field(description="queries finished (with hits, none, or an error)")
    total: int


class BatchSummary(BaseModel):
    batch_id: str
    name: str | None
    status: JobStatus
    progress: BatchProgress
    hits_total: int = Field(description="the queries' hit counts added up")
    errors: int = Field(description="queries that did not run or whose search was refused")
    max_hits: int | None = Field(description="hits kept per query")
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    failure: str | None = Field(description="why a failed job stopped")


class BatchQueryStatus(BaseModel):
    index: int = Field(description="the query's place in the list, from 0")
    id: str
    query: str
    filters: dict[str, str]
    status: Literal["queued", "done", "error"]
    total: int | None = Field(description="documents the query finds, the caller may see")
    timed_out: bool = Field(description="the search ran out of time; total is a lower bound")
    error: str | None


class BatchJob(BatchSummary):
    queries: list[BatchQueryStatus]


class BatchList(BaseModel):
    batches: list[BatchSummary]


class BatchHit(BaseModel):
    query_index: int
    query_id: str
    query: str
    rank: int
    document_id: str
    title: str | None
    score: float | None
    best_page: int | None = Field(description="the page that matches best")
    best_start: float | None = Field(description="a recording's best second")
    court: str | None
    decision_date: str | None
    matter_id: str | None


class BatchHits(BaseModel):
    batch_id: str
    hits: list[BatchHit]
    next: int | None = Field(description="pass as after= for the next page; none at the end")


def batch_runner(request: Request) -> BatchRunner:
    """This replica's runner (made on first use: it holds the jobs this replica runs)."""
    state = request.app.state
    runner: BatchRunner | None = getattr(state, "batch_runner", None)
    if runner is None:
        gw: Gateway = state.gateway
        store = BatchStore(gw.es, gw.settings)
        runner = BatchRunner(gw.es, store, gw.settings, gw.alias, gw.query_caps)
        state.batch_runner = runner
    return runner


async def _read_list(request: Request, max_queries: int) -> list[BatchQuery]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        try:
            payload = await request.json()
        except ValueError as exc:
            raise BadBatch("the body is not JSON") from exc
        if not isinstance(payload, dict) or set(payload) != {"queries"}:
            raise BadBatch('the body is {"queries": [{"query": ...}, ...]}')
        return parse_rows(payload["queries"], max_queries)
    if media == "multipart/form-data":
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadBatch("send the CSV in the multipart field 'file'")
            return parse_csv(await upload.read(), max_queries)
    raise HTTPException(415, "send the list as multipart/form-data (field 'file', a CSV) or JSON")


def _audited_queries(queries: list[BatchQuery]) -> list[dict[str, Any]]:
    return [{"id": q.id, "query": q.query, **q.filters} for q in queries]


_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["queries"],
                "additionalProperties": False,
                "properties": {"queries": {"type": "array", "items": BatchRow.model_json_schema()}},
            }
        },
    },
}


@router.post(
    "/v1/search/batches",
    status_code=202,
    response_model=BatchAccepted,
    responses={202: {"description": "accepted; follow status_url"}, **errors(413, 415)},
    openapi_extra={"requestBody": _REQUEST_BODY},
)
async def create_batch(
    request: Request,
    response: Response,
    gw: GatewayDep,
    access: AuthorizedDep,
    name: Annotated[str | None, Query(max_length=200)] = None,
    max_hits: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> BatchAccepted:
    """Run a list of queries as one job (as Datashare's batch search).

    The list is a CSV file (multipart field ``file``; a header row, then one query a row) or
    JSON ``{"queries": [...]}``, with the columns ``query`` (required; the syntax of
    ``/v1/search``'s ``q``), ``id`` and the filters ``jurisdiction``, ``court``, ``type``,
    ``language``, ``matter_id``, ``date_from``, ``date_to``, ``cites``. A list the gateway
    cannot read (an unknown column, no ``query`` column, more rows than allowed, not UTF-8)
    is a 400; a row with a bad query or value is reported in the job with its error and the
    other rows run. Each query runs with the caller's visibility, as ``/v1/search`` would;
    ``max_hits`` of its best hits are kept (default and most: ``LEXSTREAM_BATCH_MAX_HITS``).
    """
    settings = gw.settings
    limit = settings.batch_max_hits
    if max_hits is not None and max_hits > limit:
        raise HTTPException(400, f"max_hits: at most {limit}")
    hits = max_hits or limit
    try:
        queries = await _read_list(request, settings.batch_max_queries)
    except BadBatch as exc:
        raise HTTPException(400, str(exc)) from exc
    queries = check_queries(queries, access, gw.query_caps, hits)
    runner = batch_runner(request)
    p = access.principal
    if await runner.store.unfinished(p.tenant, p.subject) >= settings.batch_jobs_per_caller:
        raise TooManyRequests(
            f"{settings.batch_jobs_per_caller} batch searches of this caller are unfinished; "
            "wait for one to finish",
            retry_after_s=5.0,
        )
    batch_id = uuid.uuid4().hex
    record = new_record(batch_id=batch_id, access=access, name=name, queries=queries, max_hits=hits)
    await runner.store.create(record)
    try:
        gw.audit.record(
            request,
            "batch-search",
            status_code=202,
            query={"batch_id": batch_id, "name": name, "queries": _audited_queries(queries)},
        )
    except AuditBacklogFull:
        await runner.store.update(batch_id, {"status": FAILED, "failure": "not audited"})
        raise

    def finished(final: dict[str, Any]) -> None:
        try:
            gw.audit.record(
                request,
                "batch-search.done",
                query={"batch_id": batch_id, "queries": final["total"], "errors": final["errors"]},
                hits=final["hits_total"],
            )
        except AuditBacklogFull:
            log.error("batch search finished unaudited", extra={"error_type": "AuditBacklogFull"})

    runner.start(record, queries, access, finished)
    status_url = f"/v1/search/batches/{batch_id}"
    response.headers["Location"] = status_url
    return BatchAccepted(
        batch_id=batch_id,
        status="queued",
        total=record["total"],
        errors=record["errors"],
        status_url=status_url,
        hits_url=f"{status_url}/hits?format=csv",
    )


@router.get("/v1/search/batches")
async def list_batches(
    request: Request,
    access: AuthorizedDep,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> BatchList:
    """The caller's batch searches, newest first."""
    runner = batch_runner(request)
    p = access.principal
    now, stale = _now(), runner.settings.batch_stale_after_s
    records = await runner.store.list_jobs(p.tenant, p.subject, size)
    return BatchList.model_validate(
        {"batches": [summary_view(effective(r, now, stale)) for r in records]}
    )


async def _own_job(runner: BatchRunner, access: Access, batch_id: str) -> dict[str, Any]:
    """The job, if the caller created it; 404 as for no job otherwise."""
    record = await runner.store.get(batch_id) if BATCH_ID.match(batch_id) else None
    p = access.principal
    if record is None or record["tenant"] != p.tenant or record["subject"] != p.subject:
        raise HTTPException(404, NO_SUCH)
    now, stale = _now(), runner.settings.batch_stale_after_s
    if is_stale(record, now, stale):
        await runner.store.mark_stale(record)
    return effective(record, now, stale)


@router.get("/v1/search/batches/{batch_id}")
async def get_batch(request: Request, access: AuthorizedDep, batch_id: BatchId) -> BatchJob:
    """A job's status and progress, and each query's hit count or error."""
    runner = batch_runner(request)
    record = await _own_job(runner, access, batch_id)
    results = await runner.store.read_results(
        batch_id, after=None, size=max(1, int(record["total"])), with_hits=False
    )
    return BatchJob.model_validate(job_view(record, results))


@router.get(
    "/v1/search/batches/{batch_id}/hits",
    response_model=BatchHits,
    responses={
        200: {
            "description": "JSON, a page of queries at a time; format=csv: every hit, as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def batch_hits(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    batch_id: BatchId,
    format: Literal["json", "csv"] = "json",
    after: Annotated[int | None, Query(ge=0, description="next of the page before")] = None,
    size: Annotated[int, Query(ge=1, le=50, description="queries per page (JSON)")] = 10,
) -> BatchHits | StreamingResponse:
    """The hits of a job's queries (those finished so far), ranked per query.

    ``format=csv`` streams them all with the columns ``query_id, query, rank, document_id,
    title, score, best_page, best_start, court, decision_date, matter_id``. Hits in matters
    the caller can no longer see are left out.
    """
    runner = batch_runner(request)
    record = await _own_job(runner, access, batch_id)
    queries = {q.index: q for q in map(BatchQuery.from_stored, record.get("queries") or [])}
    if format == "csv":
        gw.audit.record(
            request, "batch-search.export", query={"batch_id": batch_id, "format": "csv"}
        )
        return StreamingResponse(
            _csv(runner.store, batch_id, queries, access),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}-hits.csv"'},
        )
    results = await runner.store.read_results(batch_id, after=after, size=size, with_hits=True)
    hits = [
        {
            "query_index": r["query_index"],
            **export_record(queries[r["query_index"]], hit),
        }
        for r in results
        for hit in visible_hits(r.get("hits") or [], access)
    ]
    gw.audit.record(
        request,
        "batch-search.export",
        query={"batch_id": batch_id, "format": "json"},
        hits=len(hits),
    )
    last = int(results[-1]["query_index"]) if len(results) == size else None
    return BatchHits.model_validate({"batch_id": batch_id, "hits": hits, "next": last})


async def _csv(
    store: BatchStore, batch_id: str, queries: dict[int, BatchQuery], access: Access
) -> AsyncIterator[str]:
    yield csv_lines([EXPORT_COLUMNS])
    async for result in store.all_results(batch_id, with_hits=True):
        query = queries[int(result["query_index"])]
        hits = visible_hits(result.get("hits") or [], access)
        rows = [export_record(query, hit).values() for hit in hits]
        if rows:
            yield csv_lines(rows)


def _now() -> datetime:
    return datetime.now(UTC)

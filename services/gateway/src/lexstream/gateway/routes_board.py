"""A matter's processing board: its documents counted by status and stage, the failures with
their reasons, and for tenant admins a replay of the failed ones.

The board reads the status index (one record per document, kept by the index service), with
the caller's access filter on top of the matter: a screened member gets 404 as for any
other route of the matter. A replay sends each failed document's extraction request again
(``ocr.requested`` or ``transcribe.requested``, rebuilt from ingest's record of it); the
workers redo it under the same document id and the status record's later terminal event wins
(``indexed``, or ``failed`` with the new reason). A document under legal hold is not replayed
(a replay rewrites its derived objects), nor one that failed before it had a route (an empty
or unsupported file: a new upload is the remedy).
"""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import NotFoundError
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.routes_matters import MatterId, _visible
from lexstream.gateway.schemas import COMMON_ERRORS
from lexstream.shared.events import Hints, ObjectRef, OcrRequested, TranscribeRequested
from lexstream.shared.holds import HoldGuard

router = APIRouter(tags=["matters"], responses=COMMON_ERRORS)

#: most failed documents one replay sends again (a larger backlog takes several calls)
REPLAY_MAX = 500


class BoardFailure(BaseModel):
    document_id: str
    filename: str | None = None
    failure_stage: str | None = None
    failure_reason: str | None = None
    updated_at: str | None = None


class MatterBoard(BaseModel):
    matter_id: str
    total: int = Field(description="documents of the matter the caller may see")
    by_status: dict[str, int] = Field(description="received, stored, extracting, ... indexed")
    in_progress_by_stage: dict[str, int] = Field(
        description="documents not yet indexed or failed, by the stage they are at"
    )
    failures: list[BoardFailure] = Field(description="the latest failures, newest first")


class ReplaySkipped(BaseModel):
    document_id: str
    reason: str


class ReplayResult(BaseModel):
    matter_id: str
    replayed: list[str]
    skipped: list[ReplaySkipped]


def _matter_query(access: Access, matter_id: str, *more: dict[str, Any]) -> dict[str, Any]:
    """The matter's status records the caller may see (``failed``: only the failed ones)."""
    return {"bool": {"filter": [{"term": {"matter_id": matter_id}}, access.es_filter(), *more]}}


@router.get("/v1/matters/{matter_id}/board")
async def matter_board(
    matter_id: MatterId,
    gw: GatewayDep,
    access: AuthorizedDep,
    failures: Annotated[int, Query(ge=0, le=500, description="failures listed")] = 50,
) -> MatterBoard:
    """Counts by status and stage, and the latest failures with their reasons."""
    await _visible(gw, access, matter_id)
    try:
        counted = await gw.es.search(
            index=gw.statuses,
            query=_matter_query(access, matter_id),
            size=0,
            track_total_hits=True,
            aggs={
                "status": {"terms": {"field": "status", "size": 20}},
                "open": {
                    "filter": {"bool": {"must_not": {"terms": {"status": ["indexed", "failed"]}}}},
                    "aggs": {"stage": {"terms": {"field": "stage", "size": 20}}},
                },
            },
        )
        failed = await gw.es.search(
            index=gw.statuses,
            query=_matter_query(access, matter_id, {"term": {"status": "failed"}}),
            size=failures,
            sort=[{"updated_at": {"order": "desc", "unmapped_type": "date"}}],
            source_includes=["filename", "failure_stage", "failure_reason", "updated_at"],
        )
    except NotFoundError:  # no document was ever indexed here
        return MatterBoard(
            matter_id=matter_id, total=0, by_status={}, in_progress_by_stage={}, failures=[]
        )
    aggs = counted["aggregations"]
    return MatterBoard(
        matter_id=matter_id,
        total=counted["hits"]["total"]["value"],
        by_status={b["key"]: b["doc_count"] for b in aggs["status"]["buckets"]},
        in_progress_by_stage={b["key"]: b["doc_count"] for b in aggs["open"]["stage"]["buckets"]},
        failures=[
            BoardFailure(document_id=hit["_id"], **hit.get("_source", {}))
            for hit in failed["hits"]["hits"]
        ],
    )


@router.post("/v1/matters/{matter_id}/replay")
async def replay_failed(
    request: Request, matter_id: MatterId, gw: GatewayDep, access: AuthorizedDep
) -> ReplayResult:
    """Send the matter's failed documents through extraction again (tenant admins)."""
    await _visible(gw, access, matter_id)
    hits: list[dict[str, Any]] = []
    try:
        found = await gw.es.search(
            index=gw.statuses,
            query=_matter_query(access, matter_id, {"term": {"status": "failed"}}),
            size=REPLAY_MAX,
            sort=[{"updated_at": {"order": "asc", "unmapped_type": "date"}}],
            source_includes=["hints"],
        )
        hits = found["hits"]["hits"]
    except NotFoundError:
        pass
    guard = HoldGuard(gw.es, gw.store, gw.settings)
    replayed: list[str] = []
    skipped: list[ReplaySkipped] = []
    for hit in hits:
        document_id = hit["_id"]
        reason = await _replay_one(gw, guard, document_id, hit.get("_source") or {})
        if reason is None:
            replayed.append(document_id)
        else:
            skipped.append(ReplaySkipped(document_id=document_id, reason=reason))
    gw.audit.record(
        request,
        "matter.replay",
        matter_id=matter_id,
        hits=len(replayed),
    )
    return ReplayResult(matter_id=matter_id, replayed=replayed, skipped=skipped)


async def _replay_one(
    gw: Gateway, guard: HoldGuard, document_id: str, status: dict[str, Any]
) -> str | None:
    """Send one document's extraction request again; the reason it was not, else None."""
    facts = await guard.document_facts(document_id)
    if await guard.holds_on(document_id, facts):
        return "under legal hold: a replay would rewrite its derived objects"
    route, original = facts.get("route"), facts.get("original")
    if route not in ("ocr", "transcribe") or not isinstance(original, str):
        return "failed before extraction (empty, unsupported or refused file): upload it again"
    hints = status.get("hints")
    fields = {
        "document_id": document_id,
        "tenant": facts.get("tenant") or "default",
        "matter_id": facts.get("matter_id"),
        "parent_document_id": facts.get("parent_document_id"),
        "original": ObjectRef.parse(original),
        "media_type": str(facts.get("media_type")),
        "filename": str(facts.get("filename") or document_id),
        "hints": Hints.model_validate(hints) if isinstance(hints, dict) else Hints(),
    }
    if route == "ocr":
        await gw.publish(gw.topics.ocr_requested, OcrRequested(**fields))
    else:
        await gw.publish(gw.topics.transcribe_requested, TranscribeRequested(**fields))
    return None

"""Legal holds, retention policies and deletion of documents (issue 19, items 5 and 6).

- ``POST /v1/matters/{id}/holds``: a hold on the whole matter, one custodian or a query;
  ``GET`` lists them (released ones too, with who released them and when);
  ``POST .../holds/{hold_id}/release`` releases one. Owners of the matter and tenant
  admins only (an admin acts as owner; a screened admin gets 404).
- ``PUT``/``GET /v1/matters/{id}/retention``: the matter's retention policy, applied by
  ``python -m lexstream.gateway.retention``.
- ``DELETE /v1/documents/{id}``: the document and its attachments or members out of every
  store (``lexstream.shared.deletion``); 409 while a hold covers any of them.

Every change, and every refused deletion, is an audit entry.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field, model_validator

from lexstream.gateway.authz import AuthorizedDep, document_rule, require_role
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.documents import DocumentId
from lexstream.gateway.routes_matters import MatterId
from lexstream.gateway.schemas import COMMON_ERRORS, errors
from lexstream.gateway.stores import StoreConflict, now_iso, read_modify_write
from lexstream.gateway.subjects import SUBJECT_MAX, SUBJECT_PATTERN
from lexstream.shared.deletion import Deleter, DocumentNotFound
from lexstream.shared.events import ObjectRef
from lexstream.shared.holds import (
    DocumentHeld,
    HoldGuard,
    HoldScope,
    S3HoldState,
    bootstrap_holds_index,
    hold_doc_id,
    holds_index,
    set_object_legal_hold,
)

router = APIRouter(tags=["holds"], responses=COMMON_ERRORS | errors(409))

HoldId = Annotated[str, Path(pattern=r"^H-[0-9a-f]{12}$")]


class HoldCreate(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    reason: str = Field(min_length=1, max_length=5000)
    scope: HoldScope = Field(description="the whole matter, one custodian, or a query")
    custodian: str | None = Field(
        default=None, max_length=SUBJECT_MAX, pattern=SUBJECT_PATTERN, description="scope custodian"
    )
    query: str | None = Field(
        default=None, min_length=1, max_length=2000, description="scope query: search syntax"
    )

    @model_validator(mode="after")
    def _scope_fields(self) -> HoldCreate:
        if (self.scope == "custodian") != (self.custodian is not None):
            raise ValueError("custodian: required with scope 'custodian', and only with it")
        if (self.scope == "query") != (self.query is not None):
            raise ValueError("query: required with scope 'query', and only with it")
        return self


class HoldRelease(BaseModel):
    reason: str | None = Field(default=None, max_length=5000)


class Hold(BaseModel):
    hold_id: str
    matter_id: str
    name: str
    reason: str
    scope: HoldScope
    custodian: str | None = None
    query: str | None = None
    status: Literal["active", "released"]
    s3_legal_hold: S3HoldState = Field(
        description="whether originals got an S3 legal hold: applied, unsupported by the "
        "S3 server (S3Proxy), or none (no original covered yet)"
    )
    created_by: str
    created_at: str
    released_by: str | None = None
    released_at: str | None = None
    release_reason: str | None = None


class HoldList(BaseModel):
    holds: list[Hold]


class RetentionPolicy(BaseModel):
    delete_after_days: int = Field(ge=0, le=36500, description="days after the basis date")
    basis: Literal["ingested_at"] = "ingested_at"


class Retention(RetentionPolicy):
    matter_id: str
    set_by: str | None = None
    set_at: str | None = None


class DeletedDocument(BaseModel):
    document_id: str
    deleted_at: str
    deleted_by: str
    deleted: list[str] = Field(description="the document and its attachments or members")
    removed: dict[str, dict[str, Any]] = Field(description="what each store lost, per document")


def _hold(record: dict[str, Any]) -> Hold:
    return Hold.model_validate(record)


async def _legal_holds(gw: Gateway, hold: dict[str, Any], on: bool) -> S3HoldState:
    """S3 legal holds on the originals the hold covers (off: those no other hold covers)."""
    guard = HoldGuard(gw.es, gw.store, gw.settings)
    state: S3HoldState = "none"
    for document_id in await guard.covered_documents(hold):
        facts = await guard.document_facts(document_id)
        if not facts.get("original") or facts.get("adopted"):
            continue
        if not on and await guard.holds_on(document_id, facts):
            continue  # another active hold still keeps it
        state = await gw.s3(set_object_legal_hold(gw.store, ObjectRef.parse(facts["original"]), on))
        if state == "unsupported":
            break  # the server has no object lock: asking for each original tells nothing
    return state


@router.post("/v1/matters/{matter_id}/holds", status_code=201)
async def create_hold(
    request: Request, matter_id: MatterId, body: HoldCreate, gw: GatewayDep, access: AuthorizedDep
) -> Hold:
    """Put a legal hold on the matter, a custodian's documents in it, or those a query finds.

    From now on no deletion path touches a document it covers (409)."""
    tenant = access.principal.tenant
    if await gw.matters.get(tenant, matter_id) is None:
        raise HTTPException(404, "no such matter")
    await bootstrap_holds_index(gw.es, gw.settings)
    hold_id = f"H-{secrets.token_hex(6)}"
    record: dict[str, Any] = {
        "hold_id": hold_id,
        "tenant": tenant,
        "matter_id": matter_id,
        **body.model_dump(),
        "status": "active",
        "s3_legal_hold": "none",
        "created_by": access.principal.subject,
        "created_at": now_iso(),
        "released_by": None,
        "released_at": None,
        "release_reason": None,
    }
    await gw.es.index(
        index=holds_index(gw.settings),
        id=hold_doc_id(tenant, hold_id),
        document=record,
        op_type="create",
        refresh=True,
    )
    record["s3_legal_hold"] = await _legal_holds(gw, record, on=True)
    await gw.es.update(
        index=holds_index(gw.settings),
        id=hold_doc_id(tenant, hold_id),
        doc={"s3_legal_hold": record["s3_legal_hold"]},
        refresh=True,
    )
    gw.audit.record(
        request,
        "hold.create",
        status_code=201,
        matter_id=matter_id,
        query={"hold_id": hold_id, "scope": body.scope},
    )
    return _hold(record)


@router.get("/v1/matters/{matter_id}/holds")
async def list_holds(
    request: Request, matter_id: MatterId, gw: GatewayDep, access: AuthorizedDep
) -> HoldList:
    """The matter's holds, active and released (newest first)."""
    if await gw.matters.get(access.principal.tenant, matter_id) is None:
        raise HTTPException(404, "no such matter")
    await bootstrap_holds_index(gw.es, gw.settings)
    found = await gw.es.search(
        index=holds_index(gw.settings),
        query={
            "bool": {
                "filter": [
                    {"term": {"tenant": access.principal.tenant}},
                    {"term": {"matter_id": matter_id}},
                ]
            }
        },
        sort=[{"created_at": "desc"}],
        size=1000,
    )
    holds = [_hold(hit["_source"]) for hit in found["hits"]["hits"]]
    gw.audit.record(request, "hold.list", matter_id=matter_id, hits=len(holds))
    return HoldList(holds=holds)


@router.post("/v1/matters/{matter_id}/holds/{hold_id}/release")
async def release_hold(
    request: Request,
    matter_id: MatterId,
    hold_id: HoldId,
    gw: GatewayDep,
    access: AuthorizedDep,
    body: HoldRelease | None = None,
) -> Hold:
    """Release a hold: it stays listed, with who released it, when and why."""
    tenant = access.principal.tenant
    subject = access.principal.subject

    def change(record: dict[str, Any]) -> dict[str, Any]:
        if record.get("matter_id") != matter_id:
            raise HTTPException(404, "no such hold")
        if record["status"] == "released":
            raise HTTPException(409, "the hold is released already")
        return {
            **record,
            "status": "released",
            "released_by": subject,
            "released_at": now_iso(),
            "release_reason": body.reason if body else None,
        }

    try:
        record = await read_modify_write(
            gw.es, holds_index(gw.settings), hold_doc_id(tenant, hold_id), change
        )
    except StoreConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    except NotFoundError as exc:
        raise HTTPException(404, "no such hold") from exc
    if record.get("s3_legal_hold") == "applied":
        await _legal_holds(gw, record, on=False)
    gw.audit.record(request, "hold.release", matter_id=matter_id, query={"hold_id": hold_id})
    return _hold(record)


@router.put("/v1/matters/{matter_id}/retention")
async def put_retention(
    request: Request,
    matter_id: MatterId,
    body: RetentionPolicy,
    gw: GatewayDep,
    access: AuthorizedDep,
) -> Retention:
    """Set the matter's retention policy: its documents are deleted ``delete_after_days``
    after they were received, by the retention job, unless a hold covers them."""
    policy = {
        **body.model_dump(),
        "set_by": access.principal.subject,
        "set_at": now_iso(),
    }
    matter = await gw.matters.change(
        access.principal.tenant, matter_id, lambda m: {**m, "retention": policy}
    )
    if matter is None:
        raise HTTPException(404, "no such matter")
    gw.audit.record(request, "retention.set", matter_id=matter_id, query=body.model_dump())
    return Retention(matter_id=matter_id, **policy)


@router.get("/v1/matters/{matter_id}/retention")
async def get_retention(matter_id: MatterId, gw: GatewayDep, access: AuthorizedDep) -> Retention:
    matter = await gw.matters.get(access.principal.tenant, matter_id)
    if matter is None:
        raise HTTPException(404, "no such matter")
    policy = matter.get("retention")
    if not policy:
        raise HTTPException(404, "the matter has no retention policy")
    return Retention(matter_id=matter_id, **policy)


@router.delete("/v1/documents/{document_id}")
async def delete_document(
    request: Request, document_id: DocumentId, gw: GatewayDep, access: AuthorizedDep
) -> DeletedDocument:
    """Delete a document, with its attachments or archive members, from every store.

    The original goes too unless another document has the same bytes. 409 while a legal
    hold covers the document or any of its attachments; nothing is deleted then."""
    record = await gw.visible_record(access, document_id)
    matter_id = record.get("matter_id")
    require_role(access, matter_id, document_rule(request), "document")
    deleter = Deleter(gw.es, gw.store, gw.settings)
    try:
        report = await deleter.delete(
            document_id, deleted_by=access.principal.subject, reason="api"
        )
    except DocumentHeld as exc:
        gw.audit.record(
            request,
            "document.delete",
            status_code=409,
            document_id=document_id,
            matter_id=matter_id,
            query={"held_by": exc.hold_ids},
        )
        raise HTTPException(409, str(exc)) from exc
    except DocumentNotFound as exc:
        raise HTTPException(404, "no such document") from exc
    gw.audit.record(
        request,
        "document.delete",
        document_id=document_id,
        matter_id=matter_id,
        query={"deleted": list(report.documents), "reason": "api"},
        hits=len(report.documents),
    )
    return DeletedDocument(
        document_id=document_id,
        deleted_at=report.deleted_at,
        deleted_by=report.deleted_by,
        deleted=list(report.documents),
        removed={k: v.__dict__ for k, v in report.documents.items()},
    )

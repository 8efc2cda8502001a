"""A document's near-duplicates: the members of its group the caller may see.

Groups are made by the index service (``lexstream.index.neardup_groups``): the documents
connected by pairs whose estimated Jaccard similarity of word shingles reaches the
configured threshold, keyed by the principal's id (the earliest member). The group key
itself is never shown: the principal may be in a matter the caller cannot see. Every query
carries the caller's visibility filter, so a member the caller may not see is neither
listed nor counted, and the principal named is the earliest member the caller can see.
"""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import GatewayDep
from lexstream.gateway.documents import DocumentId
from lexstream.gateway.schemas import COMMON_ERRORS
from lexstream.shared.neardup import (
    FIELD,
    GROUP_FIELD,
    SIGNATURE_FIELD,
    decode_signature,
    estimated_similarity,
)

router = APIRouter(tags=["documents"], responses=COMMON_ERRORS)

_SOURCE = ["document_id", "title", "filename", "matter_id", "kind", GROUP_FIELD, SIGNATURE_FIELD]


class NearDuplicate(BaseModel):
    document_id: str
    title: str | None
    filename: str | None
    matter_id: str | None
    kind: str | None
    similarity: float | None = Field(
        description="estimated Jaccard similarity of word shingles with the document asked "
        "about (MinHash); members are in the group through a chain of near-duplicate pairs, "
        "so one may be below the threshold against this document"
    )
    principal: bool = Field(description="the earliest member of the group the caller can see")


class NearDuplicates(BaseModel):
    document_id: str
    signed: bool = Field(
        description="false when the document has no signature (its text is shorter than the "
        "minimum, or it was indexed before near-duplicates were computed)"
    )
    principal_id: str | None = Field(
        description="the group's principal among the documents the caller can see"
    )
    total: int = Field(description="near-duplicates the caller can see")
    near_duplicates: list[NearDuplicate]


def _similarity(mine: str | None, theirs: str | None) -> float | None:
    if not mine or not theirs:
        return None
    try:
        return round(estimated_similarity(decode_signature(mine), decode_signature(theirs)), 3)
    except ValueError:  # signatures of different schemes
        return None


@router.get("/v1/documents/{document_id}/near-duplicates")
async def near_duplicates(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NearDuplicates:
    """The near-duplicates of a document (same group), oldest first, each with its estimated
    similarity to this one; only those the caller may see."""
    doc = await gw.search_document(access, document_id)
    if doc is None:
        raise HTTPException(404, "no such document (or not indexed yet)")
    fields: dict[str, Any] = doc.get(FIELD) or {}
    group = fields.get("group")
    hits: list[dict[str, Any]] = []
    total = 0
    if group:
        body = {
            "query": {
                "bool": {
                    "filter": [access.es_filter(), {"term": {GROUP_FIELD: group}}],
                    "must_not": [{"ids": {"values": [document_id]}}],
                }
            },
            "size": size,
            "sort": [{"document_id": "asc"}],
            "_source": _SOURCE,
            "track_total_hits": True,
        }
        try:
            result = await gw.search(access, body)
            hits = result["hits"]["hits"]
            total = int(result["hits"]["total"]["value"])
        except NotFoundError:
            pass
    members = sorted([document_id, *(hit["_id"] for hit in hits)])
    # the principal itself where the caller sees it, else the earliest member they see
    principal = group if group in members else members[0]
    gw.audit.record(
        request,
        "near-duplicates",
        document_id=document_id,
        matter_id=doc.get("matter_id"),
        hits=total,
    )
    return NearDuplicates(
        document_id=document_id,
        signed=bool(fields.get("signature")),
        principal_id=principal,
        total=total,
        near_duplicates=[
            NearDuplicate(
                document_id=hit["_id"],
                title=hit["_source"].get("title"),
                filename=hit["_source"].get("filename"),
                matter_id=hit["_source"].get("matter_id"),
                kind=hit["_source"].get("kind"),
                similarity=_similarity(
                    fields.get("signature"), (hit["_source"].get(FIELD) or {}).get("signature")
                ),
                principal=hit["_id"] == principal,
            )
            for hit in hits
        ],
    )

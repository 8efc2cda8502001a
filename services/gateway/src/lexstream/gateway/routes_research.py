"""Legal research routes: a document's authorities, an authority's page, look-up by any
surface form, and a matter's citation graph (lexstream.gateway.research builds them).

Each answers only what the caller may see: every query carries the caller's access filter,
a held document is linked only where the caller may see it, and counts count only visible
documents, so no answer tells that a document exists in a matter the caller cannot see.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from lexstream.gateway import research
from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.documents import DocumentId
from lexstream.gateway.schemas import COMMON_ERRORS, FacetValue
from lexstream.gateway.search import BadSearch, decode_cursor, encode_cursor
from lexstream.gateway.stores import MATTER_ID
from lexstream.shared.legal.authorities import lookup

router = APIRouter(tags=["research"], responses=COMMON_ERRORS)

MatterId = Annotated[str, Path(pattern=MATTER_ID.pattern)]

GRAPH_MEDIA = {"csv": "text/csv; charset=utf-8", "graphml": "application/graphml+xml"}


class AuthorityInfo(BaseModel):
    """What an authority is: its canonical id (the same in every language and form it is
    cited in), kind, display name, jurisdiction, and the coarser ids above it."""

    id: str = Field(description="e.g. 'eu:celex:32016R0679/art:6/para:1/point:f'")
    kind: Literal["case", "legislation", "provision", "instrument"]
    name: str
    jurisdiction: str | None
    parent: str | None = Field(description="the next coarser id; None for a whole authority")
    lineage: list[str] = Field(description="this id and every coarser one, the root first")


class HeldDocument(BaseModel):
    """The document that IS an authority (by its own identifiers), when the caller may see
    it; ``provision`` is the part of it a pinpoint names ('par:823/abs:1')."""

    document_id: str
    title: str | None = None
    doc_type: str | None = None
    matter_id: str | None = None
    provision: str | None = None


class TreatmentSignal(BaseModel):
    signal: str = Field(description="applied, followed, distinguished, not_followed, ...")
    sentence: str = Field(description="the citing sentence: the evidence")
    start: int | None = Field(default=None, description="offset of the mention in the text")


class Mention(BaseModel):
    """One citation as printed, where it is first cited and how often."""

    id: str | None = Field(description="its authority id; None where it resolves to none")
    raw: str | None
    normalized: str | None
    kind: str | None = Field(description="the citation family (eu_legislation, ecli, ...)")
    pinpoint: str | None
    mentions: int
    page: int | None = Field(default=None, description="page of its first occurrence")
    second: float | None = Field(default=None, description="a recording's second of it")
    context: str | None = Field(description="the words around its first occurrence")
    treatments: list[TreatmentSignal] = Field(
        default_factory=list,
        description="how the citing document treats it (applied, followed, ...), each with the "
        "sentence that says so; only signals measured precise enough to show",
    )


class Pinpoint(Mention):
    document: HeldDocument | None = None


class CitedAuthority(AuthorityInfo):
    mentions: int = Field(description="mentions of it and of any pinpoint beneath it")
    document: HeldDocument | None
    pinpoints: list[Pinpoint]


class DocumentAuthorities(BaseModel):
    document_id: str
    authorities: list[CitedAuthority]
    unresolved: list[Mention] = Field(description="citations that name no one authority")


class CitingDocument(BaseModel):
    model_config = ConfigDict(extra="allow")

    document_id: str
    title: str | None = None
    jurisdiction: str | None = None
    court: str | None = None
    decision_date: str | None = None
    doc_type: str | None = None
    matter_id: str | None = None
    mentions: int
    citations: list[Mention] = Field(description="its citations of the authority or beneath")


class AuthorityPage(BaseModel):
    authority: AuthorityInfo
    document: HeldDocument | None = Field(description="the held document, if visible")
    total: int = Field(description="visible documents citing it (or a finer pinpoint)")
    citing: list[CitingDocument]
    by_jurisdiction: list[FacetValue]
    by_year: list[FacetValue]
    undated: int
    next: str | None = Field(description="search_after of the next page")


class FoundAuthority(AuthorityInfo):
    cited_by: int = Field(description="visible documents citing it (or a finer pinpoint)")
    document: HeldDocument | None


class AuthorityLookup(BaseModel):
    q: str
    authorities: list[FoundAuthority]


class GraphNode(BaseModel):
    id: str = Field(description="'document:<id>', an authority id, or 'citation:<form>'")
    type: Literal["document", "authority", "unresolved"]
    label: str | None
    kind: str | None


class GraphEdge(BaseModel):
    source: str
    target: str
    relation: Literal["cites", "part_of", "is"]
    mentions: int


class CitationGraph(BaseModel):
    matter_id: str
    documents: int
    truncated: bool = Field(description="more documents than one graph reads")
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _bad(exc: ValueError) -> HTTPException:
    return HTTPException(400, str(exc))


async def _held(
    gw: Gateway,
    access: Access,
    authority_ids: list[str],
    *,
    exclude: str | None = None,
    prefer_matter: str | None = None,
) -> research.Held:
    if not authority_ids:
        return research.Held()
    try:
        body = research.held_query(authority_ids, access, exclude=exclude)
        return research.Held.of(await gw.search(access, body), prefer_matter)
    except NotFoundError:
        return research.Held()


@router.get("/v1/documents/{document_id}/authorities")
async def document_authorities(
    request: Request, document_id: DocumentId, gw: GatewayDep, access: AuthorizedDep
) -> DocumentAuthorities:
    """The authorities a document cites, most mentioned first: each with its id, kind and
    name, its pinpoints as printed (with the page and the words around the first mention,
    and how often), and the document that IS that authority where the caller may see one
    (for a pinpoint: that document and the provision in it). Citations that resolve to no
    authority are listed apart with their raw text."""

    async def held_by_others() -> research.Held:
        # the cited authorities' ids are small beside the citations and their contexts: read
        # alone, they let the held-document query run while the citations are fetched
        cited = await gw.search_document(access, document_id, includes=["authorities"])
        if cited is None:
            return research.Held()
        return await _held(
            gw,
            access,
            research.roots_of(cited.get("authorities") or []),
            exclude=document_id,
            prefer_matter=cited.get("matter_id"),
        )

    doc, held = await asyncio.gather(gw.search_document(access, document_id), held_by_others())
    if doc is None:
        gw.audit.record(request, "authorities", status_code=404, document_id=document_id)
        raise HTTPException(404, "no such document (or not indexed yet)")
    citations = doc.get("citations") or []
    answer = research.document_authorities(citations, held)
    gw.audit.record(
        request,
        "authorities",
        document_id=document_id,
        matter_id=doc.get("matter_id"),
        hits=len(answer["authorities"]),
    )
    return DocumentAuthorities.model_validate({"document_id": document_id, **answer})


@router.get("/v1/authorities")
async def lookup_authorities(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    q: Annotated[str, Query(min_length=1, max_length=300)],
) -> AuthorityLookup:
    """The authorities a surface form names, in any language or form ('Art. 6 DSGVO',
    'article 6 du RGPD', 'GDPR', '[2020] UKSC 5', '410 U.S. 113'), each with how many
    documents the caller may see cite it and the document that is it, if visible."""
    found = lookup(q)
    ids = [a.id for a in found]
    cited: dict[str, int] = dict.fromkeys(ids, 0)
    held = research.Held()
    if ids:
        try:
            # one after the other: a caller has a bounded number of searches in flight
            result = await gw.search(access, research.cited_counts_query(ids, access))
            cited = research.cited_counts(result, ids)
            held = await _held(gw, access, ids)
        except NotFoundError:
            pass  # no index yet: nothing cites it
    gw.audit.record(request, "authority-lookup", query={"q": q}, hits=len(found))
    return AuthorityLookup(
        q=q,
        authorities=[
            FoundAuthority.model_validate(
                {
                    **research.authority_fields(a),
                    "cited_by": cited.get(a.id, 0),
                    "document": held.link(a.id),
                }
            )
            for a in found
        ],
    )


@router.get("/v1/authorities/{authority_id:path}")
async def authority_page(
    request: Request,
    authority_id: str,
    gw: GatewayDep,
    access: AuthorizedDep,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
    search_after: Annotated[str | None, Query(max_length=2000)] = None,
) -> AuthorityPage:
    """An authority: what it is, the document that is it (if visible), and the documents
    the caller may see that cite it or any finer pinpoint of it (a provision's page lists
    those citing its paragraphs too), newest first, with the citing context, counted by
    jurisdiction and by year; ``next`` pages on."""
    try:
        research.check_authority_id(authority_id)
        after = decode_cursor(search_after) if search_after else None
    except (research.BadAuthority, BadSearch) as exc:
        raise _bad(exc) from exc
    body = research.citing_query(authority_id, access, size=size, search_after=after)
    try:
        result = await gw.search(access, body)
    except NotFoundError:  # no index yet: nothing cites it
        result = {"hits": {"hits": [], "total": {"value": 0}}}
    held = await _held(gw, access, [authority_id])
    citing = research.citing_documents(result, authority_id)
    authority = research.describe(authority_id, research.stored_citations(result))
    document = held.link(authority_id)
    if authority.name == authority_id and document is not None and document.get("title"):
        authority = research.from_id(authority_id, str(document["title"]))
    hits = result["hits"]["hits"]
    last = hits[-1].get("sort") if hits else None
    total = result["hits"]["total"]
    gw.audit.record(
        request,
        "authority",
        query={"authority_id": authority_id},
        hits=int(total["value"] if isinstance(total, dict) else total),
    )
    return AuthorityPage.model_validate(
        {
            "authority": research.authority_fields(authority),
            "document": document,
            "total": total["value"] if isinstance(total, dict) else total,
            "citing": citing,
            **research.counts(result),
            "next": encode_cursor(last) if last and len(hits) == size else None,
        }
    )


@router.get(
    "/v1/matters/{matter_id}/citation-graph",
    response_model=CitationGraph,
    responses={
        200: {
            "description": "JSON, or with format=csv one row per edge, or format=graphml",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/graphml+xml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def citation_graph(
    request: Request,
    matter_id: MatterId,
    gw: GatewayDep,
    access: AuthorizedDep,
    format: Literal["json", "csv", "graphml"] = "json",
) -> CitationGraph | Response:
    """The citation graph of a matter: its documents the caller may see, the authorities
    they cite (``cites`` edges with mentions; a provision is ``part_of`` its act or case)
    and, where a document of the matter IS a cited authority, an ``is`` edge to it. As JSON,
    CSV (one row per edge) or GraphML (for Gephi, yEd, networkx)."""
    matter = await gw.matters.get(access.principal.tenant, matter_id)
    if matter is None:
        raise HTTPException(404, "no such matter")
    documents: list[dict[str, Any]] = []
    after: list[Any] | None = None
    truncated = False
    try:
        while True:
            result = await gw.search(access, research.graph_page_query(matter_id, access, after))
            hits = result["hits"]["hits"]
            documents.extend(hit.get("_source", {}) for hit in hits)
            if len(hits) < research.GRAPH_PAGE:
                break
            if len(documents) >= research.MAX_GRAPH_DOCUMENTS:
                truncated = True
                break
            after = hits[-1]["sort"]
    except NotFoundError:
        pass  # no index yet: an empty graph
    graph = research.build_graph(documents)
    gw.audit.record(
        request,
        "citation-graph",
        matter_id=matter_id,
        query={"format": format},
        hits=len(documents),
    )
    if format == "csv":
        return Response(research.graph_csv(graph), media_type=GRAPH_MEDIA["csv"])
    if format == "graphml":
        data = research.graph_graphml(graph, f"matter:{matter_id}")
        return Response(data, media_type=GRAPH_MEDIA["graphml"])
    return CitationGraph.model_validate(
        {
            "matter_id": matter_id,
            "documents": len(documents),
            "truncated": truncated,
            **research.graph_json(graph),
        }
    )

"""Search, suggestions and cited-by: every query carries the caller's visibility filter."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from elasticsearch import NotFoundError
from fastapi import APIRouter, Query, Request

from lexstream.gateway import hybrid
from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.query_syntax import operator_words
from lexstream.gateway.schemas import COMMON_ERRORS, Facets, SearchResponse, Suggestions
from lexstream.gateway.search import (
    BadSearch,
    SearchRequest,
    build_query,
    shape_response,
    shape_suggestions,
    suggest_instead,
    suggest_query,
)
from lexstream.shared.neardup import COLLAPSE_NEAR_DUPLICATES

router = APIRouter(tags=["search"], responses=COMMON_ERRORS)

EMPTY = SearchResponse(total=0, hits=[], facets=Facets(), next=None)


@router.get("/v1/search")
async def search(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    q: Annotated[str | None, Query(max_length=2000)] = None,
    jurisdiction: Annotated[str | None, Query(max_length=100)] = None,
    court: Annotated[str | None, Query(max_length=300)] = None,
    doc_type: Annotated[str | None, Query(max_length=50)] = None,
    language: Annotated[str | None, Query(max_length=10)] = None,
    matter_id: Annotated[str | None, Query(max_length=100)] = None,
    date_from: date | None = None,
    date_to: date | None = None,
    cites: Annotated[str | None, Query(max_length=300)] = None,
    identifier: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    authority: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    sort: Literal["relevance", "date"] = "relevance",
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    search_after: Annotated[str | None, Query(max_length=2000)] = None,
    mode: Literal["hybrid", "lexical"] = "hybrid",
    collapse: Literal["near_duplicates"] | None = None,
    inclusive: bool | None = None,
) -> SearchResponse:
    """Full-text search across jurisdictions, filtered by what the caller may see.

    ``q`` is ranked: a document needs two thirds of its words, rounded down (one word of
    two or three), anywhere in the document, and ranks higher for more of them, for them
    close together and for them in its title, parties, judges, court or case numbers.
    Operators make it strict (every word required unless ``|`` says otherwise): ``"a
    phrase"``, ``+`` / ``|`` / ``-`` (AND / OR / NOT, also the words AND, OR, NOT),
    ``prefix*``, ``fuzzy~1``, ``"near words"~5``. Fielded terms filter like the parameters:
    ``court:``, ``judge:``, ``party:``, ``cites:``, ``jurisdiction:``, ``type:``,
    ``identifier:``, ``language:``, ``date:2019`` / ``date:[2019 TO 2021]`` /
    ``date:[2019-01-01 TO *]``, values quoted where they have spaces
    (``court:"Court of Appeal"``), ``-court:...`` to exclude; an unknown field, a bad date
    or an unbalanced quote is a 400 saying so. A ``q`` that is exactly an identifier (ECLI,
    neutral citation, CELEX, docket, ...) also finds the document it identifies. A search
    that finds nothing comes with a ``suggestion``: a spelling correction that finds
    something the caller may see, or the same words with any one of them enough.
    ``identifier`` matches any of a document's own identifiers, of any kind, in any letter
    case. ``cites`` takes any surface form of an authority or a provision (``Art. 6
    DSGVO`` finds ``Article 6(1)(f) GDPR``); ``authority`` a canonical id as the
    ``authority`` facet names it.

    The first page of a relevance-sorted free-text ``q`` (no operators) is hybrid: the
    lexical ranking fused by reciprocal rank with the documents whose passages are nearest
    in meaning to ``q`` in a multilingual embedding space, so a query in one language also
    finds judgments in another; the caller's visibility and every filter apply to both.
    Such a hit names its nearest ``passage`` (page or second). Its ``next`` pages through
    the fusion, 1,000 results deep; ``mode=lexical`` ranks by the words only (and pages
    without a bound), as do date sorts.

    ``collapse=near_duplicates`` shows one hit per near-duplicate group (the best-ranked
    member the caller may see); such a search is lexical and has one page (no ``next``);
    ``total`` still counts documents.
    """
    req = SearchRequest(
        q=operator_words(q) if q is not None else None,
        jurisdiction=jurisdiction,
        court=court,
        doc_type=doc_type,
        language=language,
        matter_id=matter_id,
        date_from=date_from,
        date_to=date_to,
        cites=cites,
        identifier=identifier,
        authority=authority,
        sort=sort,
        size=size,
        search_after=search_after,
        collapse=collapse == COLLAPSE_NEAR_DUPLICATES,
        inclusive=inclusive,
    )
    fused = mode == "hybrid" and gw.settings.hybrid_search and not req.collapse
    semantic = hybrid.semantic_text(req.q) if fused else None
    if not hybrid.applies(req.q, sort, search_after):
        semantic = None
    try:
        offset = (hybrid.decode_offset(search_after) or 0) if semantic else 0
    except ValueError as exc:
        raise BadSearch(str(exc)) from exc
    # a hybrid page's cursor is an offset into the fusion, not a lexical search_after
    body = build_query(replace(req, search_after=None) if semantic else req, access, gw.query_caps)
    words_found: int | None = None  # of a hybrid search: what its lexical half found
    try:
        if semantic:
            result = await hybrid.hybrid_search(
                gw, access, body, semantic, size=size, offset=offset
            )
            answer = shape_response(result, size)
            answer["next"] = hybrid.encode_offset(offset + size) if result.get("more") else None
            words_found = result.get("lexical_total")
        else:
            answer = shape_response(await gw.search(access, body), size)
            if req.collapse:
                answer["next"] = None
    except NotFoundError:  # no index yet: nothing to find, and the search is still audited
        answer = EMPTY.model_dump()
    # kNN always has nearest neighbours: a hybrid search whose words found nothing gets the
    # suggestion too, beside the documents nearest in meaning
    if not search_after and (answer["total"] == 0 or words_found == 0):
        answer["suggestion"] = await _suggestion(gw, access, req)
    gw.audit.record(
        request,
        "search",
        query={k: v for k, v in request.query_params.items() if k != "search_after"},
        hits=answer["total"],
    )
    return SearchResponse.model_validate(answer)


async def _suggestion(gw: Gateway, access: Access, req: SearchRequest) -> dict[str, Any] | None:
    """A spelling correction or a relaxed q for a search that found nothing."""

    async def search(body: dict[str, Any]) -> dict[str, Any]:
        return await gw.search(access, body)

    try:
        return await suggest_instead(search, req, access, gw.query_caps)
    except NotFoundError:
        return None


@router.get("/v1/cited-by")
async def cited_by(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    citation: Annotated[str, Query(min_length=1, max_length=300)],
    size: Annotated[int, Query(ge=1, le=100)] = 10,
    search_after: Annotated[str | None, Query(max_length=2000)] = None,
) -> SearchResponse:
    """The documents that cite a citation (``410 U.S. 113``, ``ECLI:EU:C:2014:317``)."""
    body = build_query(
        SearchRequest(cites=citation, sort="date", size=size, search_after=search_after), access
    )
    try:
        answer = shape_response(await gw.search(access, body), size)
    except NotFoundError:  # no index yet: nothing cites it, and the look-up is still audited
        answer = EMPTY.model_dump()
    gw.audit.record(request, "cited-by", query={"citation": citation}, hits=answer["total"])
    return SearchResponse.model_validate(answer)


@router.get("/v1/suggest")
async def suggest(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    size: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Suggestions:
    """Titles, parties and courts starting with what was typed (for a search box)."""
    try:
        result = await gw.search(access, suggest_query(q, access, size))
        suggestions = shape_suggestions(result)
    except NotFoundError:
        suggestions = []
    gw.audit.record(request, "suggest", query={"q": q}, hits=len(suggestions))
    return Suggestions.model_validate({"suggestions": suggestions})

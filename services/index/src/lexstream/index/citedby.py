"""Who cites an authority: counts and documents from the ``cites`` keyword field.

``cites`` holds each document's normalised citations (the normal form of
``lexstream.shared.legal.normalize_citation``), so these are exact term queries whatever
way the citation was printed. Counting happens at query time: a document's cited-by count
can never go stale when a citing document is re-extracted, replaced or removed. Every
function takes the caller's access filter (the gateway's ``Access.es_filter()``): there is
no way to count documents the caller may not see.
"""

from __future__ import annotations

from typing import Any, TypedDict

from elasticsearch import AsyncElasticsearch

from lexstream.shared.legal import normalize_citation

SUMMARY_FIELDS = ["document_id", "title", "jurisdiction", "court", "decision_date", "doc_type"]


class CitedBy(TypedDict):
    citation: str
    count: int
    documents: list[dict[str, Any]]


async def cited_by(
    es: AsyncElasticsearch,
    alias: str,
    normalized: str,
    access_filter: dict[str, Any],
    *,
    size: int = 20,
) -> CitedBy:
    """How many visible documents cite ``normalized`` (exact count), and the newest ``size``.

    ``normalized`` is a normalised citation; pass user input through
    :func:`normalize_citation` (or use :func:`cited_by_text`). Documents are summaries:
    ``document_id``, ``title``, ``jurisdiction``, ``court``, ``decision_date``, ``doc_type``.
    """
    response = await es.search(
        index=alias,
        query={"bool": {"filter": [access_filter, {"term": {"cites": normalized}}]}},
        size=size,
        track_total_hits=True,
        source_includes=SUMMARY_FIELDS,
        sort=[{"decision_date": {"order": "desc", "missing": "_last"}}, {"document_id": "asc"}],
    )
    hits = response["hits"]
    return {
        "citation": normalized,
        "count": int(hits["total"]["value"]),
        "documents": [hit["_source"] for hit in hits["hits"]],
    }


async def cited_by_text(
    es: AsyncElasticsearch,
    alias: str,
    citation: str,
    access_filter: dict[str, Any],
    *,
    size: int = 20,
) -> CitedBy | None:
    """:func:`cited_by` for a citation as a person typed it; None if it is not a citation."""
    normalized = normalize_citation(citation)
    if normalized is None:
        return None
    return await cited_by(es, alias, normalized, access_filter, size=size)


async def most_cited(
    es: AsyncElasticsearch,
    alias: str,
    access_filter: dict[str, Any],
    *,
    size: int = 20,
    query: dict[str, Any] | None = None,
) -> list[tuple[str, int]]:
    """The most cited authorities among the visible documents (optionally within ``query``),
    as ``(normalized citation, number of citing documents)``."""
    filters: list[dict[str, Any]] = [access_filter]
    if query is not None:
        filters.append(query)
    response = await es.search(
        index=alias,
        query={"bool": {"filter": filters}},
        size=0,
        aggs={"cited": {"terms": {"field": "cites", "size": size}}},
    )
    return [(b["key"], int(b["doc_count"])) for b in response["aggregations"]["cited"]["buckets"]]

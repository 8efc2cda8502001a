"""Hybrid search: the lexical query and a kNN over passage vectors, fused by a normalised
linear blend (or reciprocal rank).

The kNN half searches ``chunks.vector`` (passages embedded by the index service with
:data:`lexstream.shared.embeddings.EMBEDDING_MODEL`) with the query embedded by the same
model. The caller's visibility filter (:meth:`Access.es_filter`, the one every query carries)
and the request's filters go INSIDE the kNN clause's ``filter``: Elasticsearch then finds the
``k`` nearest documents among those the caller may see, so a screened matter can neither
leak into the results nor crowd the visible ones out of them (a post-filter would do both:
hide hits, and lose recall to the hidden ones).

The two result lists are fused here (:func:`fuse`) rather than with Elasticsearch's ``linear``
or ``rrf`` retrievers, which this build lacks (x-pack); deployments with them can use
:func:`retriever_body` instead. The default is the linear blend: each list's scores min-max
normalised, :data:`LEXICAL_WEIGHT` times the lexical plus the rest times the kNN's. On the
relevance benchmark (``bench/search/relevance.py``) its weight was chosen on the dev half and
it beat reciprocal rank fusion (``k = 60``) on the test half; ``LEXSTREAM_SEARCH_FUSION=rrf``
(with ``LEXSTREAM_SEARCH_LEXICAL_WEIGHT`` for the blend) chooses. The lexical half runs while
the query is embedded (:func:`hybrid_search`); both hold one of the caller's search slots.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from elasticsearch import ApiError

from lexstream.gateway.access import Access
from lexstream.gateway.context import Gateway
from lexstream.gateway.query_syntax import operator_words, parse_query
from lexstream.shared import embeddings

log = logging.getLogger(__name__)
#: A word with a wildcard or fuzziness (``negligen*``, ``liabilty~1``): about spelling, not
#: meaning.
_PATTERN = re.compile(r"[*?]|~\d*(?=\s|$)")

#: Reciprocal rank fusion's constant (Cormack et al.; Elasticsearch's default).
RRF_K = 60
#: How the two lists are fused: ``linear`` (normalised blend) or ``rrf``.
FUSIONS = ("linear", "rrf")
#: The lexical list's share of a linear blend (the kNN's is the rest): the best weight of
#: the dev half of the relevance benchmark (0.1 to 0.9 in steps of 0.1).
LEXICAL_WEIGHT = 0.2
#: Documents the lexical half contributes to the fusion (at least; a deeper page asks more).
WINDOW = 100
#: Documents the kNN half contributes to a first page (at least; :func:`knn_k`).
KNN_MIN_K = 100
#: HNSW candidates per shard: a bound on the kNN's cost whatever the caller asks.
MAX_NUM_CANDIDATES = 1_000
VECTOR_FIELD = "chunks.vector"
_CHUNK_FIELDS = ["chunks.page", "chunks.start"]


def access_filters(access: Access, filters: Sequence[Mapping[str, Any]] = ()) -> list[Any]:
    """The caller's visibility filter first, then the request's (each once)."""
    visibility = access.es_filter()
    return [visibility, *(dict(f) for f in filters if f != visibility)]


def request_filters(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The filters of a lexical body from ``search.build_query``: its ``bool.filter``, and
    its ``bool.must_not`` (``-court:...``) as one more filter, so the kNN half excludes
    what the lexical half excludes."""
    query = body.get("query", {})
    clauses = query.get("bool", {}) if isinstance(query, Mapping) else {}
    found = clauses.get("filter", [])
    out = [dict(f) for f in (found if isinstance(found, list) else [found])]
    excluded = clauses.get("must_not")
    if excluded:
        out.append({"bool": {"must_not": excluded if isinstance(excluded, list) else [excluded]}})
    return out


def num_candidates(k: int) -> int:
    """HNSW candidates for ``k`` documents: Elasticsearch's own default, 1.5 k (the kNN cost
    grows with them: at 100,000 documents, 1,000 candidates took four times as long as 150)."""
    return max(k, min(MAX_NUM_CANDIDATES, (3 * k + 1) // 2))


def knn_clause(
    vector: Sequence[float],
    access: Access,
    filters: Sequence[Mapping[str, Any]] = (),
    *,
    k: int = WINDOW,
) -> dict[str, Any]:
    """The kNN clause over passage vectors, with the caller's access filter inside it; the
    best passage of each document comes back as inner hit (its page or second)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    return {
        "field": VECTOR_FIELD,
        "query_vector": list(vector),
        "k": k,
        "num_candidates": num_candidates(k),
        "filter": access_filters(access, filters),
        "inner_hits": {"size": 1, "_source": False, "fields": _CHUNK_FIELDS},
    }


def knn_body(
    vector: Sequence[float],
    access: Access,
    filters: Sequence[Mapping[str, Any]] = (),
    *,
    k: int = WINDOW,
    source: Any = True,
) -> dict[str, Any]:
    return {
        "knn": knn_clause(vector, access, filters, k=k),
        "size": k,
        "_source": source,
        "track_total_hits": False,
    }


def retriever_body(
    lexical: Mapping[str, Any],
    vector: Sequence[float],
    access: Access,
    *,
    k: int = WINDOW,
    method: str = "linear",
    weight: float = LEXICAL_WEIGHT,
) -> dict[str, Any]:
    """The same fusion with Elasticsearch's ``linear`` (min-max normaliser) or ``rrf``
    retriever (x-pack, not in the local build)."""
    if method not in FUSIONS:
        raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, not {method!r}")
    knn = knn_clause(vector, access, request_filters(lexical), k=k)
    knn.pop("inner_hits")
    standard = {"standard": {"query": lexical["query"]}}
    fusion: dict[str, Any]
    if method == "rrf":
        fusion = {
            "rrf": {
                "retrievers": [standard, {"knn": knn}],
                "rank_constant": RRF_K,
                "rank_window_size": k,
            }
        }
    else:
        fusion = {
            "linear": {
                "retrievers": [
                    {"retriever": standard, "weight": weight, "normalizer": "minmax"},
                    {"retriever": {"knn": knn}, "weight": 1.0 - weight, "normalizer": "minmax"},
                ],
                "rank_window_size": k,
            }
        }
    return {
        "retriever": fusion,
        "size": lexical.get("size", 10),
        "_source": lexical.get("_source", True),
    }


def _best_chunk(hit: Mapping[str, Any]) -> dict[str, Any] | None:
    inner = hit.get("inner_hits", {}).get("chunks", {}).get("hits", {}).get("hits", [])
    if not inner:
        return None
    fields = inner[0].get("fields", {})
    chunk = fields.get("chunks", [{}])[0] if "chunks" in fields else fields
    page, start = chunk.get("page"), chunk.get("start")
    out = {}
    if page:
        out["page"] = page[0] if isinstance(page, list) else page
    if start:
        out["start"] = start[0] if isinstance(start, list) else start
    return out or None


def _normalised(ranking: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Each document's score min-max normalised over the list (its first hit where a list
    names it twice): the best 1, the worst 0; all 1 where they are equal (one hit, or hits
    that match alike), so a list that found one document does not count it as its worst."""
    scores: dict[str, float] = {}
    for hit in ranking:
        scores.setdefault(str(hit["_id"]), float(hit.get("_score") or 0.0))
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low <= 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def fuse(
    lexical: Sequence[Mapping[str, Any]],
    vector: Sequence[Mapping[str, Any]],
    *,
    size: int,
    method: str = "linear",
    weight: float = LEXICAL_WEIGHT,
    k: int = RRF_K,
) -> list[dict[str, Any]]:
    """Fusion of two ranked hit lists (``_id`` identifies a document).

    ``linear``: a document scores ``weight`` times its normalised lexical score plus
    ``1 - weight`` times its normalised kNN score (:func:`_normalised`; 0 in a list it is
    not in). ``rrf``: the sum of ``1 / (k + rank)`` over the lists it is in (rank from 1).
    Ties go to the lexical order. The lexical hit is kept where there is one (it has the
    highlights); a document only the kNN found keeps its best passage as ``best_chunk``.
    """
    if method not in FUSIONS:
        raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, not {method!r}")
    if not 0.0 <= weight <= 1.0:
        raise ValueError("the lexical weight must be between 0 and 1")
    scores: dict[str, float] = {}
    hits: dict[str, dict[str, Any]] = {}
    order: dict[str, int] = {}
    for ranking, share in ((lexical, weight), (vector, 1.0 - weight)):
        normalised = _normalised(ranking) if method == "linear" else {}
        seen: set[str] = set()
        for rank, hit in enumerate(ranking, start=1):
            key = str(hit["_id"])
            if key in seen:
                continue  # a list names a document once; a duplicate scores nothing
            seen.add(key)
            gain = share * normalised[key] if method == "linear" else 1.0 / (k + rank)
            scores[key] = scores.get(key, 0.0) + gain
            if key not in hits:
                hits[key] = dict(hit)
                order[key] = len(order)
            chunk = _best_chunk(hit)
            if chunk is not None:
                hits[key].setdefault("best_chunk", chunk)
    ranked = sorted(scores, key=lambda key: (-scores[key], order[key]))[:size]
    out = []
    for key in ranked:
        hit = hits[key]
        hit["_score"] = scores[key]
        hit.pop("sort", None)  # fused pages are not search_after pages
        out.append(hit)
    return out


def fused_result(
    lexical: Mapping[str, Any],
    vector: Mapping[str, Any],
    *,
    size: int,
    offset: int = 0,
    method: str = "linear",
    weight: float = LEXICAL_WEIGHT,
) -> dict[str, Any]:
    """An Elasticsearch-shaped result (``search.shape_response`` reads it): the fused hits
    from ``offset`` on, the lexical facets, a total that counts the documents only the kNN
    found, and ``more``: whether a page after this one has hits."""
    lex_hits = lexical.get("hits", {}).get("hits", [])
    vec_hits = vector.get("hits", {}).get("hits", [])
    fused = fuse(lex_hits, vec_hits, size=offset + size + 1, method=method, weight=weight)
    lexical_ids = {h["_id"] for h in lex_hits}
    total = lexical.get("hits", {}).get("total", {}).get("value", len(lex_hits))
    extra = sum(1 for h in vec_hits if h["_id"] not in lexical_ids)
    more = len(fused) > offset + size and offset + size < MAX_DEPTH
    return {
        "hits": {
            "total": {"value": total + extra, "relation": "gte"},
            "hits": fused[offset : offset + size],
        },
        "aggregations": lexical.get("aggregations", {}),
        "more": more,
        # what the words alone found: none means the hits are only "nearest in meaning"
        "lexical_total": total,
    }


#: How deep hybrid results page (``search_after`` of a hybrid page is an offset): beyond it,
#: ``mode=lexical`` or a date sort page on without a bound.
MAX_DEPTH = 1_000
_CURSOR = "h."


def encode_offset(offset: int) -> str:
    """The ``next`` cursor of a hybrid page: the offset of the page after it."""
    return f"{_CURSOR}{offset}"


def decode_offset(cursor: str | None) -> int | None:
    """The offset of a hybrid cursor; None for no cursor or a lexical one (which pages the
    lexical ranking); ValueError for a hybrid cursor that is not one this gateway made."""
    if not cursor or not cursor.startswith(_CURSOR):
        return None
    digits = cursor[len(_CURSOR) :]
    if not digits.isdigit() or not 0 < int(digits) < MAX_DEPTH:
        raise ValueError(f"search_after is not a cursor of a hybrid search: {cursor[:50]!r}")
    return int(digits)


def semantic_text(q: str | None) -> str | None:
    """The words of ``q`` to embed, or None where the search stays lexical.

    Only the free text is embedded (fielded terms are filters, in the kNN clause too). A
    query with operators (quotes, ``+``, ``-``, ``|``, ``AND``/``OR``/``NOT``, wildcards,
    fuzziness) keeps its strict meaning: passages "about" it must not add documents the
    operators exclude, so it is not fused. A malformed query also stays lexical (the
    lexical half reports what is wrong).
    """
    if not q or not q.strip():
        return None
    try:
        text = parse_query(operator_words(q.strip())).text.strip()
        if not text or parse_query(text).strict or _PATTERN.search(text):
            return None
    except ValueError:
        return None
    return text


def applies(q: str | None, sort: str, search_after: str | None) -> bool:
    """Hybrid ranking is for relevance-sorted free-text queries, their first page or a page
    of a hybrid cursor; a date sort, a lexical cursor, no text or an operator query stays
    lexical."""
    if semantic_text(q) is None or sort != "relevance":
        return False
    return not search_after or search_after.startswith(_CURSOR)


async def warm_up() -> None:
    """Load the model before the first query needs it (about 2 s, once per process)."""
    await asyncio.to_thread(embeddings.encode_query, "warm up")


async def _search(gw: Gateway, body: Mapping[str, Any]) -> dict[str, Any]:
    """One search of the documents alias; an error Elasticsearch answers (a refused query,
    a missing index or field) comes back as ``{"error": ...}``, as ``_msearch`` reports it,
    so each half of a hybrid search can fail on its own. A transport failure raises."""
    try:
        return dict(await gw.es.search(index=gw.alias, body=dict(body)))
    except ApiError as exc:
        found = exc.body.get("error") if isinstance(exc.body, Mapping) else None
        error = dict(found) if isinstance(found, Mapping) else {"type": str(exc.message)}
        return {"error": error, "status": exc.meta.status}


def knn_k(size: int, offset: int = 0) -> int:
    """Documents the kNN half returns for a page: what the page and the test for a next one
    need, and at least :data:`KNN_MIN_K`, so the fusion of a first page ranks among more
    than that page's worth of nearest documents."""
    return max(KNN_MIN_K, offset + size + 1)


async def hybrid_search(
    gw: Gateway,
    access: Access,
    body: Mapping[str, Any],
    q: str,
    *,
    size: int,
    offset: int = 0,
) -> dict[str, Any]:
    """Run ``body`` (from ``search.build_query``) and its kNN twin and fuse them; the result
    has the shape of an Elasticsearch response, with ``more`` (a next page exists) where the
    fusion ran.

    ``q`` is the text to embed (:func:`semantic_text`). The lexical ranking is sent first
    and runs in Elasticsearch while ``q`` is embedded here and the kNN half is sent: the
    search costs the longer of the two, not their sum. The caller's search slot is held
    from the first request to the answer. Where the kNN half fails and the lexical one does
    not (an index created before passage vectors existed has no ``chunks.vector``), the
    lexical result is returned as it is: a search degrades to words only, it does not fail.
    Where the lexical half fails, the plain lexical search runs instead, so its error
    reaches the caller as it would without the kNN half (a 400 for a query Elasticsearch
    refuses).
    """
    window = max(WINDOW, offset + size + 1)
    lexical = ranking_body(body, window)
    p = access.principal
    timeout = f"{round(gw.settings.search_query_timeout_s * 1000)}ms"
    with gw.in_flight.slot(p.key_id or f"{p.tenant}:{p.subject}"):
        lexical_half = asyncio.ensure_future(_search(gw, {**lexical, "timeout": timeout}))
        try:
            vector = await asyncio.to_thread(embeddings.encode_query, q)
            knn = knn_body(
                vector, access, request_filters(body), k=knn_k(size, offset), source=False
            )
            vec = await _search(gw, {**knn, "timeout": timeout})
            lex = await lexical_half
        finally:
            lexical_half.cancel()  # a no-op once it is done; else nobody waits for it
        for one in (lex, vec):
            if one.get("error", {}).get("type") == "index_not_found_exception":
                return {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}
        if "error" in lex:
            fused = None
        elif "error" in vec:
            log.warning("kNN half of a hybrid search failed; lexical only: %s", vec["error"])
            hits = lex["hits"]["hits"]
            fused = {
                **lex,
                "hits": {**lex["hits"], "hits": hits[offset : offset + size]},
                "more": len(hits) > offset + size and offset + size < MAX_DEPTH,
            }
        else:
            fused = fused_result(
                lex,
                vec,
                size=size,
                offset=offset,
                method=gw.settings.search_fusion,
                weight=gw.settings.search_lexical_weight,
            )
        if fused is not None and fused["hits"]["hits"]:
            # the page's documents, with their highlights: only this page is highlighted
            ids = [str(h["_id"]) for h in fused["hits"]["hits"]]
            shown = await gw.es.search(
                index=gw.alias, body={**page_body(body, ids), "timeout": timeout}
            )
            fused["hits"]["hits"] = with_pages(fused["hits"]["hits"], shown["hits"]["hits"])
    if fused is None:  # the lexical search alone answers it as it would without vectors
        return await gw.search(access, dict(body))
    return fused


def _without_inner_hits(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: _without_inner_hits(v) for k, v in node.items() if k != "inner_hits"}
    if isinstance(node, list):
        return [_without_inner_hits(v) for v in node]
    return node


def ranking_body(body: Mapping[str, Any], window: int) -> dict[str, Any]:
    """The lexical body for ranking only: the first ``window`` ids and scores, the facets
    and the total; no highlights (inner hits) and no ``_source``, which cost per hit and are
    wanted for one page only (:func:`page_body`)."""
    ranked = {k: v for k, v in body.items() if k != "search_after"}
    ranked["query"] = _without_inner_hits(body["query"])
    return {**ranked, "size": window, "_source": False}


def page_body(body: Mapping[str, Any], ids: Sequence[str]) -> dict[str, Any]:
    """The documents of a fused page with the lexical query's highlights: the query becomes
    optional (``should``) beside a filter on the ids, so a document found by meaning alone
    comes back too (without highlights); the access filter stays in the filter."""
    query = dict(body["query"]["bool"])
    query["should"] = query.pop("must", [])
    query["filter"] = [*query.get("filter", []), {"ids": {"values": list(ids)}}]
    page = {k: v for k, v in body.items() if k not in ("aggs", "sort", "search_after")}
    return {**page, "query": {"bool": query}, "size": len(ids), "track_total_hits": False}


def with_pages(
    fused: Sequence[Mapping[str, Any]], shown: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The fused hits in their order, each with its document and highlights from the page
    query (a document deleted in between is left out)."""
    by_id = {str(h["_id"]): h for h in shown}
    out = []
    for hit in fused:
        found = by_id.get(str(hit["_id"]))
        if found is None:
            continue
        merged = {**found, "_score": hit.get("_score")}
        if "best_chunk" in hit:
            merged["best_chunk"] = hit["best_chunk"]
        out.append(merged)
    return out

"""The kNN clause carries the caller's access filter; the linear blend and reciprocal rank
fusion."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lexstream.gateway import hybrid
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import SearchRequest, build_query
from lexstream.gateway.stores import Role

MEMBER = Access(
    Principal(
        subject="m",
        tenant="t",
        roles={"A": Role.VIEWER, "B": Role.OWNER},
        screened=frozenset({"B"}),
    )
)
SCREENED_ADMIN = Access(
    Principal(subject="a", tenant="t", is_admin=True, screened=frozenset({"B"}))
)
VECTOR = [0.0] * 511 + [1.0]


def _hits(*ids: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"_id": i, "_score": 1.0, **extra} for i in ids]


@pytest.mark.parametrize("access", [MEMBER, SCREENED_ADMIN])
def test_the_access_filter_is_inside_the_knn_clause(access: Access) -> None:
    body = hybrid.knn_body(VECTOR, access, k=10)
    assert "query" not in body
    assert "post_filter" not in body
    clause = body["knn"]
    assert clause["field"] == "chunks.vector"
    assert clause["filter"][0] == access.es_filter()
    assert clause["k"] == 10
    assert body["size"] == 10


def test_the_member_filter_names_only_visible_matters() -> None:
    (visibility,) = hybrid.knn_clause(VECTOR, MEMBER)["filter"]
    terms = [f for f in visibility["bool"]["filter"] if "terms" in f]
    assert terms == [{"terms": {"matter_id": ["A"]}}]


def test_request_filters_of_a_lexical_body_join_the_access_filter_once() -> None:
    body = build_query(SearchRequest(q="lease", language="de", court="BGH"), MEMBER)
    clause = hybrid.knn_clause(VECTOR, MEMBER, hybrid.request_filters(body))
    assert clause["filter"][0] == MEMBER.es_filter()
    assert clause["filter"].count(MEMBER.es_filter()) == 1
    assert {"term": {"language": "de"}} in clause["filter"]
    assert {"term": {"court": "BGH"}} in clause["filter"]


def test_num_candidates_is_bounded() -> None:
    assert hybrid.num_candidates(10) == 15
    assert hybrid.num_candidates(100) == 150
    assert hybrid.num_candidates(900) == hybrid.MAX_NUM_CANDIDATES
    assert hybrid.num_candidates(5000) == 5000  # never fewer than k
    with pytest.raises(ValueError, match="k must be"):
        hybrid.knn_clause(VECTOR, MEMBER, k=0)


def test_rrf_scores_are_sums_of_reciprocal_ranks() -> None:
    fused = hybrid.fuse(_hits("a", "b", "c"), _hits("c", "d"), size=10, method="rrf")
    scores = {h["_id"]: h["_score"] for h in fused}
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["d"] == pytest.approx(1 / 62)
    assert [h["_id"] for h in fused] == ["c", "a", "b", "d"]  # b and d tie: lexical first


def test_ties_keep_the_lexical_order_and_size_cuts() -> None:
    fused = hybrid.fuse(_hits("a", "b"), _hits("x", "y"), size=3, method="rrf")
    assert [h["_id"] for h in fused] == ["a", "x", "b"]


def test_a_duplicate_in_one_list_scores_once() -> None:
    fused = hybrid.fuse(_hits("a", "a", "b"), [], size=5, method="rrf")
    assert [h["_id"] for h in fused] == ["a", "b"]
    assert fused[1]["_score"] == pytest.approx(1 / 63)
    lexical = [*_scored(("a", 4.0), ("a", 9.0), ("b", 2.0))]
    fused = hybrid.fuse(lexical, [], size=5, weight=0.5)  # the first hit of a counts
    assert [(h["_id"], h["_score"]) for h in fused] == [("a", 0.5), ("b", 0.0)]


def _scored(*pairs: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"_id": i, "_score": s} for i, s in pairs]


def test_the_linear_blend_weighs_min_max_normalised_scores() -> None:
    lexical = _scored(("a", 12.0), ("b", 7.0), ("c", 2.0))  # normalised 1, 0.5, 0
    knn = _scored(("c", 0.9), ("d", 0.8), ("e", 0.5))  # normalised 1, 0.75, 0
    fused = hybrid.fuse(lexical, knn, size=10, weight=0.2)
    scores = {h["_id"]: h["_score"] for h in fused}
    assert scores == pytest.approx({"a": 0.2, "b": 0.1, "c": 0.8, "d": 0.6, "e": 0.0})
    assert [h["_id"] for h in fused] == ["c", "d", "a", "b", "e"]
    assert hybrid.fuse(lexical, knn, size=10, weight=1.0)[0]["_id"] == "a"  # words only
    assert hybrid.fuse(lexical, knn, size=10, weight=0.0)[0]["_id"] == "c"  # meaning only


def test_a_list_of_equal_scores_counts_them_all_as_its_best() -> None:
    # one lexical hit (a docket number that names one document) is the lexical list's best,
    # not its worst: it keeps its share
    fused = hybrid.fuse(_scored(("a", 3.0)), _scored(("b", 0.9), ("c", 0.4)), size=3, weight=0.3)
    scores = {h["_id"]: h["_score"] for h in fused}
    assert scores == pytest.approx({"a": 0.3, "b": 0.7, "c": 0.0})


def test_the_linear_blend_breaks_ties_in_the_lexical_order() -> None:
    fused = hybrid.fuse(
        _scored(("a", 1.0), ("b", 0.0)), _scored(("x", 1.0), ("y", 0.0)), size=4, weight=0.5
    )
    assert [h["_id"] for h in fused] == ["a", "x", "b", "y"]


@pytest.mark.parametrize(("method", "weight"), [("borda", 0.2), ("linear", 1.5), ("rrf", -0.1)])
def test_an_unknown_fusion_or_weight_is_refused(method: str, weight: float) -> None:
    with pytest.raises(ValueError, match=r"fusion|weight"):
        hybrid.fuse([], [], size=1, method=method, weight=weight)


def test_the_shipped_weight_is_the_settings_default() -> None:
    from lexstream.gateway.settings import GatewaySettings

    fields = GatewaySettings.model_fields
    assert fields["search_lexical_weight"].default == hybrid.LEXICAL_WEIGHT
    assert fields["search_fusion"].default == hybrid.FUSIONS[0] == "linear"


def test_the_lexical_hit_is_kept_and_the_best_chunk_added() -> None:
    lexical = [{"_id": "a", "_score": 3.0, "highlight": {"x": ["<em>y</em>"]}, "sort": [3.0]}]
    knn = [
        {
            "_id": "a",
            "_score": 0.9,
            "inner_hits": {"chunks": {"hits": {"hits": [{"fields": {"chunks": [{"page": [4]}]}}]}}},
        }
    ]
    (hit,) = hybrid.fuse(lexical, knn, size=1)
    assert hit["highlight"] == {"x": ["<em>y</em>"]}
    assert hit["best_chunk"] == {"page": 4}
    assert "sort" not in hit


def test_fused_result_counts_documents_only_the_knn_found() -> None:
    lexical = {"hits": {"total": {"value": 7}, "hits": _hits("a", "b")}, "aggregations": {"f": 1}}
    vector = {"hits": {"hits": _hits("b", "c", "d")}}
    result = hybrid.fused_result(lexical, vector, size=2)
    assert result["hits"]["total"]["value"] == 9
    assert result["lexical_total"] == 7  # what the words alone found (0: only by meaning)
    # b is in both lists (0.2 + 0.8); c, first of the kNN's others (0.8), beats a (0.2)
    assert [h["_id"] for h in result["hits"]["hits"]] == ["b", "c"]
    assert result["more"]
    rrf = hybrid.fused_result(lexical, vector, size=2, method="rrf")
    assert [h["_id"] for h in rrf["hits"]["hits"]] == ["b", "a"]  # 1/61 beats 1/62
    assert result["aggregations"] == {"f": 1}


def test_hybrid_applies_to_relevance_free_text_queries_and_their_hybrid_pages() -> None:
    assert hybrid.applies("lease", "relevance", None)
    assert hybrid.applies("lease", "relevance", hybrid.encode_offset(10))
    assert not hybrid.applies("lease", "date", None)
    assert not hybrid.applies("lease", "relevance", "WzEuMCwiYSJd")  # a lexical cursor
    assert not hybrid.applies("  ", "relevance", None)


@pytest.mark.parametrize(
    ("q", "text"),
    [
        ("liability of the carrier", "liability of the carrier"),
        ("court:BGH Haftung des Halters", "Haftung des Halters"),
        ('-court:"Court of Appeal" lease', "lease"),
        ('"due process"', None),  # a phrase keeps its strict meaning
        ("lease AND rent", None),
        ("lease -rent", None),
        ("negligen*", None),
        ("court:BGH", None),  # only fields: nothing to embed
        ('court:"unclosed', None),  # malformed: the lexical half says what is wrong
        ("", None),
    ],
)
def test_only_the_free_text_of_a_query_without_operators_is_embedded(
    q: str, text: str | None
) -> None:
    assert hybrid.semantic_text(q) == text


def test_excluded_fields_are_excluded_from_the_knn_half_too() -> None:
    body = build_query(SearchRequest(q='-court:"Court of Appeal" lease'), MEMBER)
    filters = hybrid.request_filters(body)
    assert {"bool": {"must_not": body["query"]["bool"]["must_not"]}} in filters
    clause = hybrid.knn_clause(VECTOR, MEMBER, filters)
    assert clause["filter"][0] == MEMBER.es_filter()
    assert clause["filter"][-1]["bool"]["must_not"]


def test_hybrid_pages_are_offsets_into_the_fusion() -> None:
    lexical = {"hits": {"total": {"value": 5}, "hits": _hits("a", "b", "c", "d", "e")}}
    vector = {"hits": {"hits": _hits("x", "y")}}
    first = hybrid.fused_result(lexical, vector, size=3)
    second = hybrid.fused_result(lexical, vector, size=3, offset=3)
    last = hybrid.fused_result(lexical, vector, size=3, offset=6)
    ids = [h["_id"] for r in (first, second, last) for h in r["hits"]["hits"]]
    assert sorted(ids) == ["a", "b", "c", "d", "e", "x", "y"]  # each once, none lost
    assert (first["more"], second["more"], last["more"]) == (True, True, False)


@pytest.mark.parametrize("cursor", ["h.", "h.x", "h.-1", "h.0", f"h.{hybrid.MAX_DEPTH}", "h.1e3"])
def test_a_hybrid_cursor_this_gateway_did_not_make_is_refused(cursor: str) -> None:
    with pytest.raises(ValueError, match="search_after"):
        hybrid.decode_offset(cursor)


def test_hybrid_cursors_round_trip_and_lexical_ones_are_not_hybrid() -> None:
    assert hybrid.decode_offset(hybrid.encode_offset(20)) == 20
    assert hybrid.decode_offset(None) is None
    assert hybrid.decode_offset("WzEuMCwiYSJd") is None


def test_the_retriever_body_fuses_with_the_filter_in_the_knn() -> None:
    body = build_query(SearchRequest(q="lease"), MEMBER)
    retriever = hybrid.retriever_body(body, VECTOR, MEMBER, method="rrf")["retriever"]["rrf"]
    assert retriever["rank_constant"] == 60
    knn = retriever["retrievers"][1]["knn"]
    assert knn["filter"][0] == MEMBER.es_filter()
    linear = hybrid.retriever_body(body, VECTOR, MEMBER, weight=0.3)["retriever"]["linear"]
    lexical, nearest = linear["retrievers"]
    assert (lexical["weight"], nearest["weight"]) == pytest.approx((0.3, 0.7))
    assert lexical["normalizer"] == nearest["normalizer"] == "minmax"
    assert nearest["retriever"]["knn"]["filter"][0] == MEMBER.es_filter()


def test_the_ranking_half_has_no_highlights_and_the_page_query_finds_knn_only_hits() -> None:
    body = build_query(SearchRequest(q="carrier liability", size=10), MEMBER)
    assert "inner_hits" in json.dumps(body["query"])  # the lexical query highlights pages
    ranked = hybrid.ranking_body(body, 100)
    assert "inner_hits" not in json.dumps(ranked["query"])
    assert (ranked["size"], ranked["_source"]) == (100, False)
    assert ranked["aggs"] == body["aggs"]  # the facets still come from the ranking half
    page = hybrid.page_body(body, ["a", "b"])
    query = page["query"]["bool"]
    assert query["filter"][0] == MEMBER.es_filter()  # the caller's visibility first
    assert {"ids": {"values": ["a", "b"]}} in query["filter"]
    assert query["should"] == body["query"]["bool"]["must"]  # optional: kNN-only hits too
    assert "must" not in query
    assert page["size"] == 2
    assert "aggs" not in page


def test_page_hits_keep_the_fused_order_score_and_passage() -> None:
    fused = [
        {"_id": "b", "_score": 0.03, "best_chunk": {"page": 4}},
        {"_id": "gone", "_score": 0.02},
        {"_id": "a", "_score": 0.01},
    ]
    shown = [
        {"_id": "a", "_score": 9.0, "_source": {"title": "A"}},
        {"_id": "b", "_score": 1.0, "_source": {"title": "B"}, "inner_hits": {"pages": {}}},
    ]
    merged = hybrid.with_pages(fused, shown)
    assert [(h["_id"], h["_score"]) for h in merged] == [("b", 0.03), ("a", 0.01)]
    assert merged[0]["best_chunk"] == {"page": 4}
    assert merged[0]["inner_hits"] == {"pages": {}}

from __future__ import annotations

import re
from datetime import date

import pytest
from tests.unit.gateway.searching import ADMIN, search_body

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import (
    AUTHORITY_ROOTS,
    BadSearch,
    SearchRequest,
    build_query,
    cites_filter,
    decode_cursor,
    encode_cursor,
    jurisdiction_tree,
    normalize_cites,
    shape_response,
)
from lexstream.gateway.stores import Role

MEMBER = Access(
    Principal(
        subject="m",
        tenant="t",
        roles={"A": Role.VIEWER, "B": Role.OWNER},
        screened=frozenset({"B"}),
    )
)


def test_every_query_carries_the_access_filter() -> None:
    body = search_body(MEMBER, q="contract")
    filters = body["query"]["bool"]["filter"]
    assert filters[0] == MEMBER.es_filter()
    assert {"terms": {"matter_id": ["A"]}} in filters[0]["bool"]["filter"]


def test_screen_beats_grant() -> None:
    assert MEMBER.allows("t", "A")
    assert not MEMBER.allows("t", "B")
    assert not MEMBER.allows("other-tenant", "A")
    assert ADMIN.allows("t", None)


def test_filters_and_highlights() -> None:
    body = search_body(q='"due process"', jurisdiction="EU/", date_from=date(2020, 1, 1))
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"jurisdiction": "EU"}} in filters
    assert {"range": {"decision_date": {"gte": "2020-01-01"}}} in filters
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[0]["nested"]["path"] == "pages"
    assert should[1]["nested"]["path"] == "segments"


def test_inverted_dates_are_a_bad_request() -> None:
    with pytest.raises(BadSearch):
        search_body(date_from=date(2021, 1, 1), date_to=date(2020, 1, 1))


def test_cursor_round_trip_and_garbage() -> None:
    assert decode_cursor(encode_cursor([1.5, "abc"])) == [1.5, "abc"]
    with pytest.raises(BadSearch):
        decode_cursor("!!!not-a-cursor")


def test_jurisdiction_tree_rolls_counts_up() -> None:
    tree = jurisdiction_tree(
        [
            {"key": "EU", "doc_count": 1},
            {"key": "EU/DE", "doc_count": 2},
            {"key": "US/FED", "doc_count": 3},
        ]
    )
    by_path = {node["path"]: node for node in tree}
    assert by_path["EU"]["count"] == 3
    assert by_path["EU"]["children"][0]["path"] == "EU/DE"
    assert by_path["US"]["count"] == 3


@pytest.mark.parametrize(
    "form", ["Art. 6 DSGVO", "article 6 du RGPD", "Article 6 GDPR", "art. 6 AVG", "Art. 6 RGPD"]
)
def test_cites_of_any_surface_form_of_a_provision_is_one_authority(form: str) -> None:
    clause = cites_filter(form)
    ids = [c for c in clause.get("bool", {}).get("should", [clause]) if "terms" in c]
    assert ids == [{"terms": {"authorities": ["eu:celex:32016R0679/art:6"]}}]


def test_cites_of_something_that_is_no_citation_is_a_bad_search() -> None:
    with pytest.raises(BadSearch, match="not a citation"):
        cites_filter("the weather in Luxembourg")


def test_cites_spacing_variants_compare_equal() -> None:
    assert normalize_cites("410  U. S. 113") == normalize_cites("410 U.S. 113")


@pytest.mark.parametrize(
    ("authority_id", "whole"),
    [
        ("eu:celex:32016R0679", True),
        ("uk:nc:2020/UKSC/5", True),
        ("us:reporter:410/US/113", True),
        ("coe:ets:005", True),
        ("eu:celex:32016R0679/art:6", False),
        ("eu:celex:32016R0679/art:6/para:1/point:f", False),
        ("uk:nc:2020/UKSC/5/para:50", False),
        ("de:act:BGB/par:823/abs:1", False),
    ],
)
def test_the_authority_facet_counts_wholes_not_provisions(authority_id: str, whole: bool) -> None:
    # Lucene's regexp matches the whole term, as fullmatch does for this pattern
    assert bool(re.fullmatch(AUTHORITY_ROOTS, authority_id)) is whole
    body = build_query(SearchRequest(q="x"), ADMIN)
    assert body["aggs"]["authority"]["terms"] == {
        "field": "authorities",
        "size": 20,
        "include": AUTHORITY_ROOTS,
    }


def test_authority_filters_by_the_id_and_the_facet_is_shaped() -> None:
    body = build_query(SearchRequest(authority="eu:celex:32016R0679"), ADMIN)
    assert {"term": {"authorities": "eu:celex:32016R0679"}} in body["query"]["bool"]["filter"]
    result = {
        "hits": {"total": {"value": 0}, "hits": []},
        "aggregations": {"authority": {"buckets": [{"key": "coe:ets:005", "doc_count": 3}]}},
    }
    assert shape_response(result, 10)["facets"]["authority"] == [
        {"value": "coe:ets:005", "count": 3}
    ]

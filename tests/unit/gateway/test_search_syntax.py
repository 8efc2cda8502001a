"""Fielded syntax in q (query_syntax) and the ranked/strict text query of build_query."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from tests.unit.gateway.searching import search_body
from tests.unit.gateway.test_search_query import MEMBER

from lexstream.gateway.query_syntax import FIELDS
from lexstream.gateway.search import (
    RANKED_MINIMUM_SHOULD_MATCH,
    BadSearch,
    SearchRequest,
    relaxed_q,
    shape_suggestion,
    spelling_candidate,
    spelling_check_query,
    suggest_instead,
    suggestion_query,
)

# field -> (value as typed, the filter it must become)
EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "court": (
        "UKSC",
        {
            "bool": {
                "should": [
                    {"term": {"court": "UKSC"}},
                    {"term": {"court_id": "uksc"}},
                    {"match_phrase": {"court.text": "UKSC"}},
                ],
                "minimum_should_match": 1,
            }
        },
    ),
    "judge": ("Matthews", {"match_phrase": {"judges": "Matthews"}}),
    "party": (
        "Hessen",
        {
            "bool": {
                "should": [
                    {"match_phrase": {"parties": "Hessen"}},
                    {"match_phrase": {"party_roles.name": "Hessen"}},
                ],
                "minimum_should_match": 1,
            }
        },
    ),
    "cites": (
        "ECLI:EU:C:2014:317",
        {  # the authority's canonical id, or the citation's normal form (older documents)
            "bool": {
                "should": [
                    {"terms": {"authorities": ["ecli:EU:C:2014:317"]}},
                    {"term": {"cites": "ECLI:EU:C:2014:317"}},
                ],
                "minimum_should_match": 1,
            }
        },
    ),
    "jurisdiction": ("eu/de/", {"term": {"jurisdiction": "EU/DE"}}),
    "type": ("Statute", {"term": {"doc_type": "statute"}}),
    "date": ("2019", {"range": {"decision_date": {"gte": "2019-01-01", "lte": "2019-12-31"}}}),
    "identifier": ("C-129/21", {"terms": {"identifier_keys": ["c-129/21"]}}),
    "language": ("DE", {"term": {"language": "de"}}),
}
QUOTED = {
    "court": ("Court of Appeal", {"match_phrase": {"court.text": "Court of Appeal"}}),
    "judge": ("Paul Matthews", {"match_phrase": {"judges": "Paul Matthews"}}),
    "party": ("Land Hessen", {"match_phrase": {"parties": "Land Hessen"}}),
    "cites": ("Regulation (EU) 2016/679", None),
    "date": (
        "[2019 TO 2021]",
        {"range": {"decision_date": {"gte": "2019-01-01", "lte": "2021-12-31"}}},
    ),
}
FREE_TEXT = ["", "insurance exclusion", "+breach -waiver", '"due process"']


def _filters(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body["query"]["bool"]["filter"])


def _free_text(body: dict[str, Any]) -> str | None:
    must = body["query"]["bool"]["must"][0]
    if "match_all" in must:
        return None
    required = must["bool"]["must"][0]["bool"]["should"][0]["simple_query_string"]
    return str(required["query"])


def _contains(haystack: dict[str, Any], needle: dict[str, Any]) -> bool:
    return json.dumps(needle, sort_keys=True)[1:-1] in json.dumps(haystack, sort_keys=True)


@pytest.mark.parametrize(
    ("field", "text", "before"),
    list(itertools.product(sorted(EXPECTED), FREE_TEXT, [True, False])),
)
def test_every_field_becomes_its_filter_with_any_free_text(
    field: str, text: str, before: bool
) -> None:
    value, expected = EXPECTED[field]
    fielded = f"{field}:{value}"
    q = f"{fielded} {text}" if before else f"{text} {fielded}"
    body = search_body(MEMBER, q=q)
    filters = _filters(body)
    assert filters[0] == MEMBER.es_filter()  # the access filter stays first, untouched
    assert expected in filters
    assert _free_text(body) == (text or None)  # the fielded term is out of the text


@pytest.mark.parametrize(("field", "text"), list(itertools.product(sorted(QUOTED), FREE_TEXT)))
def test_quoted_values(field: str, text: str) -> None:
    value, expected = QUOTED[field]
    body = search_body(MEMBER, q=f'{field}:"{value}" {text}'.strip())
    filters = _filters(body)
    assert filters[0] == MEMBER.es_filter()
    if expected is not None:
        assert any(_contains(f, expected) for f in filters[1:])
    else:  # cites: through normalize_cites, spacing variants equal
        assert (
            filters[1]
            == search_body(q='cites:"Regulation  (EU)  2016/679"')["query"]["bool"]["filter"][1]
        )
    assert _free_text(body) == (text or None)


@pytest.mark.parametrize(
    ("value", "bounds"),
    [
        ("2019", {"gte": "2019-01-01", "lte": "2019-12-31"}),
        ("2020-02", {"gte": "2020-02-01", "lte": "2020-02-29"}),
        ("2019-05-03", {"gte": "2019-05-03", "lte": "2019-05-03"}),
        ("[2019 TO 2021]", {"gte": "2019-01-01", "lte": "2021-12-31"}),
        ("[2019-01-01 TO *]", {"gte": "2019-01-01"}),
        ("[* TO 2019-06]", {"lte": "2019-06-30"}),
        ("[2019 to 2019]", {"gte": "2019-01-01", "lte": "2019-12-31"}),
    ],
)
def test_date_forms(value: str, bounds: dict[str, str]) -> None:
    body = search_body(q=f"date:{value} damages")
    assert {"range": {"decision_date": bounds}} in _filters(body)


def test_all_fields_together_and_with_parameters() -> None:
    q = " ".join(f"{f}:{EXPECTED[f][0]}" for f in sorted(EXPECTED)) + " unfair dismissal"
    body = search_body(MEMBER, q=q, court="Family Court")
    filters = _filters(body)
    assert filters[0] == MEMBER.es_filter()
    assert {"term": {"court": "Family Court"}} in filters  # the parameter still applies
    for field in EXPECTED:
        assert EXPECTED[field][1] in filters
    assert _free_text(body) == "unfair dismissal"


@pytest.mark.parametrize("negation", ["-court:UKSC", "NOT court:UKSC"])
def test_a_negated_field_excludes(negation: str) -> None:
    body = search_body(q=f"damages {negation}")
    assert body["query"]["bool"]["must_not"] == [EXPECTED["court"][1]]
    assert EXPECTED["court"][1] not in _filters(body)
    assert _free_text(body) == "damages"


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("foo:bar contract", "unknown field 'foo'"),
        ("Judges:Smith", "unknown field 'Judges'"),
        ("date:[2021 TO 2019]", "starts after it ends"),
        ("date:[2019 2021]", "not a range"),
        ("date:[2019 TO 2021", "no closing"),
        ("date:19", "not a year"),
        ("date:2019-13", "not a real date"),
        ("date:2019-02-30", "not a real date"),
        ("date:*", "no date"),
        ('court:"Court of Appeal', "no closing quote"),
        ('"due process', "unbalanced quote"),
        ('contract "due process" "breach', "unbalanced quote"),
        ("cites:nonsense", "not a citation"),
        ("court:" + "x" * 301, "longer than 300"),
    ],
)
def test_bad_queries_say_what_is_wrong(q: str, message: str) -> None:
    with pytest.raises(BadSearch, match=message):
        search_body(q=q)


def test_an_unknown_field_names_the_known_ones() -> None:
    with pytest.raises(BadSearch) as caught:
        search_body(q="foo:bar")
    for field in FIELDS:
        assert f"{field}:" in str(caught.value)


@pytest.mark.parametrize(
    "q",
    [
        "ECLI:EU:C:2014:317",
        "ecli:de:bgh:2013:171213uvizr211.12.0",
        "celex:62021CJ0129",
        "see https://eur-lex.europa.eu/x",
        "EU:C:2014:317",
        "held: the appeal fails",
        "10:30 hearing",
    ],
)
def test_identifiers_and_colons_stay_free_text(q: str) -> None:
    body = search_body(q=q)
    assert _free_text(body) == q
    assert _filters(body) == [search_body()["query"]["bool"]["filter"][0]]


def _required(body: dict[str, Any]) -> dict[str, Any]:
    clause: dict[str, Any] = body["query"]["bool"]["must"][0]["bool"]["must"][0]["bool"]["should"][
        0
    ]["simple_query_string"]
    return clause


@pytest.mark.parametrize("access", [MEMBER, search_body.__defaults__[0]])  # type: ignore[index]
@pytest.mark.parametrize(
    "q", ["contract breach damages mitigation", '"due process"', "+a -b", "court:UKSC x", "x"]
)
def test_the_access_filter_is_in_every_built_query(access: Any, q: str) -> None:
    body = search_body(access, q=q)
    assert body["query"]["bool"]["filter"][0] == access.es_filter()
    asked = suggestion_query(SearchRequest(q=q), access)
    assert asked is not None
    assert asked[1]["query"]["bool"]["filter"][0] == access.es_filter()
    check = spelling_check_query(SearchRequest(q=q), "some candidate", access)
    assert check["query"]["bool"]["filter"][0] == access.es_filter()


def test_ranked_query_needs_most_terms_over_the_whole_document() -> None:
    body = search_body(q="contract breach damages mitigation")
    required = _required(body)
    assert required["default_operator"] == "or"
    assert required["minimum_should_match"] == RANKED_MINIMUM_SHOULD_MATCH
    assert "content" in required["fields"]
    assert "content.*" in required["fields"]
    assert any(f.startswith("title^") for f in required["fields"])
    assert any(f.startswith("case_numbers^") for f in required["fields"])
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    # the pages name the best pages but are not required
    pages = [c for c in should if c.get("nested", {}).get("path") == "pages"]
    assert pages
    assert "inner_hits" in pages[0]["nested"]
    assert pages[0]["nested"]["query"]["simple_query_string"]["default_operator"] == "or"
    assert any(c.get("multi_match", {}).get("type") == "phrase" for c in should)


@pytest.mark.parametrize(
    "q", ['"due process"', "+contract +breach", "contract -waiver", "a | b", "a AND b", "NOT a b"]
)
def test_operators_keep_their_strict_meaning(q: str) -> None:
    body = search_body(q=q)
    required = _required(body)
    assert required["default_operator"] == "and"
    assert "minimum_should_match" not in required
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert not any("multi_match" in c for c in should)


def test_cost_caps_still_apply_to_the_free_text() -> None:
    with pytest.raises(BadSearch, match="fuzzy"):
        search_body(q="court:UKSC a~2 b~2 c~2 d~2")


@pytest.mark.parametrize(
    ("q", "relaxed"),
    [
        ("contract breach", "contract | breach"),
        ("+contract +breach", "contract | breach"),
        ('"due process" court:UKSC', "due | process"),
        ("a AND b", "a | b"),
        ("contract", None),
        ("court:UKSC", None),
        # a phrase's slop and a fuzzy word's ~ are not words
        ('"breach clause"~3', "breach | clause"),
        ("liabilty~1 carrier", "liabilty | carrier"),
        # what q excludes is never offered as what to look for
        ("+breach -clause", "breach"),
        ("breach NOT clause", "breach"),
        ("-clause", None),
        ("breach breach", "breach"),
    ],
)
def test_relaxed_q(q: str, relaxed: str | None) -> None:
    assert relaxed_q(q) == relaxed


def _fake_search(
    suggested: str | None, spelled_total: int, relaxed_total: int
) -> tuple[list[dict[str, Any]], Any]:
    seen: list[dict[str, Any]] = []

    async def search(body: dict[str, Any]) -> dict[str, Any]:
        seen.append(body)
        if "suggest" in body:
            options = [{"text": suggested}] if suggested else []
            return {
                "hits": {"total": {"value": relaxed_total}},
                "suggest": {"spelling": [{"text": "contrcat", "options": options}]},
            }
        return {"hits": {"total": {"value": spelled_total}}}

    return seen, search


async def test_a_spelling_is_offered_only_when_it_finds_something_visible() -> None:
    seen, search = _fake_search("contract", spelled_total=3, relaxed_total=5)
    req = SearchRequest(q="contrcat breach")
    assert await suggest_instead(search, req, MEMBER) == {
        "q": "contract breach",
        "kind": "spelling",
        "total": 3,
    }
    # the check requires every word, under the caller's access
    assert _required(seen[1])["query"] == "+contract +breach"
    assert all(b["query"]["bool"]["filter"][0] == MEMBER.es_filter() for b in seen)
    # a candidate the caller may not see: the relaxed q instead
    seen, search = _fake_search("secret", spelled_total=0, relaxed_total=5)
    assert await suggest_instead(search, req, MEMBER) == {
        "q": "contrcat | breach",
        "kind": "relaxed",
        "total": 5,
    }
    seen, search = _fake_search(None, spelled_total=0, relaxed_total=0)
    assert await suggest_instead(search, req, MEMBER) is None
    assert len(seen) == 1


def test_spelling_candidate_replaces_the_misspelt_words() -> None:
    result = {"suggest": {"spelling": [{"text": "tenent", "options": [{"text": "tenant"}]}]}}
    assert spelling_candidate(result, "landlord +tenent") == "landlord +tenant"
    assert spelling_candidate({"suggest": {"spelling": []}}, "landlord") is None
    assert shape_suggestion({"hits": {"total": {"value": 0}}}, "a | b") is None

"""Finding 5 (one viewer key stalls search) and 8 (a tampered cursor is a 503): query caps.

The caps are checked on the query as simple_query_string reads it, before anything reaches
Elasticsearch; a query over a cap is a 400 that says which cap.
"""

from __future__ import annotations

import base64
import math

import pytest
from tests.unit.gateway.searching import search_body

from lexstream.gateway.limits import AuthFailures, InFlight, TooManyRequests
from lexstream.gateway.search import (
    BadSearch,
    QueryCaps,
    check_query_cost,
    decode_cursor,
    encode_cursor,
    query_shape,
)

CAPS = QueryCaps(
    max_terms=10, max_fuzzy_terms=2, max_prefix_terms=2, min_prefix_chars=3, max_slop=5
)


def _nested(body: dict[str, object], path: str) -> dict[str, object]:
    should = body["query"]["bool"]["must"][0]["bool"]["should"]  # type: ignore[index]
    (clause,) = [c for c in should if c.get("nested", {}).get("path") == path]
    nested: dict[str, object] = clause["nested"]
    return nested


@pytest.mark.parametrize(
    ("q", "terms", "fuzzy", "prefixes", "slops"),
    [
        ("contract breach", 2, (), (), ()),
        ("contarct~2 | breach~", 2, ("contarct", "breach"), (), ()),
        ("contract~0 breach~x", 2, (), (), ()),  # Lucene: 0 or not a number = not fuzzy
        ("negligen* +(appeal | -tort)", 3, (), ("negligen",), ()),
        ('"due process"~3 court', 3, (), (), (3,)),
        ('"due process~2" e-mail', 3, (), (), ()),  # inside a phrase, ~ is no operator
        (r"foo\~2 bar\*", 2, (), (), ()),  # escaped operators are literal
    ],
)
def test_query_shape_reads_simple_query_string_syntax(
    q: str, terms: int, fuzzy: tuple[str, ...], prefixes: tuple[str, ...], slops: tuple[int, ...]
) -> None:
    shape = query_shape(q)
    assert (shape.terms, shape.fuzzy, shape.prefixes, shape.slops) == (
        terms,
        fuzzy,
        prefixes,
        slops,
    )


def test_finding5_the_300_fuzzy_term_flood_is_refused() -> None:
    flood = "|".join(["qu~2"] * 300)
    with pytest.raises(BadSearch, match=r"300 fuzzy terms \(word~N\); at most 3"):
        search_body(q=flood)


def test_finding5_fuzzy_terms_over_the_cap_are_refused() -> None:
    assert check_query_cost("contarct~2 breach~1", CAPS).fuzzy == ("contarct", "breach")
    with pytest.raises(BadSearch, match="3 fuzzy terms"):
        check_query_cost("contarct~2 breach~1 damges~", CAPS)


def test_finding5_prefix_terms_over_the_cap_or_too_short_are_refused() -> None:
    assert check_query_cost("negl* contr*", CAPS).prefixes == ("negl", "contr")
    with pytest.raises(BadSearch, match="3 prefix terms"):
        check_query_cost("negl* contr* appe*", CAPS)
    with pytest.raises(BadSearch, match=r"at least 3 characters before '\*'"):
        check_query_cost("co*", CAPS)
    with pytest.raises(BadSearch, match="too short"):
        check_query_cost("*", CAPS)


def test_finding5_too_many_terms_and_wide_slops_are_refused() -> None:
    check_query_cost(" ".join(["word"] * 10), CAPS)
    with pytest.raises(BadSearch, match="11 terms; at most 10"):
        check_query_cost(" | ".join(["word"] * 11), CAPS)
    with pytest.raises(BadSearch, match="11 terms"):  # words in phrases count too
        check_query_cost('"' + " ".join(["word"] * 11) + '"', CAPS)
    with pytest.raises(BadSearch, match="slop"):
        check_query_cost('"due process"~6', CAPS)


def test_finding5_fuzzy_expansions_are_bounded_in_every_text_clause() -> None:
    body = search_body(caps=QueryCaps(fuzzy_max_expansions=7), q="contract")
    should = body["query"]["bool"]["must"][0]["bool"]["should"]
    clauses = [_nested(body, "pages")["query"], _nested(body, "segments")["query"], should[2]]
    assert [c["simple_query_string"]["fuzzy_max_expansions"] for c in clauses] == [7, 7, 7]  # type: ignore[index]


def test_finding5_fuzzy_queries_are_highlighted_by_their_literal_words() -> None:
    """The highlighter rebuilds a fuzzy term's automaton per hit and field: seconds a query."""
    plain = _nested(search_body(q="contract"), "pages")
    assert "highlight_query" not in plain["inner_hits"]["highlight"]  # type: ignore[index]
    fuzzy = _nested(search_body(q="contarct~2 +breach"), "pages")
    highlight = fuzzy["inner_hits"]["highlight"]  # type: ignore[index]
    assert highlight["highlight_query"]["simple_query_string"]["query"] == "contarct +breach"
    assert highlight["fields"]["pages.text"]["no_match_size"] > 0  # a page still shows text
    # the query itself stays fuzzy
    assert fuzzy["query"]["simple_query_string"]["query"] == "contarct~2 +breach"  # type: ignore[index]


def _raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "raw",
    [
        '[NaN, "x"]',
        '[Infinity, "x"]',
        '[-Infinity, "x"]',
        "[1.5, 2]",
        '["x", "y"]',
        '[true, "x"]',
        '[1, ["x"]]',
        '[1, {"a": 1}]',
        "[1]",
        '[1, "x", 2]',
    ],
)
def test_finding8_tampered_search_after_is_a_bad_request(raw: str) -> None:
    with pytest.raises(BadSearch, match="search_after"):
        decode_cursor(_raw_cursor(raw))
    with pytest.raises(BadSearch, match="search_after"):
        search_body(search_after=_raw_cursor(raw))


def test_cursors_the_gateway_hands_out_still_decode() -> None:
    for values in ([1.25, "doc-1"], [-9223372036854775808, "doc-2"], [1700000000000, "d"]):
        assert decode_cursor(encode_cursor(values)) == values
    assert not math.isnan(decode_cursor(encode_cursor([0.0, "d"]))[0])


def test_finding5_in_flight_searches_are_bounded_per_caller() -> None:
    limit = InFlight(bound=2, retry_after_s=1.5)
    with limit.slot("k"), limit.slot("k"):
        with pytest.raises(TooManyRequests) as refused, limit.slot("k"):
            pass
        assert refused.value.retry_after == "2"
        with limit.slot("other"):  # another caller is not affected
            assert limit.running("other") == 1
    assert limit.running("k") == 0
    with limit.slot("k"):  # the slots came back, also after an error inside one
        pass
    with pytest.raises(RuntimeError), limit.slot("k"):
        raise RuntimeError
    assert limit.running("k") == 0


def test_finding5_failed_authentications_are_limited_per_address() -> None:
    failures = AuthFailures(rate=0.01, burst=3)
    for _ in range(3):
        failures.check("10.0.0.1")
        failures.failed("10.0.0.1")
    with pytest.raises(TooManyRequests, match="failed authentication") as refused:
        failures.check("10.0.0.1")
    assert int(refused.value.retry_after) >= 1
    failures.check("10.0.0.2")  # another address is not affected

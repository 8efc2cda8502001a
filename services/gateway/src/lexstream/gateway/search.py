"""Search: the Elasticsearch query for ``GET /v1/search`` and the shaping of its answer."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from lexstream.gateway.access import Access
from lexstream.gateway.query_syntax import FieldTerm, operator_words, parse_query
from lexstream.shared.legal import normalize_citation
from lexstream.shared.legal.authorities import lookup as lookup_authorities
from lexstream.shared.neardup import GROUP_FIELD

FACET_FIELDS = {
    "court": "court",
    "doc_type": "doc_type",
    "language": "language",
    "matter_id": "matter_id",
}


#: Authority ids of wholes: the root and slash-segments without a level (``uk:nc:2020/UKSC/5``),
#: not provisions (``.../art:6``).
AUTHORITY_ROOTS = "[^/]+(/[^/:]+)*"


class BadSearch(ValueError):
    """A search request the caller must fix (answered with 400)."""


@dataclass(frozen=True)
class SearchRequest:
    q: str | None = None
    jurisdiction: str | None = None
    court: str | None = None
    doc_type: str | None = None
    language: str | None = None
    matter_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    cites: str | None = None
    identifier: str | None = None
    authority: str | None = None
    sort: str = "relevance"
    size: int = 10
    search_after: str | None = None
    # one hit per near-duplicate group (Elasticsearch field collapsing on its key)
    collapse: bool = False
    # only inclusive e-mails (lexstream.shared.threads); documents that are no e-mail stay
    inclusive: bool | None = None


def cites_filter(value: str) -> dict[str, Any]:
    """Documents that cite ``value``: any surface form of an authority or a provision
    ('Art. 6 DSGVO', 'article 6 du RGPD', 'Article 6(1)(f) GDPR' are one provision; a
    provision also finds the documents that cite a finer pinpoint of it), or the citation's
    normal form (documents indexed before authority ids existed have only that)."""
    ids = [a.id for a in lookup_authorities(value)]
    normalized = normalize_citation(value)
    clauses: list[dict[str, Any]] = []
    if ids:
        clauses.append({"terms": {"authorities": list(dict.fromkeys(ids))}})
    if normalized is not None:
        clauses.append({"term": {"cites": normalized}})
    if not clauses:
        raise BadSearch(f"cites: {value!r} is not a citation lexstream recognises")
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def normalize_cites(value: str) -> str:
    """The index's normal form of a citation, so spacing and punctuation variants match."""
    normalized = normalize_citation(value)
    if normalized is None:
        raise BadSearch(f"cites: {value!r} is not a citation lexstream recognises")
    return normalized


#: the longest ``q`` tried as an identifier too (identifiers are short)
MAX_IDENTIFIER_CHARS = 300


def identifier_keys(value: str) -> list[str]:
    """The index's keys (``identifier_keys``) an identifier typed by a caller may have: the
    value itself and, where lexstream reads it as a citation ('ecli:de:bgh:...', 'EU:C:2014:317',
    'CELEX 62021CJ0129'), its normal form; white space squashed and case folded, as
    lexstream.index.documents.identifier_key stores them."""
    keys: list[str] = []
    for form in (value, normalize_citation(value)):
        key = " ".join((form or "").split()).casefold()
        if key and key not in keys:
            keys.append(key)
    return keys


def encode_cursor(sort_values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(sort_values).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadSearch("search_after is not a cursor returned by a previous search") from exc
    # [score or date, document_id]: a tampered cursor (NaN, a list, a number for the id) is
    # the caller's error, not a failure of Elasticsearch's
    if (
        not isinstance(values, list)
        or len(values) != 2
        or not isinstance(values[0], int | float)
        or isinstance(values[0], bool)
        or not math.isfinite(values[0])
        or not isinstance(values[1], str)
    ):
        raise BadSearch("search_after is not a cursor returned by a previous search")
    return values


@dataclass(frozen=True)
class QueryCaps:
    """How much one ``q`` may ask of Elasticsearch (GatewaySettings.query_*).

    Fuzzy terms are the expensive kind: each becomes a Levenshtein automaton per field (the
    text has a sub-field per language), and highlighting builds it again for every hit
    highlighted; one ``word~2`` costs more than a hundred plain words.
    """

    max_terms: int = 64
    max_fuzzy_terms: int = 3
    max_prefix_terms: int = 5
    min_prefix_chars: int = 2
    max_slop: int = 20
    fuzzy_max_expansions: int = 20


@dataclass(frozen=True)
class QueryShape:
    """What a simple_query_string asks for, counted the way its parser reads it."""

    terms: int
    fuzzy: tuple[str, ...]
    prefixes: tuple[str, ...]
    slops: tuple[int, ...]
    literal: str  # the query with the fuzzy operators taken out (for highlighting)


_OPERATORS = frozenset('"|+()')


def _unescaped(word: str, char: str) -> int:
    """The index of the first ``char`` in ``word`` not escaped by a backslash, or -1."""
    i = 0
    while i < len(word):
        if word[i] == "\\":
            i += 2
            continue
        if word[i] == char:
            return i
        i += 1
    return -1


def query_shape(q: str) -> QueryShape:
    """Terms, fuzzy terms (``word~N``), prefixes (``pre*``) and phrase slops of ``q``.

    Follows Lucene's SimpleQueryParser: ``"`` opens a phrase (``"a b"~N`` is a slop), ``|``
    ``+`` ``(`` ``)`` are operators anywhere, ``-`` at the start of a term is NOT, ``\\``
    escapes the next character; a term ends at white space or an operator.
    """
    terms = 0
    fuzzy: list[str] = []
    prefixes: list[str] = []
    slops: list[int] = []
    literal: list[str] = []
    i, n = 0, len(q)
    while i < n:
        char = q[i]
        if char == '"':
            end = q.find('"', i + 1)
            end = n if end < 0 else end
            terms += len(q[i + 1 : end].split())
            stop = end + 1
            if stop < n and q[stop] == "~":
                digits = stop + 1
                while digits < n and q[digits].isdigit():
                    digits += 1
                if digits > stop + 1:
                    slops.append(int(q[stop + 1 : digits]))
                stop = digits
            literal.append(q[i:stop])
            i = stop
            continue
        if char.isspace() or char in _OPERATORS or char == "-":
            literal.append(char)
            i += 1
            continue
        start = i
        while i < n and not q[i].isspace() and q[i] not in _OPERATORS:
            i += 2 if q[i] == "\\" else 1
        word = q[start:i]
        tilde = _unescaped(word, "~")
        if tilde >= 0:  # Lucene: "~" alone is 2 edits, "~N" is N, anything else 0
            word, suffix = word[:tilde], word[tilde + 1 :]
            edits = 2 if not suffix else int(suffix) if suffix.isdigit() else 0
            if edits and word.strip("*"):
                fuzzy.append(word)
        literal.append(word)
        if word.endswith("*") and not word.endswith("\\*"):
            prefixes.append(word.rstrip("*"))
        if word.strip("*-"):
            terms += 1
    return QueryShape(terms, tuple(fuzzy), tuple(prefixes), tuple(slops), "".join(literal))


def check_query_cost(q: str, caps: QueryCaps) -> QueryShape:
    """The shape of ``q``, or :class:`BadSearch` saying which cap it is over."""
    shape = query_shape(q)
    if len(shape.fuzzy) > caps.max_fuzzy_terms:
        raise BadSearch(
            f"q has {len(shape.fuzzy)} fuzzy terms (word~N); "
            f"at most {caps.max_fuzzy_terms} are allowed"
        )
    if len(shape.prefixes) > caps.max_prefix_terms:
        raise BadSearch(
            f"q has {len(shape.prefixes)} prefix terms (word*); "
            f"at most {caps.max_prefix_terms} are allowed"
        )
    short = [p for p in shape.prefixes if len(p) < caps.min_prefix_chars]
    if short:
        raise BadSearch(
            f"a prefix term needs at least {caps.min_prefix_chars} characters before '*' "
            f"({short[0] + '*'!r} is too short)"
        )
    if shape.terms > caps.max_terms:
        raise BadSearch(f"q has {shape.terms} terms; at most {caps.max_terms} are allowed")
    if shape.slops and max(shape.slops) > caps.max_slop:
        raise BadSearch(f'a phrase slop ("..."~N) may be at most {caps.max_slop}')
    return shape


def _text_query(q: str, fields: list[str], caps: QueryCaps) -> dict[str, Any]:
    return {
        "simple_query_string": {
            "query": q,
            "fields": fields,
            "default_operator": "and",
            "flags": "ALL",
            "fuzzy_max_expansions": caps.fuzzy_max_expansions,
        }
    }


def _page_highlight(shape: QueryShape, fields: list[str], caps: QueryCaps) -> dict[str, Any]:
    """Highlights of a nested hit. For a fuzzy query the highlighter is given the literal
    words instead (its cost is an automaton per fuzzy term, field and hit: seconds for one
    ``word~2``), and a hit that matched only through a variant shows the start of its page."""
    options = {"number_of_fragments": 2, "fragment_size": 160}
    highlight: dict[str, Any] = {"fields": dict.fromkeys(fields, options)}
    if shape.fuzzy:
        highlight["highlight_query"] = _text_query(shape.literal, fields, caps)
        highlight["fields"] = {
            name: {**options, "no_match_size": 160 if name == fields[0] else 0} for name in fields
        }
    return highlight


HIT_SOURCE = [
    "document_id",
    "title",
    "filename",
    "jurisdiction",
    "court",
    "decision_date",
    "doc_type",
    "language",
    "matter_id",
    "kind",
    "parent_document_id",
    "identifiers",
]


def _identifier_query(q: str) -> list[dict[str, Any]]:
    """A ``q`` that is exactly one of a document's identifiers finds that document first."""
    if len(q) > MAX_IDENTIFIER_CHARS:
        return []
    keys = identifier_keys(q.strip('"'))
    return [{"terms": {"identifier_keys": keys, "boost": 20.0}}] if keys else []


#: The whole document's text: the content with its language and parts sub-fields, and the
#: fields that name it, boosted (a word of the title or a party's name says more than one of
#: the body). Each term is matched against all of them, so the terms may sit on different
#: pages and in different fields.
DOCUMENT_FIELDS = [
    "content",
    "content.*",
    "title^4",
    "parties^3",
    "judges^2",
    "court.text^2",
    "case_numbers^3",
    "filename^2",
]
#: How many of a ranked query's terms a document must have, as Aleph asks: 66 %, rounded
#: down (1 of 2 or 3 words, 2 of 4, 3 of 5, 6 of 10); more of them, close together and in the
#: naming fields rank higher. Tuned on the dev half of bench/search/queries.tsv (nDCG@10
#: 0.456 against 0.436 for "2<-34%", i.e. all of two and a third missing, and 0.417 for
#: "3<-25%").
RANKED_MINIMUM_SHOULD_MATCH = "66%"
#: Words of the query near each other (within this many positions) rank a document higher.
PHRASE_SLOP = 3
PHRASE_BOOST = 2.0


def _document_query(q: str, caps: QueryCaps, strict: bool) -> dict[str, Any]:
    """``q`` over the whole document: with its operators strictly (every term required
    unless ``|`` says otherwise), or ranked, most but not all terms required."""
    query: dict[str, Any] = {
        "query": q,
        "fields": DOCUMENT_FIELDS,
        "default_operator": "and" if strict else "or",
        "flags": "ALL",
        "lenient": True,
        "fuzzy_max_expansions": caps.fuzzy_max_expansions,
    }
    if not strict:
        query["minimum_should_match"] = RANKED_MINIMUM_SHOULD_MATCH
    return {"simple_query_string": query}


def _proximity_query(text: str) -> dict[str, Any]:
    """The query's words close together, in the document's text (any of its analyzers)."""
    return {
        "multi_match": {
            "query": text,
            "type": "phrase",
            "slop": PHRASE_SLOP,
            "fields": ["content", "content.*", "title"],
            "boost": PHRASE_BOOST,
        }
    }


def _nested_text(path: str, q: str, shape: QueryShape, caps: QueryCaps, strict: bool) -> Any:
    """The best pages (or seconds) of a hit, for its highlights; scores but never required."""
    fields = [f"{path}.text", f"{path}.text.*"]
    if path == "segments":  # an interpreted turn is found in either of its languages
        fields += ["segments.paired_text", "segments.paired_text.*"]
    query = _text_query(q, fields, caps)
    if not strict:
        query["simple_query_string"]["default_operator"] = "or"
    source = (
        ["pages.number"] if path == "pages" else ["segments.start", "segments.end", "segments.cite"]
    )
    if strict:
        highlight = _page_highlight(shape, fields, caps)
    else:
        # A ranked query matches many pages of many hits: highlighting each in every
        # language sub-field cost seconds for 100 hits; the main field alone is a fifth of
        # that, and a page matched only through a stem still shows its start.
        highlight = _page_highlight(shape, fields[:1], caps)
        highlight["fields"][fields[0]] = {**highlight["fields"][fields[0]], "no_match_size": 160}
    return {
        "nested": {
            "path": path,
            "score_mode": "max",
            "query": query,
            "inner_hits": {
                "size": 3,
                "_source": source,
                "highlight": highlight,
            },
        }
    }


def _field_filter(term: FieldTerm) -> dict[str, Any]:
    """The filter a fielded term of ``q`` stands for: the same as the request parameter of
    that name (``court``, ``doc_type``, ``language``, ``jurisdiction``, ``cites``,
    ``identifier``, ``date_from``/``date_to``); judges and parties by name, as a phrase."""
    value = term.value
    if term.field == "court":
        # the parameter's exact court name, or its id (uksc, ewca-civ), or words of its name
        return {
            "bool": {
                "should": [
                    {"term": {"court": value}},
                    {"term": {"court_id": value.casefold()}},
                    {"match_phrase": {"court.text": value}},
                ],
                "minimum_should_match": 1,
            }
        }
    if term.field == "judge":
        return {"match_phrase": {"judges": value}}
    if term.field == "party":
        return {
            "bool": {
                "should": [
                    {"match_phrase": {"parties": value}},
                    {"match_phrase": {"party_roles.name": value}},
                ],
                "minimum_should_match": 1,
            }
        }
    if term.field == "cites":
        return cites_filter(value)
    if term.field == "jurisdiction":
        return {"term": {"jurisdiction": value.strip("/").upper()}}
    if term.field == "type":
        return {"term": {"doc_type": value.casefold()}}
    if term.field == "language":
        return {"term": {"language": value.casefold()}}
    if term.field == "identifier":
        return {"terms": {"identifier_keys": identifier_keys(value)}}
    if term.field == "date":
        bounds = {}
        if term.start:
            bounds["gte"] = term.start.isoformat()
        if term.end:
            bounds["lte"] = term.end.isoformat()
        return {"range": {"decision_date": bounds}}
    raise BadSearch(f"{term.field}: is not a field")  # parse_query knows no other


def _spelling_suggester(text: str) -> dict[str, Any]:
    """Spelling candidates for the free text's words from the index's own words. The term
    suggester sees every document, whoever asks: a candidate is offered only once a search
    under the caller's access (``spelling_check_query``) finds it."""
    return {
        "text": text,
        "spelling": {
            "term": {"field": "content", "suggest_mode": "missing", "size": 1, "sort": "score"}
        },
    }


def spelling_candidate(result: dict[str, Any], text: str) -> str | None:
    """``text`` with each word the suggester knows a better one for replaced; None if none."""
    words = text.split()
    changed = False
    for entry in result.get("suggest", {}).get("spelling", []):
        options = entry.get("options") or []
        original = str(entry.get("text", ""))
        if not options or not original:
            continue
        for k, word in enumerate(words):
            core = word.strip('"+-|()')
            if core and core.casefold() == original.casefold():
                words[k] = word.replace(core, str(options[0]["text"]), 1)  # operators stay
                changed = True
                break
    return " ".join(words) if changed else None


def spelling_check_query(
    req: SearchRequest, candidate: str, access: Access, caps: QueryCaps = QueryCaps()
) -> dict[str, Any]:
    """A count of what ``candidate`` finds with every word required, under the caller's
    access and the request's filters: a candidate that finds nothing is not offered."""
    strict = " ".join("+" + w.strip('"+-|()') for w in candidate.split() if w.strip('"+-|()'))
    body = build_query(
        replace(req, q=strict, size=0, sort="relevance", search_after=None), access, caps
    )
    body.pop("aggs", None)
    return body


def relaxed_q(q: str | None) -> str | None:
    """A looser ``q`` to offer when ``q`` found nothing: any one of its free words
    (``a | b``), without fielded terms, quotes, slop or fuzziness, ``+``, and without the
    words ``q`` excludes (``-word``, ``NOT word``); None where there is no looser one."""
    if not q or not q.strip():
        return None
    parsed = parse_query(operator_words(q.strip()), BadSearch)
    words: list[str] = []
    excluded = False  # the word after NOT, or a -word: what q excludes is not offered
    for token in parsed.text.split():
        if token == "NOT":
            excluded = True
            continue
        word = re.sub(r"~\d*$", "", token.strip('"()+|'))  # a phrase's slop, a fuzzy word's ~
        if token.lstrip('"(').startswith("-") or excluded:
            excluded = False
            continue
        word = word.strip('"()+|')
        if word and word not in {"AND", "OR"} and word not in words:
            words.append(word)
    if not words:
        return None
    relaxed = " | ".join(words)
    return relaxed if relaxed != q.strip() else None


def suggestion_query(
    req: SearchRequest, access: Access, caps: QueryCaps = QueryCaps()
) -> tuple[str | None, dict[str, Any]] | None:
    """For a search that found nothing: the relaxed ``q`` and a body that counts what it
    finds (under the same parameters and the caller's access) and asks for a spelling
    correction of the free text; None where ``q`` has no free text."""
    if not req.q or not req.q.strip():
        return None
    text = parse_query(operator_words(req.q.strip()), BadSearch).text
    if not text:
        return None
    relaxed = relaxed_q(req.q)
    body = build_query(
        replace(req, q=relaxed or text, size=0, sort="relevance", search_after=None),
        access,
        caps,
    )
    body.pop("aggs", None)
    body["suggest"] = _spelling_suggester(query_shape(text).literal)
    return relaxed, body


def shape_suggestion(result: dict[str, Any], relaxed: str | None) -> dict[str, Any] | None:
    """The relaxed query as a suggestion, when it finds something."""
    total = result.get("hits", {}).get("total", {}).get("value", 0)
    if relaxed and total:
        return {"q": relaxed, "kind": "relaxed", "total": total}
    return None


async def suggest_instead(
    search: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    req: SearchRequest,
    access: Access,
    caps: QueryCaps = QueryCaps(),
) -> dict[str, Any] | None:
    """What to offer for a search that found nothing (``SearchSuggestion``): a spelling
    correction that finds something the caller may see, else the relaxed q when it finds
    something. ``search`` runs a body (under the caller's access: every body built here
    carries the access filter); two searches at most."""
    asked = suggestion_query(req, access, caps)
    if asked is None:
        return None
    relaxed, body = asked
    result = await search(body)
    candidate = spelling_candidate(result, body["suggest"]["text"])
    if candidate:
        check = await search(spelling_check_query(req, candidate, access, caps))
        found = check["hits"]["total"]["value"]
        if found:
            return {"q": candidate, "kind": "spelling", "total": found}
    return shape_suggestion(result, relaxed)


def build_query(
    req: SearchRequest, access: Access, caps: QueryCaps = QueryCaps()
) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [access.es_filter()]
    excluded: list[dict[str, Any]] = []
    if req.q is not None and len(req.q) > 2000:
        raise BadSearch("q is longer than 2000 characters")
    if req.jurisdiction:
        filters.append({"term": {"jurisdiction": req.jurisdiction.strip("/")}})
    for name in ("court", "doc_type", "language", "matter_id"):
        value = getattr(req, name)
        if value:
            filters.append({"term": {name: value}})
    if req.date_from or req.date_to:
        if req.date_from and req.date_to and req.date_from > req.date_to:
            raise BadSearch("date_from is after date_to")
        bounds = {}
        if req.date_from:
            bounds["gte"] = req.date_from.isoformat()
        if req.date_to:
            bounds["lte"] = req.date_to.isoformat()
        filters.append({"range": {"decision_date": bounds}})
    if req.cites:
        filters.append(cites_filter(req.cites))
    if req.authority:
        # an id as the authority facet names it: documents citing it or a pinpoint of it
        filters.append({"term": {"authorities": req.authority}})
    if req.inclusive is not None:
        # an e-mail that another message of its thread contains is left out (or, false,
        # only those are kept); documents that are no e-mail have no flag and stay
        filters.append({"bool": {"must_not": {"term": {"inclusive": not req.inclusive}}}})
    if req.identifier is not None:
        keys = identifier_keys(req.identifier)
        if not keys:
            raise BadSearch("identifier must not be empty")
        filters.append({"terms": {"identifier_keys": keys}})

    text = ""
    if req.q and req.q.strip():
        parsed = parse_query(operator_words(req.q.strip()), BadSearch)
        for term in parsed.terms:
            (excluded if term.negated else filters).append(_field_filter(term))
        text = parsed.text
    if text:
        strict = parse_query(text, BadSearch).strict
        shape = check_query_cost(text, caps)
        identifier = _identifier_query(text)
        required = [_document_query(text, caps, strict)]
        if identifier:
            required.append(
                {"terms": {"identifier_keys": identifier[0]["terms"]["identifier_keys"]}}
            )
        must: dict[str, Any] = {
            "bool": {
                "must": [{"bool": {"should": required, "minimum_should_match": 1}}],
                "should": [
                    _nested_text("pages", text, shape, caps, strict),
                    _nested_text("segments", text, shape, caps, strict),
                    _text_query(text, ["title^2", "filename", "parties"], caps),
                    *identifier,
                    *([] if strict else [_proximity_query(shape.literal)]),
                ],
            }
        }
        if not strict:
            # the fields that name a document, any of the words (scored, not required)
            must["bool"]["should"][2]["simple_query_string"]["default_operator"] = "or"
    else:
        must = {"match_all": {}}

    if req.sort == "date":
        sort: list[Any] = [
            {"decision_date": {"order": "desc", "missing": "_last"}},
            {"document_id": "asc"},
        ]
    elif req.sort == "relevance":
        sort = ["_score", {"document_id": "asc"}]
    else:
        raise BadSearch("sort must be 'relevance' or 'date'")

    query: dict[str, Any] = {"bool": {"must": [must], "filter": filters}}
    if excluded:
        query["bool"]["must_not"] = excluded
    body: dict[str, Any] = {
        "query": query,
        "size": req.size,
        "sort": sort,
        "track_total_hits": True,
        "_source": HIT_SOURCE,
        "aggs": {
            **{
                name: {"terms": {"field": field, "size": 50}}
                for name, field in FACET_FIELDS.items()
            },
            "jurisdiction": {"terms": {"field": "jurisdiction.raw", "size": 500}},
            # the cited authorities as wholes (an act, a case, a treaty), not their provisions
            "authority": {
                "terms": {"field": "authorities", "size": 20, "include": AUTHORITY_ROOTS}
            },
            # decisions by year, for the workspace's date histogram
            "decision_year": {
                "date_histogram": {
                    "field": "decision_date",
                    "calendar_interval": "year",
                    "format": "yyyy",
                    "min_doc_count": 1,
                }
            },
        },
    }
    if req.search_after:
        body["search_after"] = decode_cursor(req.search_after)
    if req.collapse:
        if req.search_after:
            raise BadSearch("collapse=near_duplicates has no next page (search_after)")
        # every document written since near-duplicates exist has a group key (its own id
        # when it has no near-duplicate), so documents without one are not lumped together
        body["collapse"] = {"field": GROUP_FIELD}
    return body


def more_like_this_query(index: str, document_id: str, access: Access, size: int) -> dict[str, Any]:
    """Documents like one the caller may see (checked by the caller of this function)."""
    return {
        "query": {
            "bool": {
                "must": [
                    {
                        "more_like_this": {
                            "fields": ["content", "title"],
                            "like": [{"_index": index, "_id": document_id}],
                            "min_term_freq": 1,
                            "min_doc_freq": 1,
                            "max_query_terms": 40,
                        }
                    }
                ],
                "filter": [access.es_filter()],
            }
        },
        "size": size,
        "_source": HIT_SOURCE,
        "track_total_hits": True,
    }


def suggest_query(prefix: str, access: Access, size: int) -> dict[str, Any]:
    """Titles, parties and courts that start with what the caller typed."""
    prefix = prefix.strip()
    if not prefix:
        raise BadSearch("q must not be empty")
    return {
        "query": {
            "bool": {
                "must": [
                    {
                        "multi_match": {
                            "query": prefix,
                            "type": "phrase_prefix",
                            "fields": ["title", "parties", "court.text", "filename"],
                        }
                    }
                ],
                "filter": [access.es_filter()],
            }
        },
        "size": size,
        "_source": ["document_id", "title", "filename", "court"],
    }


def shape_suggestions(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": hit["_source"].get("document_id", hit["_id"]),
            "text": hit["_source"].get("title") or hit["_source"].get("filename"),
            "court": hit["_source"].get("court"),
        }
        for hit in result["hits"]["hits"]
    ]


def jurisdiction_tree(buckets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Roll leaf counts up into a tree: a parent counts its children's documents."""
    nodes: dict[str, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for bucket in buckets:
        parts = str(bucket["key"]).split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            node = nodes.get(path)
            if node is None:
                node = {"path": path, "count": 0, "children": []}
                nodes[path] = node
                if depth == 1:
                    roots.append(node)
                else:
                    nodes["/".join(parts[: depth - 1])]["children"].append(node)
            node["count"] += bucket["doc_count"]
    return roots


def _highlights(hit: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    inner = hit.get("inner_hits", {})
    for page in inner.get("pages", {}).get("hits", {}).get("hits", []):
        number = page.get("_source", {}).get("number")
        for fragments in page.get("highlight", {}).values():
            out.append({"page": number, "text": fragments[0]})
            break
    for segment in inner.get("segments", {}).get("hits", {}).get("hits", []):
        source = segment.get("_source", {})
        for fragments in segment.get("highlight", {}).values():
            out.append(
                {
                    "start": source.get("start"),
                    "end": source.get("end"),
                    "cite": source.get("cite"),
                    "text": fragments[0],
                }
            )
            break
    return out


def shape_response(result: dict[str, Any], size: int) -> dict[str, Any]:
    hits = result["hits"]["hits"]
    aggs = result.get("aggregations", {})
    facets: dict[str, Any] = {
        name: [
            {"value": b["key"], "count": b["doc_count"]}
            for b in aggs.get(name, {}).get("buckets", [])
        ]
        for name in FACET_FIELDS
    }
    facets["jurisdiction"] = jurisdiction_tree(aggs.get("jurisdiction", {}).get("buckets", []))
    facets["authority"] = [
        {"value": b["key"], "count": b["doc_count"]}
        for b in aggs.get("authority", {}).get("buckets", [])
    ]
    facets["decision_year"] = [
        {"value": b["key_as_string"], "count": b["doc_count"]}
        for b in aggs.get("decision_year", {}).get("buckets", [])
    ]
    shaped = []
    for hit in hits:
        source = hit.get("_source", {})
        shaped.append(
            {
                "document_id": source.get("document_id", hit["_id"]),
                "score": hit.get("_score"),
                "title": source.get("title") or source.get("filename"),
                "filename": source.get("filename"),
                "kind": source.get("kind"),
                "jurisdiction": source.get("jurisdiction"),
                "court": source.get("court"),
                "decision_date": source.get("decision_date"),
                "doc_type": source.get("doc_type"),
                "language": source.get("language"),
                "matter_id": source.get("matter_id"),
                "parent_document_id": source.get("parent_document_id"),
                "identifiers": source.get("identifiers") or [],
                "highlights": _highlights(hit),
                "passage": hit.get("best_chunk"),
            }
        )
    last_sort = hits[-1].get("sort") if hits else None
    next_cursor = encode_cursor(last_sort) if len(hits) == size and last_sort else None
    return {
        "total": result["hits"]["total"]["value"],
        "hits": shaped,
        "facets": facets,
        "next": next_cursor,
    }

"""Legal research over authority ids: the queries and the shaping behind routes_research.

Every citation the index resolved carries an authority id (``authority_id``, and every
coarser level in ``authorities``); every document carries the authorities it IS
(``own_authorities``: its ECLI, CELEX, an act's abbreviation, resolved alike, see
lexstream.index.authority_links). So:

- the authorities a document cites are its ``citations``, grouped by root authority, each
  linked to the document that holds it where the caller may see one;
- the documents citing an authority are a term query on ``authorities`` (a provision
  finds the documents citing any finer pinpoint of it), counted by jurisdiction and year;
- a matter's citation graph is its documents' citations.

Every query here takes the caller's access filter (:meth:`Access.es_filter`): a document
the caller may not see is never named, counted or linked.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lexstream.gateway.access import Access
from lexstream.shared.legal.authorities import Authority, AuthorityKind, lineage, resolve, within

#: the longest authority id a route takes (ids are short: a root and a few pinpoint levels)
MAX_AUTHORITY_ID_CHARS = 300
#: an authority id: a scheme ('eu', 'de', 'ecli', 'coe' ...), ':' and the rest, no spaces
AUTHORITY_ID = re.compile(r"^[a-z]{2,8}:[^\s]{1,290}$")
#: the most held documents one look-up names (one per authority is the rule)
MAX_HELD = 500
#: the most documents a matter's citation graph reads (beyond: ``truncated``)
MAX_GRAPH_DOCUMENTS = 10_000
GRAPH_PAGE = 500

SUMMARY_SOURCE = [
    "document_id",
    "title",
    "filename",
    "jurisdiction",
    "court",
    "decision_date",
    "doc_type",
    "language",
    "matter_id",
]
CITATION_FIELDS = (
    "raw",
    "normalized",
    "kind",
    "instrument",
    "pinpoint",
    "authority_id",
    "count",
    "page",
    "second",
    "context",
)
CITATION_SOURCE = [f"citations.{name}" for name in CITATION_FIELDS]
HELD_SOURCE = ["document_id", "title", "doc_type", "matter_id", "own_authorities"]

_CASE_PREFIXES = ("ecli:", "eu:case:", "uk:nc:", "uk:report:", "us:reporter:", "us:tcmemo:")
_INSTRUMENT_PREFIXES = ("coe:", "un:", "eu:treaty:", "eu:charter:", "eu:celex:1")
_JURISDICTIONS = {
    "eu": "EU",
    "de": "EU/DE",
    "fr": "EU/FR",
    "es": "EU/ES",
    "it": "EU/IT",
    "nl": "EU/NL",
    "uk": "UK",
    "us": "US",
    "coe": "INT/COE",
    "un": "INT",
}


class BadAuthority(ValueError):
    """An authority id that is not one (400)."""


def check_authority_id(authority_id: str) -> str:
    if len(authority_id) > MAX_AUTHORITY_ID_CHARS or not AUTHORITY_ID.match(authority_id):
        raise BadAuthority(
            "not an authority id: ids look like 'eu:celex:32016R0679/art:6' or "
            "'uk:nc:2020/UKSC/5'; look one up with GET /v1/authorities?q="
        )
    return authority_id


@dataclass(frozen=True, slots=True)
class _Stored:
    """A citation of a search document, as the resolver reads one."""

    raw: str
    kind: str
    normalized: str
    instrument: str | None
    pinpoint: str | None


def _stored(citation: Mapping[str, Any], *, whole: bool = False) -> _Stored:
    instrument = citation.get("instrument")
    normalized = str(citation.get("normalized") or citation.get("raw") or "")
    return _Stored(
        raw=str(citation.get("raw") or normalized),
        kind=str(citation.get("kind") or ""),
        normalized=str(instrument or normalized) if whole else normalized,
        instrument=instrument,
        pinpoint=None if whole else citation.get("pinpoint"),
    )


def kind_of(authority_id: str) -> AuthorityKind:
    """The kind an id names, read from its scheme (for ids no citation at hand describes)."""
    if len(lineage(authority_id)) > 1:
        return "provision"
    if authority_id.startswith(_CASE_PREFIXES) or re.match(r"^[a-z]+:(case|report):", authority_id):
        return "case"
    if authority_id.startswith(_INSTRUMENT_PREFIXES):
        return "instrument"
    return "legislation"


def jurisdiction_of(authority_id: str) -> str | None:
    scheme, _, rest = authority_id.partition(":")
    if scheme == "ecli":
        country = rest.split(":", 1)[0]
        return "EU" if country == "EU" else None
    return _JURISDICTIONS.get(scheme)


def from_id(authority_id: str, name: str | None = None) -> Authority:
    ids = lineage(authority_id)
    return Authority(
        authority_id,
        kind_of(authority_id),
        name or authority_id,
        jurisdiction_of(authority_id),
        ids[-2] if len(ids) > 1 else None,
    )


def root_of(citation: Mapping[str, Any]) -> Authority | None:
    """The whole authority a stored citation cites (the act of a provision, the judgment of
    a paragraph), re-read by the resolver for its kind and name; None if unresolved."""
    authority_id = citation.get("authority_id")
    if not authority_id:
        return None
    whole = _stored(citation, whole=True)
    # the resolver reads a citation's raw text only for a German docket's court
    raw = whole.raw if whole.kind == "de_case" else ""
    return _root(lineage(str(authority_id))[0], whole.kind, whole.instrument, whole.normalized, raw)


@lru_cache(maxsize=16_384)
def _root(root_id: str, kind: str, instrument: str | None, normalized: str, raw: str) -> Authority:
    """A whole authority, resolved once per distinct reading (a judgment cites the same act
    hundreds of times)."""
    found = resolve(_Stored(raw, kind, normalized, instrument, None))
    if found is not None and found.id == root_id:
        return found
    return from_id(root_id, instrument)


def describe(authority_id: str, citations: Iterable[Mapping[str, Any]]) -> Authority:
    """What an id is, from the citations of it at hand (the caller's own documents): the
    resolver's reading of one citing exactly it, else of its root, else of the id alone."""
    within_it = [c for c in citations if c.get("authority_id")]
    for citation in within_it:
        if citation["authority_id"] == authority_id:
            found = resolve(_stored(citation))
            if found is not None and found.id == authority_id:
                return found
    root_id = lineage(authority_id)[0]
    for citation in within_it:
        if within(str(citation["authority_id"]), root_id):
            root = root_of(citation)
            if root is not None and root.id == root_id:
                if authority_id == root_id:
                    return root
                below = authority_id[len(root_id) + 1 :]
                return Authority(
                    authority_id,
                    "provision",
                    f"{root.name}, {below}",
                    root.jurisdiction,
                    lineage(authority_id)[-2],
                )
    return from_id(authority_id)


def authority_fields(authority: Authority) -> dict[str, Any]:
    return {
        "id": authority.id,
        "kind": authority.kind,
        "name": authority.name,
        "jurisdiction": authority.jurisdiction,
        "parent": authority.parent,
        "lineage": list(authority.lineage),
    }


# --- held documents ----------------------------------------------------------------------


def held_query(
    authority_ids: Iterable[str], access: Access, *, exclude: str | None = None
) -> dict[str, Any]:
    """The visible documents that ARE any of ``authority_ids`` (or a coarser level of one)."""
    ids = sorted({level for authority_id in authority_ids for level in lineage(authority_id)})
    query: dict[str, Any] = {
        "bool": {"filter": [access.es_filter(), {"terms": {"own_authorities": ids}}]}
    }
    if exclude is not None:
        query["bool"]["must_not"] = [{"ids": {"values": [exclude]}}]
    return {
        "query": query,
        "size": MAX_HELD,
        "sort": [{"document_id": "asc"}],
        "_source": HELD_SOURCE,
    }


@dataclass(frozen=True)
class Held:
    """The documents that hold authorities, by authority id (one per id: of the preferred
    matter first, then the smallest document id)."""

    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, result: Mapping[str, Any], prefer_matter: str | None = None) -> Held:
        hits = [hit.get("_source", {}) for hit in result["hits"]["hits"]]
        hits.sort(key=lambda s: (s.get("matter_id") != prefer_matter, str(s.get("document_id"))))
        by_id: dict[str, dict[str, Any]] = {}
        for source in hits:
            summary = {
                "document_id": source.get("document_id"),
                "title": source.get("title"),
                "doc_type": source.get("doc_type"),
                "matter_id": source.get("matter_id"),
            }
            for own in source.get("own_authorities") or []:
                by_id.setdefault(own, summary)
        return cls(by_id)

    def link(self, authority_id: str) -> dict[str, Any] | None:
        """The held document of ``authority_id``'s finest held level, with the provision
        beneath it that the id names ('par:823/abs:1' of the BGB; None for the whole)."""
        for level in reversed(lineage(authority_id)):
            held = self.by_id.get(level)
            if held is not None:
                provision = authority_id[len(level) + 1 :] or None
                return {**held, "provision": provision}
        return None


# --- a document's authorities ------------------------------------------------------------


def _mention(citation: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": citation.get("authority_id"),
        "raw": citation.get("raw"),
        "normalized": citation.get("normalized"),
        "kind": citation.get("kind"),
        "pinpoint": citation.get("pinpoint"),
        "mentions": int(citation.get("count") or 1),
        "page": citation.get("page"),
        "second": citation.get("second"),
        "context": citation.get("context"),
        "treatments": list(citation.get("treatments") or []),
    }


def cited_roots(citations: Iterable[Mapping[str, Any]]) -> list[str]:
    """The whole authorities cited (documents hold whole authorities, never a part)."""
    return sorted({lineage(str(c["authority_id"]))[0] for c in citations if c.get("authority_id")})


def roots_of(authority_ids: Iterable[str]) -> list[str]:
    """The whole authorities of ids at any level (a search document's ``authorities``): the
    same as :func:`cited_roots` of its citations."""
    return sorted({lineage(str(a))[0] for a in authority_ids if a})


def document_authorities(citations: Sequence[Mapping[str, Any]], held: Held) -> dict[str, Any]:
    """A document's citations grouped by the authority they cite (the act, the case, the
    treaty), most mentioned first, each pinpoint with where it is cited and the document
    that holds it; citations that resolve to no authority kept apart with their raw text."""
    groups: dict[str, dict[str, Any]] = {}
    unresolved: list[dict[str, Any]] = []
    for citation in citations:
        mention = _mention(citation)
        root = root_of(citation)
        if root is None:
            unresolved.append(mention)
            continue
        group = groups.get(root.id)
        if group is None:
            group = {
                **authority_fields(root),
                "mentions": 0,
                "document": held.link(root.id),
                "pinpoints": [],
            }
            groups[root.id] = group
        group["mentions"] += mention["mentions"]
        link = held.link(str(mention["id"]))
        group["pinpoints"].append({**mention, "document": link})
    ordered = sorted(groups.values(), key=lambda g: -int(g["mentions"]))
    return {"authorities": ordered, "unresolved": unresolved}


# --- an authority's page -----------------------------------------------------------------


def citing_query(
    authority_id: str,
    access: Access,
    *,
    size: int,
    search_after: list[Any] | None = None,
) -> dict[str, Any]:
    """The visible documents citing ``authority_id`` or a finer pinpoint of it, newest first,
    with counts by jurisdiction and year; documents that ARE the authority (a statute's own
    cross-references) are not its citers."""
    root = lineage(authority_id)[0]
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "filter": [access.es_filter(), {"term": {"authorities": authority_id}}],
                "must_not": [{"term": {"own_authorities": root}}],
            }
        },
        "size": size,
        "sort": [
            {"decision_date": {"order": "desc", "missing": "_last"}},
            {"document_id": "asc"},
        ],
        "track_total_hits": True,
        "_source": [*SUMMARY_SOURCE, *CITATION_SOURCE],
        "aggs": {
            "jurisdiction": {"terms": {"field": "jurisdiction.raw", "size": 200}},
            "year": {
                "date_histogram": {
                    "field": "decision_date",
                    "calendar_interval": "year",
                    "format": "yyyy",
                    "min_doc_count": 1,
                }
            },
            "undated": {"missing": {"field": "decision_date"}},
        },
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def citing_documents(result: Mapping[str, Any], authority_id: str) -> list[dict[str, Any]]:
    """Each citing hit: its summary and its citations of the authority (or beneath it)."""
    shaped = []
    for hit in result["hits"]["hits"]:
        source = hit.get("_source", {})
        mentions = [
            _mention(c)
            for c in source.get("citations") or []
            if c.get("authority_id") and within(str(c["authority_id"]), authority_id)
        ]
        shaped.append(
            {
                **{name: source.get(name) for name in SUMMARY_SOURCE},
                "document_id": source.get("document_id", hit["_id"]),
                "title": source.get("title") or source.get("filename"),
                "mentions": sum(m["mentions"] for m in mentions),
                "citations": mentions,
            }
        )
    return shaped


def stored_citations(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every citation of the hits, as stored."""
    return [
        citation
        for hit in result["hits"]["hits"]
        for citation in hit.get("_source", {}).get("citations") or []
    ]


def counts(result: Mapping[str, Any]) -> dict[str, Any]:
    aggs = result.get("aggregations", {})
    return {
        "by_jurisdiction": [
            {"value": b["key"], "count": b["doc_count"]}
            for b in aggs.get("jurisdiction", {}).get("buckets", [])
        ],
        "by_year": [
            {"value": b["key_as_string"], "count": b["doc_count"]}
            for b in aggs.get("year", {}).get("buckets", [])
        ],
        "undated": aggs.get("undated", {}).get("doc_count", 0),
    }


# --- look-up -----------------------------------------------------------------------------


def cited_counts_query(authority_ids: Sequence[str], access: Access) -> dict[str, Any]:
    """How many visible documents cite each of ``authority_ids`` (or beneath it)."""
    return {
        "query": {"bool": {"filter": [access.es_filter()]}},
        "size": 0,
        "aggs": {
            "cited": {
                "filters": {
                    "filters": {
                        str(at): {"term": {"authorities": authority_id}}
                        for at, authority_id in enumerate(authority_ids)
                    }
                }
            }
        },
    }


def cited_counts(result: Mapping[str, Any], authority_ids: Sequence[str]) -> dict[str, int]:
    buckets = result.get("aggregations", {}).get("cited", {}).get("buckets", {})
    return {
        authority_id: int(buckets.get(str(at), {}).get("doc_count", 0))
        for at, authority_id in enumerate(authority_ids)
    }


# --- a matter's citation graph -----------------------------------------------------------


def graph_page_query(
    matter_id: str, access: Access, search_after: list[Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": {"bool": {"filter": [access.es_filter(), {"term": {"matter_id": matter_id}}]}},
        "size": GRAPH_PAGE,
        "sort": [{"document_id": "asc"}],
        "_source": [
            "document_id",
            "title",
            "filename",
            "doc_type",
            "own_authorities",
            *[
                f"citations.{name}"
                for name in ("raw", "normalized", "kind", "instrument", "pinpoint", "authority_id")
            ],
            "citations.count",
        ],
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


@dataclass
class Graph:
    """Documents and the authorities they cite: ``cites`` edges (document -> authority, with
    mentions), ``part_of`` (provision -> its whole authority) and ``is`` (authority -> the
    document of the matter that holds it)."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def node(self, node_id: str, **attributes: Any) -> None:
        self.nodes.setdefault(node_id, {"id": node_id, **attributes})

    def edge(self, source: str, target: str, relation: str, mentions: int = 0) -> None:
        key = (source, target, relation)
        self.edges[key] = self.edges.get(key, 0) + mentions


def document_node(document_id: str) -> str:
    return f"document:{document_id}"


def build_graph(documents: Iterable[Mapping[str, Any]]) -> Graph:
    graph = Graph()
    held: dict[str, str] = {}
    for source in documents:
        document_id = str(source.get("document_id"))
        node = document_node(document_id)
        graph.node(
            node,
            type="document",
            label=source.get("title") or source.get("filename") or document_id,
            kind=source.get("doc_type"),
        )
        for own in source.get("own_authorities") or []:
            held.setdefault(own, node)
        for citation in source.get("citations") or []:
            mentions = int(citation.get("count") or 1)
            root = root_of(citation)
            if root is None:
                target = f"citation:{citation.get('normalized') or citation.get('raw')}"
                graph.node(target, type="unresolved", label=citation.get("raw"), kind=None)
                graph.edge(node, target, "cites", mentions)
                continue
            authority_id = str(citation["authority_id"])
            graph.node(root.id, type="authority", label=root.name, kind=root.kind)
            if authority_id != root.id:
                graph.node(
                    authority_id,
                    type="authority",
                    label=citation.get("normalized") or authority_id,
                    kind="provision",
                )
                graph.edge(authority_id, root.id, "part_of")
            graph.edge(node, authority_id, "cites", mentions)
    for authority_id, holder in held.items():
        if authority_id in graph.nodes:
            graph.edge(authority_id, holder, "is")
    return graph


def graph_json(graph: Graph) -> dict[str, Any]:
    return {
        "nodes": list(graph.nodes.values()),
        "edges": [
            {"source": s, "target": t, "relation": r, "mentions": m}
            for (s, t, r), m in graph.edges.items()
        ],
    }


#: cells a spreadsheet would run as a formula (CSV injection): written with a leading
#: apostrophe, as the batch search export does (batch.FORMULA_STARTS)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GRAPH_CSV_COLUMNS = (
    "source",
    "source_type",
    "source_label",
    "target",
    "target_type",
    "target_label",
    "target_kind",
    "relation",
    "mentions",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def graph_csv(graph: Graph) -> str:
    """One row per edge, with both ends' type and label (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GRAPH_CSV_COLUMNS)
    for (source, target, relation), mentions in graph.edges.items():
        a, b = graph.nodes[source], graph.nodes[target]
        row = (
            source,
            a.get("type"),
            a.get("label"),
            target,
            b.get("type"),
            b.get("label"),
            b.get("kind"),
            relation,
            mentions,
        )
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_NODE_KEYS = ("type", "label", "kind")
_EDGE_KEYS = (("relation", "string"), ("mentions", "int"))
# Characters XML 1.0 cannot hold (control characters); a title may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: Any) -> str:
    return _NOT_XML.sub("\ufffd", str(value))


def graph_graphml(graph: Graph, name: str) -> bytes:
    """The graph as GraphML (directed), node and edge attributes declared as keys."""
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS})
    for key in _NODE_KEYS:
        ET.SubElement(
            root, "key", {"id": key, "for": "node", "attr.name": key, "attr.type": "string"}
        )
    for key, kind in _EDGE_KEYS:
        ET.SubElement(root, "key", {"id": key, "for": "edge", "attr.name": key, "attr.type": kind})
    body = ET.SubElement(root, "graph", {"id": _xml_text(name), "edgedefault": "directed"})
    for node_id, node in graph.nodes.items():
        element = ET.SubElement(body, "node", {"id": _xml_text(node_id)})
        for key in _NODE_KEYS:
            if node.get(key) is not None:
                ET.SubElement(element, "data", {"key": key}).text = _xml_text(node[key])
    for at, ((source, target, relation), mentions) in enumerate(graph.edges.items()):
        element = ET.SubElement(
            body,
            "edge",
            {"id": f"e{at}", "source": _xml_text(source), "target": _xml_text(target)},
        )
        ET.SubElement(element, "data", {"key": "relation"}).text = relation
        ET.SubElement(element, "data", {"key": "mentions"}).text = str(mentions)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data

"""The research shaping: grouping by authority, held links, descriptions, graph exports."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from lexstream.gateway import research
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.stores import Role

GDPR = "eu:celex:32016R0679"
POINT_F = f"{GDPR}/art:6/para:1/point:f"
VIEWER = Access(Principal(subject="v", tenant="acme", roles={"M-1": Role.VIEWER}))


def _citation(raw: str, kind: str, authority_id: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "raw": raw,
        "normalized": extra.pop("normalized", raw),
        "kind": kind,
        "instrument": extra.pop("instrument", None),
        "pinpoint": extra.pop("pinpoint", None),
        "authority_id": authority_id,
        "count": extra.pop("count", 1),
        **extra,
    }


DE = _citation(
    "Art. 6 Abs. 1 lit. f DSGVO",
    "eu_legislation",
    POINT_F,
    normalized="Regulation (EU) 2016/679, Art. 6(1)(f)",
    instrument="Regulation (EU) 2016/679",
    pinpoint="Art. 6(1)(f)",
    count=3,
    page=2,
    context="… nach Art. 6 Abs. 1 lit. f DSGVO rechtmäßig …",
)
ART_17 = _citation(
    "Article 17 GDPR",
    "eu_legislation",
    f"{GDPR}/art:17",
    normalized="Regulation (EU) 2016/679, Art. 17",
    instrument="Regulation (EU) 2016/679",
    pinpoint="Art. 17",
)
UKSC = _citation("[2020] UKSC 5", "uk_neutral", "uk:nc:2020/UKSC/5", instrument="[2020] UKSC 5")
LOOSE = _citation("Bull. civ. II, n° 123", "fr_report", None)


@pytest.mark.parametrize("good", [POINT_F, "uk:nc:2020/UKSC/5", "ecli:EU:C:2014:317"])
def test_authority_ids_are_checked(good: str) -> None:
    assert research.check_authority_id(good) == good


@pytest.mark.parametrize("bad", ["GDPR", "Art. 6 DSGVO", "eu: celex", "x" * 400, "EU:c:1"])
def test_what_is_not_an_authority_id_is_refused(bad: str) -> None:
    with pytest.raises(research.BadAuthority):
        research.check_authority_id(bad)


def test_an_id_alone_says_its_kind_parent_and_jurisdiction() -> None:
    provision = research.from_id(POINT_F)
    assert (provision.kind, provision.parent) == ("provision", f"{GDPR}/art:6/para:1")
    assert provision.jurisdiction == "EU"
    assert research.kind_of("uk:nc:2020/UKSC/5") == "case"
    assert research.kind_of("de:case:BGH/VI-ZR-211/12") == "case"
    assert research.kind_of("coe:ets:005") == "instrument"
    assert research.kind_of("de:act:BGB") == "legislation"
    assert research.jurisdiction_of("de:act:BGB") == "EU/DE"


def test_held_links_name_the_document_and_the_provision_in_it() -> None:
    result = {
        "hits": {
            "hits": [
                {"_source": {"document_id": "z", "matter_id": "M-9", "own_authorities": [GDPR]}},
                {"_source": {"document_id": "a", "matter_id": "M-1", "own_authorities": [GDPR]}},
            ]
        }
    }
    held = research.Held.of(result, prefer_matter="M-1")
    link = held.link(POINT_F)
    assert link is not None
    assert (link["document_id"], link["provision"]) == ("a", "art:6/para:1/point:f")
    whole = held.link(GDPR)
    assert whole is not None
    assert whole["provision"] is None
    assert held.link("uk:nc:2020/UKSC/5") is None
    # without a preference, the smallest document id
    assert research.Held.of(result).by_id[GDPR]["document_id"] == "a"


def test_a_documents_citations_are_grouped_by_the_authority_they_cite() -> None:
    held = research.Held({GDPR: {"document_id": "gdpr", "title": "GDPR"}})
    answer = research.document_authorities([UKSC, ART_17, DE, LOOSE], held)
    first, second = answer["authorities"]
    assert (first["id"], first["kind"], first["mentions"]) == (GDPR, "legislation", 4)
    assert first["document"]["document_id"] == "gdpr"
    assert [p["id"] for p in first["pinpoints"]] == [f"{GDPR}/art:17", POINT_F]
    point_f = first["pinpoints"][1]
    assert (point_f["page"], point_f["mentions"]) == (2, 3)
    assert point_f["document"]["provision"] == "art:6/para:1/point:f"
    assert (second["id"], second["kind"], second["document"]) == ("uk:nc:2020/UKSC/5", "case", None)
    assert [u["raw"] for u in answer["unresolved"]] == ["Bull. civ. II, n° 123"]


def test_an_authority_is_described_by_the_citations_at_hand() -> None:
    exact = research.describe(POINT_F, [DE])
    assert (exact.kind, exact.name) == ("provision", "Regulation (EU) 2016/679, Art. 6(1)(f)")
    coarser = research.describe(f"{GDPR}/art:6", [DE])
    assert coarser.kind == "provision"
    assert coarser.name.endswith(", art:6")
    assert coarser.parent == GDPR
    root = research.describe(GDPR, [DE])
    assert (root.kind, root.jurisdiction, root.parent) == ("legislation", "EU", None)
    alone = research.describe("uk:nc:2019/EWCA-Civ/1599", [DE])
    assert (alone.name, alone.kind) == ("uk:nc:2019/EWCA-Civ/1599", "case")


def test_every_query_carries_the_callers_filter() -> None:
    bodies = [
        research.citing_query(POINT_F, VIEWER, size=20),
        research.held_query([POINT_F], VIEWER),
        research.cited_counts_query([POINT_F], VIEWER),
        research.graph_page_query("M-1", VIEWER, None),
    ]
    for body in bodies:
        assert VIEWER.es_filter() in body["query"]["bool"]["filter"]
    citing = bodies[0]["query"]["bool"]
    assert {"term": {"authorities": POINT_F}} in citing["filter"]
    assert citing["must_not"] == [{"term": {"own_authorities": GDPR}}]
    assert bodies[1]["query"]["bool"]["filter"][1] == {
        "terms": {
            "own_authorities": sorted([GDPR, f"{GDPR}/art:6", f"{GDPR}/art:6/para:1", POINT_F])
        }
    }


def test_citing_hits_keep_only_their_citations_of_the_authority() -> None:
    result = {
        "hits": {
            "hits": [
                {"_id": "d1", "_source": {"document_id": "d1", "citations": [DE, UKSC, ART_17]}}
            ]
        }
    }
    [doc] = research.citing_documents(result, f"{GDPR}/art:6")
    assert [c["id"] for c in doc["citations"]] == [POINT_F]
    assert doc["mentions"] == 3
    counts = research.counts(
        {
            "aggregations": {
                "jurisdiction": {"buckets": [{"key": "EU/DE", "doc_count": 1}]},
                "year": {"buckets": [{"key_as_string": "2021", "doc_count": 1}]},
                "undated": {"doc_count": 0},
            }
        }
    )
    assert counts == {
        "by_jurisdiction": [{"value": "EU/DE", "count": 1}],
        "by_year": [{"value": "2021", "count": 1}],
        "undated": 0,
    }
    found = {"aggregations": {"cited": {"buckets": {"0": {"doc_count": 4}, "1": {"doc_count": 0}}}}}
    assert research.cited_counts(found, [POINT_F, GDPR]) == {POINT_F: 4, GDPR: 0}


def _matter() -> list[dict[str, Any]]:
    return [
        {"document_id": "brief", "title": "=HYPERLINK(evil)", "citations": [DE, LOOSE]},
        {
            "document_id": "gdpr",
            "title": "GDPR\x0b text",
            "own_authorities": [GDPR],
            "citations": [],
        },
    ]


def test_the_graph_links_documents_authorities_and_held_documents() -> None:
    graph = research.build_graph(_matter())
    edges = research.graph_json(graph)["edges"]
    found = {(e["source"], e["target"], e["relation"]): e["mentions"] for e in edges}
    assert found == {
        ("document:brief", POINT_F, "cites"): 3,
        (POINT_F, GDPR, "part_of"): 0,
        ("document:brief", "citation:Bull. civ. II, n° 123", "cites"): 1,
        (GDPR, "document:gdpr", "is"): 0,
    }
    assert graph.nodes[GDPR]["kind"] == "legislation"
    assert graph.nodes["citation:Bull. civ. II, n° 123"]["type"] == "unresolved"


def test_graph_exports_parse_and_do_not_run_as_formulas() -> None:
    graph = research.build_graph(_matter())
    rows = list(csv.DictReader(io.StringIO(research.graph_csv(graph))))
    assert len(rows) == len(graph.edges)
    labels = {r["source_label"] for r in rows}
    assert "'=HYPERLINK(evil)" in labels
    root = ET.fromstring(research.graph_graphml(graph, "matter:M-1"))
    ns = {"g": research.GRAPHML_NS}
    assert len(root.findall("g:graph/g:node", ns)) == len(graph.nodes)
    assert len(root.findall("g:graph/g:edge", ns)) == len(graph.edges)
    labels_xml = [
        d.text for d in root.iter(f"{{{research.GRAPHML_NS}}}data") if d.get("key") == "label"
    ]
    assert "GDPR\ufffd text" in labels_xml  # a control character XML cannot hold, replaced

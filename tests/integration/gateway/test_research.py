"""Legal research routes on the real Elasticsearch and S3 (issue 16, item 5).

Under an index prefix of this module's own, three documents go through the real Indexer
(text.json in S3, extraction, bulk write): a German brief in matter A citing 'Art. 6 Abs. 1
lit. f DSGVO', a French brief in matter B citing 'article 6, paragraphe 1, point f) du
RGPD' (the same provision), and the GDPR itself in matter A (its own CELEX makes it the
held document of that authority). A viewer of A sees only the German brief under the
provision and the GDPR linked; a viewer of B only the French one and no link (the GDPR is
in A); a third surface form ('Article 6(1)(f) GDPR') finds the authority; a member of both
matters screened from B sees nothing of B in any route.
"""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.support.gateway import (
    gateway_client,
    gateway_settings,
    own_indices,
    put_text,
    service_fields,
)

from lexstream.gateway.app import create_app
from lexstream.gateway.research import GRAPHML_NS
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared.events import TextExtracted
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RUN = str(time.time_ns())
MATTER_A, MATTER_B = f"RA-{RUN}", f"RB-{RUN}"
VIEWER_A, VIEWER_B, SCREENED = (f"research-{who}-{RUN}" for who in ("a", "b", "screened"))

GDPR = "eu:celex:32016R0679"
PROVISION = f"{GDPR}/art:6/para:1/point:f"

BRIEF_DE = [
    "Schriftsatz der Klägerin",
    "Die Videoüberwachung des Eingangsbereichs ist nach Art. 6 Abs. 1 lit. f DSGVO "
    "rechtmäßig, weil das berechtigte Interesse der Beklagten an der Sicherheit des Gebäudes "
    "die Interessen der Besucher überwiegt.",
]
BRIEF_FR = [
    "Mémoire en défense",
    "Le traitement des données des visiteurs est licite au titre de l'article 6, paragraphe "
    "1, point f) du RGPD, car l'intérêt légitime du responsable du traitement prévaut.",
]
REGULATION = [
    "REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL\nof 27 April 2016\n"
    "on the protection of natural persons with regard to the processing of personal data and "
    "on the free movement of such data, and repealing Directive 95/46/EC (General Data "
    "Protection Regulation)",
    "Article 6\nLawfulness of processing\n1. Processing shall be lawful only if and to the "
    "extent that at least one of the following applies: (f) processing is necessary for the "
    "purposes of the legitimate interests pursued by the controller.",
]


async def _text(store: ObjectStore, matter: str, name: str, pages: list[str]) -> TextExtracted:
    event: TextExtracted = await put_text(
        store, f"{name}-{RUN}", matter, pages, filename=f"{name}.txt"
    )
    return event


@pytest.fixture(scope="module")
async def own(settings: CommonSettings) -> AsyncIterator[CommonSettings]:
    """This module's index prefix, its indices removed at the end."""
    async with own_indices(settings, "research") as own:
        yield own


@pytest.fixture(scope="module")
async def documents(own: CommonSettings) -> dict[str, str]:
    """The three documents, indexed through the real Indexer: name -> document id."""
    index_settings = IndexSettings(**{**service_fields(own, IndexSettings), "embeddings": False})
    es = make_search_client(index_settings)
    store = ObjectStore(index_settings)
    try:
        await store.bootstrap()
        await bootstrap_indices(es, index_settings)
        indexer = Indexer(index_settings, es, store, refresh=True)
        events = [
            await _text(store, MATTER_A, "brief-de", BRIEF_DE),
            await _text(store, MATTER_B, "brief-fr", BRIEF_FR),
            await _text(store, MATTER_A, "gdpr", REGULATION),
        ]
        assert await indexer.write([await indexer.prepare(e) for e in events]) == {}
    finally:
        await es.close()
    return {e.filename.removesuffix(".txt"): e.document_id for e in events}


@pytest.fixture(scope="module")
async def gateway(own: CommonSettings) -> AsyncIterator[FastAPI]:
    settings = gateway_settings(
        own, rate_limit_per_s=1000.0, rate_limit_burst=1000, hybrid_search=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="module")
async def keys(gateway: FastAPI) -> dict[str, str]:
    """Viewers of A, of B, and a member of both screened from B: subject -> key."""
    found = {}
    async with gateway_client(gateway) as admin:
        for matter in (MATTER_A, MATTER_B):
            created = await admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
            assert created.status_code == 201, created.text
        grants = {VIEWER_A: [MATTER_A], VIEWER_B: [MATTER_B], SCREENED: [MATTER_A, MATTER_B]}
        for subject, matters in grants.items():
            key = await admin.post(
                "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": ["read"]}
            )
            assert key.status_code in (200, 201), key.text
            found[subject] = key.json()["key"]
            for matter in matters:
                member = await admin.put(
                    f"/v1/matters/{matter}/members/{subject}", json={"role": "viewer"}
                )
                assert member.status_code == 200, member.text
        wall = await admin.put(f"/v1/matters/{MATTER_B}/screens/{SCREENED}")
        assert wall.status_code == 200, wall.text
    return found


async def _get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    answer = await client.get(path, params=params)
    assert answer.status_code == 200, (path, answer.status_code, answer.text)
    return answer.json()


def _citing(page: dict[str, Any]) -> list[str]:
    return [doc["document_id"] for doc in page["citing"]]


async def test_each_viewer_sees_only_their_own_citing_document(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    async with (
        gateway_client(gateway, keys[VIEWER_A]) as a,
        gateway_client(gateway, keys[VIEWER_B]) as b,
        gateway_client(gateway) as admin,
    ):
        seen_a = await _get(a, f"/v1/authorities/{PROVISION}")
        seen_b = await _get(b, f"/v1/authorities/{PROVISION}")
        seen_admin = await _get(admin, f"/v1/authorities/{PROVISION}")
        whole_a = await _get(a, f"/v1/authorities/{GDPR}")

    assert (seen_a["total"], _citing(seen_a)) == (1, [documents["brief-de"]])
    assert (seen_b["total"], _citing(seen_b)) == (1, [documents["brief-fr"]])
    # the admin sees both: the same provision in two languages is one authority
    assert sorted(_citing(seen_admin)) == sorted([documents["brief-de"], documents["brief-fr"]])
    assert sum(f["count"] for f in seen_admin["by_year"]) + seen_admin["undated"] == 2
    cited = seen_a["citing"][0]["citations"]
    assert [(c["id"], c["raw"], c["page"]) for c in cited] == [
        (PROVISION, "Art. 6 Abs. 1 lit. f DSGVO", 2)
    ]
    assert "berechtigte Interesse" in cited[0]["context"]
    assert seen_a["authority"]["kind"] == "provision"
    assert seen_a["authority"]["lineage"][0] == GDPR
    # the GDPR is held in A: linked for A's viewer, never for B's
    assert seen_a["document"]["document_id"] == documents["gdpr"]
    assert seen_a["document"]["provision"] == "art:6/para:1/point:f"
    assert seen_b["document"] is None
    # the act's page counts the brief citing a pinpoint of it, not the act itself
    assert _citing(whole_a) == [documents["brief-de"]]
    assert whole_a["document"]["document_id"] == documents["gdpr"]


async def test_a_third_surface_form_finds_the_authority(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    async with (
        gateway_client(gateway, keys[VIEWER_A]) as a,
        gateway_client(gateway, keys[VIEWER_B]) as b,
    ):
        found_a = await _get(a, "/v1/authorities", q="Article 6(1)(f) GDPR")
        found_b = await _get(b, "/v1/authorities", q="Article 6(1)(f) GDPR")
        nothing = await _get(a, "/v1/authorities", q="no citation here")
    [authority] = found_a["authorities"]
    assert (authority["id"], authority["cited_by"]) == (PROVISION, 1)
    assert authority["document"]["document_id"] == documents["gdpr"]
    [other] = found_b["authorities"]
    assert (other["id"], other["cited_by"], other["document"]) == (PROVISION, 1, None)
    assert nothing["authorities"] == []


async def test_a_documents_authorities_link_the_held_document(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    async with (
        gateway_client(gateway, keys[VIEWER_A]) as a,
        gateway_client(gateway, keys[VIEWER_B]) as b,
    ):
        mine = await _get(a, f"/v1/documents/{documents['brief-de']}/authorities")
        theirs = await b.get(f"/v1/documents/{documents['brief-de']}/authorities")
        from_b = await _get(b, f"/v1/documents/{documents['brief-fr']}/authorities")
    [gdpr] = mine["authorities"]
    assert (gdpr["id"], gdpr["kind"], gdpr["mentions"]) == (GDPR, "legislation", 1)
    assert gdpr["document"]["document_id"] == documents["gdpr"]
    [pinpoint] = gdpr["pinpoints"]
    assert pinpoint["id"] == PROVISION
    assert pinpoint["document"]["provision"] == "art:6/para:1/point:f"
    assert "DSGVO" in pinpoint["context"]
    assert theirs.status_code == 404  # B's viewer: as if it did not exist
    [same] = from_b["authorities"]
    assert same["id"] == GDPR
    assert same["document"] is None  # held in A only
    assert same["pinpoints"][0]["id"] == PROVISION


async def test_a_screened_member_sees_nothing_of_the_screened_matter(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    async with gateway_client(gateway, keys[SCREENED]) as screened:
        page = await _get(screened, f"/v1/authorities/{PROVISION}")
        found = await _get(screened, "/v1/authorities", q="article 6 du RGPD")
        brief_fr = await screened.get(f"/v1/documents/{documents['brief-fr']}/authorities")
        graph_b = await screened.get(f"/v1/matters/{MATTER_B}/citation-graph")
        graph_a = await _get(screened, f"/v1/matters/{MATTER_A}/citation-graph")
    assert _citing(page) == [documents["brief-de"]]
    assert [f["count"] for f in page["by_jurisdiction"]] in ([], [1])
    [article] = found["authorities"]
    assert (article["id"], article["cited_by"]) == (f"{GDPR}/art:6", 1)
    assert brief_fr.status_code == 404
    assert graph_b.status_code == 404
    nodes = {node["id"] for node in graph_a["nodes"]}
    assert f"document:{documents['brief-fr']}" not in nodes
    assert f"document:{documents['brief-de']}" in nodes


async def test_the_citation_graph_of_a_matter_as_csv_and_graphml(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    async with gateway_client(gateway, keys[VIEWER_A]) as a:
        graph = await _get(a, f"/v1/matters/{MATTER_A}/citation-graph")
        as_csv = await a.get(f"/v1/matters/{MATTER_A}/citation-graph", params={"format": "csv"})
        as_xml = await a.get(f"/v1/matters/{MATTER_A}/citation-graph", params={"format": "graphml"})
    brief, gdpr = f"document:{documents['brief-de']}", f"document:{documents['gdpr']}"
    edges = {(e["source"], e["target"], e["relation"]): e["mentions"] for e in graph["edges"]}
    assert graph["documents"] == 2
    assert edges[(brief, PROVISION, "cites")] == 1
    assert (PROVISION, GDPR, "part_of") in edges
    assert (GDPR, gdpr, "is") in edges  # the cited act is a document of the matter
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {(r["source"], r["target"], r["relation"]) for r in rows} == set(edges)
    assert as_xml.status_code == 200
    root = ET.fromstring(as_xml.content)
    ns = {"g": GRAPHML_NS}
    xml_edges = {(e.get("source"), e.get("target")) for e in root.findall("g:graph/g:edge", ns)}
    assert (brief, PROVISION) in xml_edges
    assert len(root.findall("g:graph/g:node", ns)) == len(graph["nodes"])

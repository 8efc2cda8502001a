"""Statute provisions and judgment paragraphs on the real Elasticsearch and S3 (issue 16,
items 2-3).

Under an index prefix of this module's own, two documents go through the real Indexer
(text.json in S3, extraction, the structure parsers, bulk write, the derived objects): a
German statute in the Markdown of bundestag/gesetze (§ 823 with two Absätze on its second
page) and a UK-style judgment numbering its paragraphs [1] to [5] over two pages, both in
matter A. A viewer of A opens § 823 Abs. 1 and paragraph 3 with their text and page, and reads
both structures as JSON and Akoma Ntoso; a viewer of B gets, for every structure route, the
404 of a document that does not exist.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from lxml import etree
from tests.support.gateway import (
    gateway_client,
    gateway_settings,
    own_indices,
    put_text,
    service_fields,
)

from lexstream.gateway.app import create_app
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared.events import TextExtracted
from lexstream.shared.legal.structure import open_pinpoint
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RUN = str(time.time_ns())
MATTER_A, MATTER_B = f"SA-{RUN}", f"SB-{RUN}"
VIEWER_A, VIEWER_B = (f"structure-{who}-{RUN}" for who in ("a", "b"))
AKN = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}

ABSATZ_1 = (
    "Wer vorsätzlich oder fahrlässig das Leben, den Körper, die Gesundheit, die Freiheit, das "
    "Eigentum oder ein sonstiges Recht eines anderen widerrechtlich verletzt, ist dem anderen "
    "zum Ersatz des daraus entstehenden Schadens verpflichtet."
)
STATUTE = [
    "# Bürgerliches Gesetzbuch (BGB)\n\nAusfertigungsdatum: 18.08.1896\n\n"
    "## Buch 1 - Allgemeiner Teil\n\n### § 1 Beginn der Rechtsfähigkeit\n\n"
    "Die Rechtsfähigkeit des Menschen beginnt mit der Vollendung der Geburt.",
    "## Buch 2 - Recht der Schuldverhältnisse\n\n### § 823 Schadensersatzpflicht\n\n"
    f"(1) {ABSATZ_1}\n\n"
    "(2) Die gleiche Verpflichtung trifft denjenigen, welcher gegen ein den Schutz eines "
    "anderen bezweckendes Gesetz verstößt.\n\n"
    "### § 826 Sittenwidrige vorsätzliche Schädigung\n\n"
    "Wer in einer gegen die guten Sitten verstoßenden Weise einem anderen vorsätzlich Schaden "
    "zufügt, ist dem anderen zum Ersatz des Schadens verpflichtet.",
]
PARAGRAPH_3 = (
    "The goods were damaged in transit on 4 March 2022. The appellant relied on "
    "Article 6(1)(f) GDPR in its correspondence with the respondent."
)
JUDGMENT = [
    "Neutral Citation Number: [2024] EWCA Civ 123\n\n"
    "IN THE COURT OF APPEAL (CIVIL DIVISION)\n\nBefore:\n\nLORD JUSTICE GREEN\n\nBetween:\n\n"
    "HARRINGTON LOGISTICS LIMITED\nAppellant\n\n- and -\n\nBELLWEATHER FREIGHT LIMITED\n"
    "Respondent\n\nApproved Judgment\n\nLord Justice Green:\n\nIntroduction\n\n"
    "[1] This appeal concerns a contract for the carriage of goods between Harrington "
    "Logistics and Bellweather Freight.\n\n"
    "[2] The judge below held that the limitation clause applied. For the reasons that "
    "follow, I disagree.\n\nThe facts\n\n"
    f"[3] {PARAGRAPH_3}",
    "[4] The respondent relied on the decision in [2020] UKSC 5 at [50].\n\nConclusion\n\n"
    "[5] I would allow the appeal.",
]


async def _text(store: ObjectStore, matter: str, name: str, pages: list[str]) -> TextExtracted:
    statute = name == "bgb"
    event: TextExtracted = await put_text(
        store,
        f"{name}-{RUN}",
        matter,
        pages,
        filename=f"{name}.md" if statute else f"{name}.txt",
        media_type="text/markdown" if statute else "text/plain",
    )
    return event


@pytest.fixture(scope="module")
async def own(settings: CommonSettings) -> AsyncIterator[CommonSettings]:
    """This module's index prefix, its indices removed at the end."""
    async with own_indices(settings, "structure") as own:
        yield own


@pytest.fixture(scope="module")
async def documents(own: CommonSettings) -> dict[str, str]:
    """The statute and the judgment, indexed through the real Indexer: name -> id."""
    index_settings = IndexSettings(**{**service_fields(own, IndexSettings), "embeddings": False})
    es = make_search_client(index_settings)
    store = ObjectStore(index_settings)
    try:
        await store.bootstrap()
        await bootstrap_indices(es, index_settings)
        indexer = Indexer(index_settings, es, store, refresh=True)
        events = [
            await _text(store, MATTER_A, "bgb", STATUTE),
            await _text(store, MATTER_A, "judgment", JUDGMENT),
        ]
        prepared = [await indexer.prepare(e) for e in events]
        assert await indexer.write(prepared) == {}
        indexed = {
            e.document_id: (await es.get(index=indexer.alias, id=e.document_id))["_source"]
            for e in events
        }
    finally:
        await es.close()
    ids = {e.filename.split(".")[0]: e.document_id for e in events}
    # the search document: a bounded copy without text, and every id for look-ups
    statute = indexed[ids["bgb"]]
    assert statute["doc_type"] == "statute"
    assert {"par:823", "par:823/abs:1", "par:826"} <= set(statute["provision_ids"])
    assert "text" not in str(statute["structure"]["provisions"])
    assert statute["structure"]["truncated"] is False
    judgment = indexed[ids["judgment"]]
    assert judgment["doc_type"] == "judgment"
    assert [p["id"] for p in judgment["structure"]["paragraphs"]] == [
        f"para:{n}" for n in range(1, 6)
    ]
    # what another route (an authority's 'open') reads from the stored copy alone
    opened = open_pinpoint(judgment["structure"], "uk:nc:2024/EWCA/Civ/123/para:4")
    assert opened is not None
    assert (opened.id, opened.page) == ("para:4", 2)
    return ids


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
    """A viewer of A and a viewer of B: subject -> key."""
    found = {}
    async with gateway_client(gateway) as admin:
        for matter in (MATTER_A, MATTER_B):
            created = await admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
            assert created.status_code == 201, created.text
        for subject, matter in ((VIEWER_A, MATTER_A), (VIEWER_B, MATTER_B)):
            key = await admin.post(
                "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": ["read"]}
            )
            assert key.status_code in (200, 201), key.text
            found[subject] = key.json()["key"]
            member = await admin.put(
                f"/v1/matters/{matter}/members/{subject}", json={"role": "viewer"}
            )
            assert member.status_code == 200, member.text
    return found


async def _get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    answer = await client.get(path, params=params)
    assert answer.status_code == 200, (path, answer.status_code, answer.text)
    return answer.json()


async def test_a_provision_opens_with_its_text_and_page(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    bgb = documents["bgb"]
    async with gateway_client(gateway, keys[VIEWER_A]) as a:
        absatz = await _get(a, f"/v1/documents/{bgb}/provisions/par:823/abs:1")
        whole = await _get(a, f"/v1/documents/{bgb}/provisions/par:823")
        # an authority id, and a Satz the statute does not split out: Absatz 1 still
        cited = await _get(a, f"/v1/documents/{bgb}/provisions/de:act:BGB/par:823/abs:1/satz:1")
        missing = await a.get(f"/v1/documents/{bgb}/provisions/par:999")
        text = await _get(a, f"/v1/documents/{bgb}/text")

    assert (absatz["id"], absatz["kind"], absatz["page"]) == ("par:823/abs:1", "paragraph", 2)
    assert absatz["text"] == f"(1) {ABSATZ_1}"
    # the offsets are those of the document's text, as /text gives it
    document = "\n\n".join(page["text"] for page in text["pages"])
    assert document[absatz["start"] : absatz["end"]].strip() == absatz["text"]
    assert whole["heading"] == "Schadensersatzpflicht"
    assert whole["children"] == ["par:823/abs:1", "par:823/abs:2"]
    assert ABSATZ_1 in whole["text"]
    assert "gleiche Verpflichtung" in whole["text"]
    assert "Sittenwidrige" not in whole["text"]
    assert (cited["id"], cited["requested"]) == (
        "par:823/abs:1",
        "de:act:BGB/par:823/abs:1/satz:1",
    )
    assert missing.status_code == 404


async def test_a_judgment_paragraph_and_both_exports(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    judgment, bgb = documents["judgment"], documents["bgb"]
    async with gateway_client(gateway, keys[VIEWER_A]) as a:
        third = await _get(a, f"/v1/documents/{judgment}/paragraphs/3")
        fourth = await _get(a, f"/v1/documents/{judgment}/provisions/para:4")
        beyond = await a.get(f"/v1/documents/{judgment}/paragraphs/6")
        as_json = await _get(a, f"/v1/documents/{judgment}/structure")
        light = await _get(a, f"/v1/documents/{bgb}/structure", text="false")
        akn = await a.get(f"/v1/documents/{judgment}/structure", params={"format": "akn"})
        act = await a.get(f"/v1/documents/{bgb}/structure", params={"format": "akn"})

    assert (third["id"], third["number"], third["page"]) == ("para:3", "3", 1)
    assert third["heading"] == "The facts"
    assert third["text"] == f"[3] {PARAGRAPH_3}"
    assert (fourth["id"], fourth["page"]) == ("para:4", 2)
    assert beyond.status_code == 404
    assert as_json["document_id"] == judgment
    assert as_json["kind"] == "judgment"
    assert [p["number"] for p in as_json["paragraphs"]] == ["1", "2", "3", "4", "5"]
    assert as_json["paragraphs"][2]["text"] == PARAGRAPH_3
    assert [h["text"] for h in as_json["headings"]] == ["Introduction", "The facts", "Conclusion"]
    assert light["kind"] == "statute"
    assert "'text'" not in str(light["provisions"])

    assert akn.status_code == 200, akn.text
    assert akn.headers["content-type"].startswith("application/akn+xml")
    root = etree.fromstring(akn.content)
    paragraphs = root.findall(".//a:judgmentBody//a:paragraph", AKN)
    assert [p.findtext("a:num", namespaces=AKN) for p in paragraphs] == [
        f"{n}." for n in range(1, 6)
    ]
    assert [p.get("eId") for p in paragraphs][2] == "para_3"
    hrefs = {ref.get("href") for ref in root.iterfind(".//a:ref", AKN)}
    assert {"eu:celex:32016R0679/art:6/para:1/point:f", "uk:nc:2020/UKSC/5/para:50"} <= hrefs
    header = root.find(".//a:header", AKN)
    assert header is not None
    assert [j.text for j in header.iterfind(".//a:judge", AKN)] == ["GREEN"]
    assert header.findtext(".//a:neutralCitation", namespaces=AKN) == "[2024] EWCA Civ 123"
    assert act.status_code == 200
    statute = etree.fromstring(act.content)
    absatz = statute.find(".//a:*[@eId='par_823__abs_1']", AKN)
    assert absatz is not None
    assert ABSATZ_1 in "".join(absatz.itertext())


async def test_another_matters_viewer_gets_the_answer_of_no_document(
    gateway: FastAPI, keys: dict[str, str], documents: dict[str, str]
) -> None:
    paths = [
        "/structure",
        "/structure?format=akn",
        "/provisions/par:823/abs:1",
        "/provisions/para:3",
        "/paragraphs/3",
    ]
    async with gateway_client(gateway, keys[VIEWER_B]) as b:
        for name in ("bgb", "judgment"):
            for path in paths:
                seen = await b.get(f"/v1/documents/{documents[name]}{path}")
                absent = await b.get(f"/v1/documents/no-such-{RUN}{path}")
                assert seen.status_code == 404, (name, path, seen.text)
                assert seen.json() == absent.json() == {"detail": "no such document"}

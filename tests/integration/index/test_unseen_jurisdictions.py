"""Judgments of member states the project has no sample of, end to end: a synthetic judgment
text (made here, from the court table) with its own ECLI goes through Kafka and the index
service into Elasticsearch, which must hold its court, its jurisdiction path (and find it
under an 'EU' filter) and its ECLI among its identifiers."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from faststream.kafka import KafkaBroker
from tests.integration.index.conftest import PutText
from tests.integration.index.test_index_service import ids_matching, index_all

from lexstream.index.extraction.tables import CourtEntry, court_entries
from lexstream.index.settings import IndexSettings
from lexstream.shared.search import documents_alias

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

# court id in the table: (judgment word, docket line, body sentence), for three member
# states without a sample document: Portugal, Finland, Czechia.
UNSEEN = {
    "pt-stj": (
        "ACÓRDÃO",
        "Processo n.º {n}/21.3T8LSB.L1.S1",
        "Acordam no Supremo Tribunal de Justiça em negar a revista. Lisboa, 14 de outubro de 2021.",
    ),
    "fi-kko": (
        "TUOMIO",
        "Diaarinro S2021/{n}",
        "Korkein oikeus hylkää valituksen ja pysyttää hovioikeuden tuomion. Helsinki 14.10.2021.",
    ),
    "cz-nss": (
        "ROZSUDEK",
        "č. j. {n} As 12/2021-45",
        "Nejvyšší správní soud zamítá kasační stížnost žalobce. V Brně dne 14. října 2021.",
    ),
}


def _entry(court_id: str) -> CourtEntry:
    return next(entry for entry in court_entries() if entry.id == court_id)


def judgment(court_id: str, number: int) -> tuple[str, str]:
    """(text, ECLI) of a synthetic judgment of the court, built from its table entry."""
    entry = _entry(court_id)
    word, docket, body = UNSEEN[court_id]
    country, code = entry.ecli_prefixes[0].split(":")
    ecli = f"ECLI:{country}:{code}:2021:{4100 + number}"
    text = "\n".join(
        [
            ecli,
            "",
            entry.name.upper(),
            word,
            docket.format(n=number + 1),
            "",
            body,
        ]
    )
    return text, ecli


async def test_member_states_without_samples_get_court_jurisdiction_and_ecli(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    matter = "M-unseen-jurisdictions"
    made = {court_id: judgment(court_id, n) for n, court_id in enumerate(UNSEEN)}
    events = {
        court_id: await put_text([text], matter_id=matter, filename=f"{court_id}.txt")
        for court_id, (text, _) in made.items()
    }
    records = await index_all(producer, es, index_settings, list(events.values()))
    assert all(record["status"] == "indexed" for record in records), records
    alias = documents_alias(index_settings)

    for court_id, event in events.items():
        doc: dict[str, Any] = (await es.get(index=alias, id=event.document_id))["_source"]
        entry = _entry(court_id)
        _, ecli = made[court_id]
        assert doc["court_id"] == court_id
        assert doc["court"] == entry.name
        assert doc["jurisdiction"] == entry.jurisdiction == f"EU/{ecli.split(':')[1]}"
        # The document's own ECLI is an identifier (needs the 'identifiers' field of the ES
        # document), and not one of its citations.
        assert {"kind": "ecli", "value": ecli} in doc.get("identifiers", [])

    # Under the gateway's 'EU' filter (a term on the path-tokenised field) all three appear.
    query = {
        "bool": {"filter": [{"term": {"matter_id": matter}}, {"term": {"jurisdiction": "EU"}}]}
    }
    assert await ids_matching(es, index_settings, query) == {e.document_id for e in events.values()}

"""The index service on the real stack: events through Kafka, documents in Elasticsearch.

The service runs in-process (its app factory and lifespan, a real consumer group); tests
publish text.extracted events as ocr would and read what Elasticsearch holds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch, NotFoundError
from faststream.kafka import KafkaBroker
from tests.integration.index.conftest import PutText
from tests.support.wait import eventually_async

from lexstream.index.citedby import cited_by, cited_by_text
from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.settings import IndexSettings
from lexstream.shared.events import TextExtracted, Topics
from lexstream.shared.kafka import publish_event
from lexstream.shared.legal import normalize_citation
from lexstream.shared.search import documents_alias, status_index

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

TENANT_FILTER = {"term": {"tenant": "default"}}


async def publish(producer: KafkaBroker, settings: IndexSettings, event: TextExtracted) -> None:
    await publish_event(producer, Topics(settings.topic_prefix).text_extracted, event)


async def wait_status(
    es: AsyncElasticsearch, settings: IndexSettings, document_id: str, *, seconds: float = 90
) -> dict[str, Any]:
    """The status record once it is terminal (indexed or failed)."""

    async def terminal() -> dict[str, Any] | None:
        record = (await es.get(index=status_index(settings), id=document_id))["_source"]
        return dict(record) if record.get("status") in ("indexed", "failed") else None

    return await eventually_async(
        terminal,
        what=f"{document_id} reaching indexed or failed",
        timeout_s=seconds,
        ignoring=(NotFoundError,),
    )


async def index_all(
    producer: KafkaBroker, es: AsyncElasticsearch, settings: IndexSettings, events: list[Any]
) -> list[dict[str, Any]]:
    for event in events:
        await publish(producer, settings, event)
    records = [await wait_status(es, settings, e.document_id) for e in events]
    await es.indices.refresh(index=documents_alias(settings))
    return records


async def ids_matching(
    es: AsyncElasticsearch, settings: IndexSettings, query: dict[str, Any]
) -> set[str]:
    response = await es.search(index=documents_alias(settings), query=query, size=1000)
    return {hit["_id"] for hit in response["hits"]["hits"]}


async def test_jurisdiction_filter_on_eu_includes_member_states_only(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    matter = "M-jurisdiction"
    paths = ["EU", "EU/DE", "EU/FR", "EU/NL", "US", "US/FED", "UK/EW", "DE"]
    events = [
        await put_text(
            [f"A memorandum on data protection, number {n}."], matter_id=matter, jurisdiction=path
        )
        for n, path in enumerate(paths)
    ]
    records = await index_all(producer, es, index_settings, events)
    assert all(r["status"] == "indexed" for r in records)
    by_path = dict(zip(paths, (e.document_id for e in events), strict=True))
    in_matter = {"term": {"matter_id": matter}}

    # The gateway's jurisdiction filter: a term on the path-tokenised field.
    def within(path: str) -> dict[str, Any]:
        return {"bool": {"filter": [in_matter, {"term": {"jurisdiction": path}}]}}

    assert await ids_matching(es, index_settings, within("EU")) == {
        by_path[p] for p in ("EU", "EU/DE", "EU/FR", "EU/NL")
    }
    assert await ids_matching(es, index_settings, within("EU/DE")) == {by_path["EU/DE"]}
    assert await ids_matching(es, index_settings, within("US")) == {
        by_path["US"],
        by_path["US/FED"],
    }
    # 'DE' alone (not a member-state path) is not a child of EU, nor is EU/DE a child of DE.
    assert await ids_matching(es, index_settings, within("DE")) == {by_path["DE"]}


async def test_cites_matches_citations_written_differently(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    matter = "M-cites"
    texts = [
        "The right was recognised in Roe v. Wade, 410 U. S. 113 (1973), and later narrowed.",
        "See Roe v. Wade, 410 U.S. 113, 120 (1973); compare the Court's later cases.",
        "Memorandum to the client. Our advice relies on Google Spain, ECLI:EU:C:2014:317, "
        "and on R (Miller) v The Prime Minister [2019] UKSC 41, at [50].",
        "Nothing is cited in this letter about the lease of the premises.",
    ]
    events = [await put_text([t], matter_id=matter) for t in texts]
    await index_all(producer, es, index_settings, events)
    in_matter = {"term": {"matter_id": matter}}

    def cites(query: str) -> dict[str, Any]:
        normalized = normalize_citation(query)
        assert normalized is not None, query
        return {"bool": {"filter": [in_matter, {"term": {"cites": normalized}}]}}

    roe = {events[0].document_id, events[1].document_id}
    for written in ("410 U.S. 113", "410 U. S. 113", "410  U.S.  113", "410 US 113"):
        assert await ids_matching(es, index_settings, cites(written)) == roe, written
    for written in ("ecli:eu:c:2014:317", "ECLI:EU:C:2014:317", "[2019]  UKSC  41"):
        assert await ids_matching(es, index_settings, cites(written)) == {events[2].document_id}

    access = {"bool": {"filter": [TENANT_FILTER, in_matter]}}
    counted = await cited_by(es, documents_alias(index_settings), "410 U.S. 113", access)
    assert counted["count"] == 2
    assert {d["document_id"] for d in counted["documents"]} == roe
    typed = await cited_by_text(es, documents_alias(index_settings), "410 U. S. 113", access)
    assert typed is not None
    assert typed["count"] == 2
    hidden = {"bool": {"filter": [TENANT_FILTER, {"term": {"matter_id": "M-other"}}]}}
    assert (await cited_by(es, documents_alias(index_settings), "410 U.S. 113", hidden))[
        "count"
    ] == 0


async def test_replayed_event_leaves_exactly_one_hit(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    event = await put_text(["The replayed affidavit of Mr Quillfeather."], matter_id="M-replay")
    await index_all(producer, es, index_settings, [event])
    alias = documents_alias(index_settings)
    first = await es.get(index=alias, id=event.document_id)
    # The same event again, twice (a redelivery and a DLQ replay).
    await publish(producer, index_settings, event)
    await publish(producer, index_settings, event)

    async def replayed() -> bool:
        current = await es.get(index=alias, id=event.document_id)
        return bool(current["_version"] >= first["_version"] + 2)

    await eventually_async(replayed, what="the replayed events processed", timeout_s=90)
    await es.indices.refresh(index=alias)
    hits = await es.search(
        index=alias, query={"match": {"content": "Quillfeather"}}, track_total_hits=True
    )
    assert hits["hits"]["total"]["value"] == 1
    assert hits["hits"]["hits"][0]["_id"] == event.document_id


async def test_bad_input_is_indexed_or_failed_with_a_reason(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    matter = "M-bad"
    empty = await put_text([""], matter_id=matter)
    no_pages = await put_text([], matter_id=matter)
    fifty_mb = "The tenant shall repair the roof. " * (50 * 1024 * 1024 // 34)
    huge = await put_text(["Lease of 1 May 2020.\n" + fifty_mb], matter_id=matter)
    payload = {
        "document_id": "x",
        "media_type": "text/plain",
        "extractor": "test",
        "pages": [
            {"number": 1, "text": "Statement of Mr Brewster \udcff\ud800 end", "method": "plain"}
        ],
    }
    bad_bytes = json.dumps(payload).encode().replace(b"Brewster", b"Brew\xff\xfester")
    invalid_utf8 = await put_text(raw=bad_bytes, matter_id=matter)
    not_json = await put_text(raw=b"\x00\x01 not json at all", matter_id=matter)
    citations = " ".join(
        f"See {v} U.S. {p} (1990)." for v in range(300, 400) for p in range(1, 101)
    )
    many = await put_text([citations], matter_id=matter)
    good = await put_text(["The ordinary letter that follows bad input."], matter_id=matter)

    events = [empty, no_pages, huge, invalid_utf8, not_json, many, good]
    records = dict(
        zip(
            ("empty", "no_pages", "huge", "utf8", "not_json", "many", "good"),
            await index_all(producer, es, index_settings, events),
            strict=True,
        )
    )
    alias = documents_alias(index_settings)

    async def source(event: TextExtracted) -> dict[str, Any]:
        return dict((await es.get(index=alias, id=event.document_id))["_source"])

    for name in ("empty", "no_pages"):
        assert records[name]["status"] == "indexed", records[name]
        doc = await source(empty if name == "empty" else no_pages)
        assert doc["content"] == ""
        assert doc["cites"] == []
        assert doc["court"] is None

    assert records["huge"]["status"] == "indexed"
    assert records["huge"]["content_truncated"] is True
    assert records["huge"]["content_chars"] > index_settings.max_content_chars
    doc = await source(huge)
    assert doc["content_truncated"] is True
    assert len(doc["content"]) == index_settings.max_content_chars
    assert sum(len(p["text"]) for p in doc["pages"]) <= index_settings.max_content_chars

    assert records["utf8"]["status"] == "indexed"
    assert any("not valid UTF-8" in w for w in records["utf8"]["index_warnings"])
    assert any("surrogate" in w for w in records["utf8"]["index_warnings"])
    assert "\ufffd" in (await source(invalid_utf8))["content"]

    assert records["not_json"]["status"] == "failed"
    assert "not JSON" in records["not_json"]["failure_reason"]
    assert records["not_json"]["failure_stage"] == "index"

    assert records["many"]["status"] == "indexed"
    doc = await source(many)
    assert 1_000 <= len(doc["cites"]) <= 10_000
    assert doc["extractor_version"] == EXTRACTOR_VERSION
    found = await ids_matching(
        es,
        index_settings,
        {"bool": {"filter": [{"term": {"matter_id": matter}}, {"term": {"cites": "300 U.S. 1"}}]}},
    )
    assert found == {many.document_id}

    assert records["good"]["status"] == "indexed"

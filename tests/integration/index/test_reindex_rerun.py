"""Reindex behind the alias, re-running extraction from stored text, and per-item bulk
failures, on the real Elasticsearch and S3 (no Kafka: these paths do not use it)."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from tests.integration.index.conftest import PutText

from lexstream.index.bulk import BulkWriter
from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.indexer import Indexer
from lexstream.index.reindex import _guarded, reindex
from lexstream.index.rerun import Rerun
from lexstream.index.settings import IndexSettings
from lexstream.shared.search import documents_alias, status_index
from lexstream.shared.storage import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


async def count(es: AsyncElasticsearch, index: str, query: dict[str, Any]) -> int:
    await es.indices.refresh(index=index)
    return int((await es.count(index=index, query=query))["count"])


async def test_one_refused_document_fails_alone(
    es: AsyncElasticsearch, index_settings: IndexSettings, store: ObjectStore, put_text: PutText
) -> None:
    indexer = Indexer(index_settings, es, store, refresh=True)
    good = await indexer.prepare(await put_text(["A good letter."], matter_id="M-bulk"))
    bad = await indexer.prepare(await put_text(["A bad one."], matter_id="M-bulk"))
    bad.doc["not_in_the_mapping"] = 1  # the strict mapping refuses it
    refused = await indexer.write([good, bad])
    assert set(refused) == {bad.document_id}
    assert "strict_dynamic_mapping_exception" in refused[bad.document_id]
    alias = documents_alias(index_settings)
    assert (await es.get(index=alias, id=good.document_id))["found"]
    status = await es.get(index=status_index(index_settings), id=good.document_id)
    assert status["_source"]["status"] == "indexed"


async def test_rerun_reextracts_from_stored_text(
    es: AsyncElasticsearch, index_settings: IndexSettings, store: ObjectStore, put_text: PutText
) -> None:
    matter = "M-rerun"
    indexer = Indexer(index_settings, es, store, refresh=True)
    events = [
        await put_text([f"Judgment number {n}. See 410 U.S. 113."], matter_id=matter)
        for n in range(3)
    ]
    assert await indexer.write([await indexer.prepare(e) for e in events]) == {}
    alias = documents_alias(index_settings)
    # Fields from an older extractor: the re-run must replace them.
    for event in events:
        await es.update(
            index=alias,
            id=event.document_id,
            doc={"extractor_version": "0.0.1", "cites": []},
            refresh=True,
        )
    rerun = Rerun(index_settings, es, store, refresh=True)

    one = await rerun.run(document_ids=[events[0].document_id])
    assert (one.selected, one.indexed, one.failed) == (1, 1, {})
    doc = (await es.get(index=alias, id=events[0].document_id))["_source"]
    assert doc["extractor_version"] == EXTRACTOR_VERSION
    assert doc["cites"] == ["410 U.S. 113"]
    assert doc["matter_id"] == matter

    whole = await rerun.run(matter_id=matter)
    assert (whole.selected, whole.indexed) == (3, 3)
    for event in events:
        doc = (await es.get(index=alias, id=event.document_id))["_source"]
        assert doc["extractor_version"] == EXTRACTOR_VERSION
        assert doc["cites"]
    outdated = await rerun.run(matter_id=matter, outdated_only=True)
    assert outdated.selected == 0

    missing = await rerun.run(document_ids=["no-such-document"])
    assert set(missing.skipped) == {"no-such-document"}
    assert missing.indexed == 0


async def test_guarded_copy_never_overwrites_a_newer_write(
    es: AsyncElasticsearch, index_settings: IndexSettings
) -> None:
    target = f"{index_settings.index_prefix}-guard-test"
    await es.indices.create(index=target)
    try:
        await es.index(
            index=target, id="newer", document={"indexed_at": "2030-01-01T00:00:00+00:00"}
        )
        await es.index(
            index=target, id="older", document={"indexed_at": "2020-01-01T00:00:00+00:00"}
        )
        hits = [
            {"_id": doc_id, "_source": {"indexed_at": "2025-01-01T00:00:00+00:00", "v": doc_id}}
            for doc_id in ("newer", "older", "missing")
        ]
        actions = await _guarded(es, target, hits)
        assert {(a.key, a.op) for a in actions} == {("older", "index"), ("missing", "create")}
        result = await BulkWriter(es, refresh=True).write(actions)
        assert result.written == {"older", "missing"}
        assert (await es.get(index=target, id="newer"))["_source"].get("v") is None
    finally:
        await es.indices.delete(index=target)


async def test_reindex_swaps_the_alias_and_keeps_every_document(
    es: AsyncElasticsearch, index_settings: IndexSettings, store: ObjectStore, put_text: PutText
) -> None:
    alias = documents_alias(index_settings)
    indexer = Indexer(index_settings, es, store, refresh=True)
    event = await put_text(["A document written before the reindex."], matter_id="M-reindex")
    await indexer.write([await indexer.prepare(event)])
    before = await count(es, alias, {"match_all": {}})
    old = sorted(await es.indices.get_alias(name=alias))

    report = await reindex(es, index_settings)

    assert report.source_indices == old
    assert report.copied == before
    assert report.failed == {}
    aliases = await es.indices.get_alias(name=alias)
    assert list(aliases) == [report.target_index]
    assert aliases[report.target_index]["aliases"][alias]["is_write_index"] is True
    assert await count(es, alias, {"match_all": {}}) == before
    # Writes after the swap go to the new index, through the same alias.
    later = await put_text(["A document written after the reindex."], matter_id="M-reindex")
    await indexer.write([await indexer.prepare(later)])
    found = await es.get(index=alias, id=later.document_id)
    assert found["_index"] == report.target_index
    assert await count(es, alias, {"term": {"matter_id": "M-reindex"}}) == 2

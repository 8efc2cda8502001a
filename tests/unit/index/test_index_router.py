"""The index router in memory (FastStream's ``TestKafkaBroker``): the real subscribers, stage
runner, batch stage, indexer and record stage, with the object store in memory and a stand-in
for the few Elasticsearch calls the stages make. What is published is what the service would
publish to Kafka; what is written is what Elasticsearch would be asked to store."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from elasticsearch import AsyncElasticsearch, NotFoundError
from faststream.kafka import TestKafkaBroker
from tests.support.factories import document_stored, hearing_transcript
from tests.support.inmemory import (
    Published,
    StageHarness,
    assert_body,
    assert_dead_letter,
    assert_invalid_dead_letters,
    wire,
)

from lexstream.index.batch import BatchIndexStage
from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.handlers import build_router
from lexstream.index.indexer import Indexer
from lexstream.index.records import RecordStage
from lexstream.index.settings import IndexSettings
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.deletion import deletions_index
from lexstream.shared.embeddings import DIMS, EMBEDDING_MODEL
from lexstream.shared.events import (
    DocumentIndexed,
    Hints,
    ObjectRef,
    Provenance,
    Stage,
    TextExtracted,
    TranscriptReady,
)
from lexstream.shared.kafka import DLQ_ORIGINAL_TOPIC
from lexstream.shared.pageline import layout, segment_citations
from lexstream.shared.search import documents_alias, status_index
from lexstream.shared.storage import derived_key

OPINION = (
    "UNITED STATES COURT OF APPEALS FOR THE NINTH CIRCUIT\n"
    "Smith v. Jones, No. 21-1234. Decided March 3, 2022.\n"
    "We follow Miranda v. Arizona, 384 U.S. 436 (1966), and affirm."
)


class MemorySearch:
    """The Elasticsearch calls of the index stages over a dict of ``(index, id)``: ``bulk``
    (``index``, ``create`` and ``update`` actions, answered per item), ``mget``, ``get`` and
    ``index``, and ``search`` for the deletion records' tombstones.
    A document named in ``refuse`` is refused for good, as a mapping error would be."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}
        self.refuse: set[str] = set()
        self.refreshes: list[Any] = []  # the refresh of each bulk request

    @property
    def bulks(self) -> int:
        return len(self.refreshes)

    async def bulk(self, *, operations: list[bytes], refresh: Any = False) -> dict[str, Any]:
        self.refreshes.append(refresh)
        lines = b"".join(operations).decode().splitlines()
        items = []
        for header, body in zip(lines[::2], lines[1::2], strict=True):
            [(op, meta)] = json.loads(header).items()
            key = meta["_index"], meta["_id"]
            if meta["_id"] in self.refuse:
                error = {"type": "mapper_parsing_exception", "reason": "failed to parse [x]"}
                items.append({op: {"status": 400, "error": error}})
            elif op == "create" and key in self.docs:
                items.append({op: {"status": 409}})
            elif op == "update":  # a partial update of a document that must exist
                if key not in self.docs:
                    items.append({op: {"status": 404, "error": {"type": "document_missing"}}})
                    continue
                self.docs[key] = {**self.docs[key], **json.loads(body)["doc"]}
                items.append({op: {"status": 200}})
            else:
                self.docs[key] = json.loads(body)
                items.append({op: {"status": 201}})
        return {"items": items}

    async def mget(self, *, index: str, ids: list[str], **_options: Any) -> dict[str, Any]:
        return {
            "docs": [
                {"_id": i, "found": True, "_source": self.docs[index, i], "_seq_no": 1}
                | {"_primary_term": 1}
                if (index, i) in self.docs
                else {"_id": i, "found": False}
                for i in ids
            ]
        }

    async def get(self, *, index: str, id: str) -> dict[str, Any]:
        if (index, id) not in self.docs:
            raise NotFoundError(404, "not found", {})  # type: ignore[arg-type]
        return {"_source": self.docs[index, id], "_seq_no": 1, "_primary_term": 1}

    async def index(self, *, index: str, id: str, document: dict[str, Any], **_guard: Any) -> None:
        self.docs[index, id] = document

    async def search(self, *, index: str, query: dict[str, Any], **_options: Any) -> dict[str, Any]:
        """The tombstone look-up (lexstream.shared.deletion.deleted_documents) only: records
        of ``index`` whose ``document_ids`` or id are among those asked for."""
        if not any(name == index for name, _ in self.docs):
            raise NotFoundError(404, "index_not_found_exception", {})  # type: ignore[arg-type]
        should = query["bool"]["should"]
        (terms,) = [c["terms"]["document_ids"] for c in should if "terms" in c]
        (ids,) = [c["ids"]["values"] for c in should if "ids" in c]
        hits = [
            {"_id": key, "_source": {"document_ids": doc.get("document_ids")}}
            for (name, key), doc in self.docs.items()
            if name == index and (key in ids or set(doc.get("document_ids") or ()) & set(terms))
        ]
        return {"hits": {"hits": hits}}


@dataclass
class Index(StageHarness[IndexSettings]):
    consumes = "text_extracted"
    es: MemorySearch
    indexed: list[Published] = field(init=False, metadata={"collects": "indexed"})

    def search_document(self, document_id: str) -> dict[str, Any]:
        return self.es.docs[documents_alias(self.settings), document_id]

    def status(self, document_id: str) -> dict[str, Any]:
        return self.es.docs[status_index(self.settings), document_id]

    def put_text(self, pages: list[str], **fields: Any) -> TextExtracted:
        document_id = fields.pop("document_id", f"doc-{secrets.token_hex(4)}")
        ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "text.json"))
        text = TextDocument(
            document_id=document_id,
            media_type="text/plain",
            pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
            extractor="test",
        )
        self.store.objects[ref.bucket, ref.key] = text.model_dump_json().encode()
        return TextExtracted(
            document_id=document_id,
            text=ref,
            media_type="text/plain",
            filename="opinion.txt",
            pages=len(pages),
            extractor="test",
            **fields,
        )

    async def publish(self, body: Any, topic: str, key: bytes | None = None) -> None:
        await self.broker.publish(body, topic, key=key)


@pytest.fixture
async def index() -> AsyncIterator[Index]:
    harness = wire(Index, IndexSettings, Stage.INDEX, es=MemorySearch())
    settings, broker, topics = harness.settings, harness.broker, harness.topics
    client = cast(AsyncElasticsearch, harness.es)
    indexer = Indexer(settings, client, harness.store)
    batches = BatchIndexStage(harness.runner, indexer, broker, topics, concurrency=2)
    records = RecordStage(settings, client)
    broker.include_router(build_router(settings, topics, harness.runner, batches, records))
    async with TestKafkaBroker(broker):
        yield harness


async def test_extracted_text_is_indexed_with_its_structure_and_announced(index: Index) -> None:
    event = index.put_text([OPINION], matter_id="M-7", hints=Hints(jurisdiction="us"))
    await index.publish(event.model_dump_event(), index.topics.text_extracted)

    [published] = index.indexed
    announced = DocumentIndexed.model_validate(published.body)
    assert published.key == event.document_id.encode()
    assert published.headers["event-type"] == "documents.indexed"
    assert (announced.document_id, announced.matter_id) == (event.document_id, "M-7")
    assert announced.index == documents_alias(index.settings)
    assert announced.extractor_version == EXTRACTOR_VERSION
    doc = index.search_document(event.document_id)
    assert (doc["kind"], doc["filename"], doc["matter_id"]) == ("document", "opinion.txt", "M-7")
    assert "384 U.S. 436" in {c["normalized"] for c in doc["citations"]}
    assert doc["page_count"] == 1
    status = index.status(event.document_id)
    assert (status["status"], status["source_event"]) == ("indexed", "text.extracted")
    # one bulk for the search documents, one for the status records ("indexed" means
    # searchable), then one for the passage vectors, which waits for no refresh
    assert index.es.refreshes == ["wait_for", "wait_for", False]
    assert doc["embedding_model"] == EMBEDDING_MODEL == status["embedding_model"]
    assert len(doc["chunks"]) == 1
    assert len(doc["chunks"][0]["vector"]) == DIMS
    assert doc["chunks"][0]["page"] == 1
    assert not index.failed
    assert not index.dlq


async def test_a_transcript_is_indexed_with_its_segments_and_announced(index: Index) -> None:
    document_id = f"doc-{secrets.token_hex(4)}"
    ref = ObjectRef(bucket=index.store.derived, key=derived_key(document_id, "transcript.json"))
    transcript = hearing_transcript(document_id)
    index.store.objects[ref.bucket, ref.key] = transcript.model_dump_json().encode()
    event = TranscriptReady(
        document_id=document_id,
        transcript=ref,
        vtt=ObjectRef(bucket=ref.bucket, key=derived_key(document_id, "transcript.vtt")),
        srt=ObjectRef(bucket=ref.bucket, key=derived_key(document_id, "transcript.srt")),
        media_type="audio/wav",
        filename="hearing.wav",
        duration=4.5,
        model="fake",
        device="cpu",
    )
    await index.publish(event.model_dump_event(), index.topics.transcript_ready)

    [published] = index.indexed
    assert published.body["document_id"] == document_id
    doc = index.search_document(document_id)
    assert (doc["kind"], doc["doc_type"], doc["duration"]) == ("recording", "transcript", 4.5)
    assert [(s["speaker"], s["text"]) for s in doc["segments"]] == [
        ("SPEAKER_1", "All rise."),
        ("SPEAKER_2", "Be seated."),
    ]
    # each segment says where the certified transcript writes it (page 1 is the caption)
    cites = [s["cite"] for s in doc["segments"]]
    assert cites == [segment_citations(layout(transcript))[s.id] for s in transcript.segments]
    assert cites[0] == "2:1"
    assert index.status(document_id)["source_event"] == "transcript.ready"
    assert not index.failed


async def test_an_undecodable_message_goes_to_the_dlq_and_fails_the_document_it_names(
    index: Index,
) -> None:
    await index.publish(b"not json at all", index.topics.text_extracted)
    half = {"document_id": "doc-half", "tenant": "t1", "filename": "half.txt"}
    await index.publish(half, index.topics.text_extracted, key=b"doc-half")

    assert_invalid_dead_letters(index.dlq, b"not json at all", 2)
    assert {d.headers[DLQ_ORIGINAL_TOPIC] for d in index.dlq} == {index.topics.text_extracted}
    # a failure event only where a document id could be read
    [failed] = index.failed
    assert_body(failed, document_id="doc-half", tenant="t1", stage="index")
    assert "invalid TextExtracted message" in failed.body["reason"]
    assert not index.indexed
    assert index.es.bulks == 0  # nothing prepared, nothing written
    # the index consumes its own documents.failed: the status record says why
    status = index.status("doc-half")
    assert (status["status"], status["failure_stage"]) == ("failed", "index")


async def test_a_missing_text_json_is_a_permanent_failure(index: Index) -> None:
    event = index.put_text(["gone"])
    del index.store.objects[event.text.bucket, event.text.key]
    await index.publish(event.model_dump_event(), index.topics.text_extracted)

    assert not index.indexed
    [failed] = index.failed
    assert failed.body["document_id"] == event.document_id
    assert "text.json of the document is missing" in failed.body["reason"]
    [dead] = index.dlq
    assert_dead_letter(dead, event)  # the message, unchanged


async def test_a_document_elasticsearch_refuses_fails_alone(index: Index) -> None:
    good, bad = index.put_text([OPINION]), index.put_text(["a page"])
    index.es.refuse.add(bad.document_id)
    # one batch of two records, as the consumer would get them
    await index.broker.publish_batch(
        good.model_dump_event(), bad.model_dump_event(), topic=index.topics.text_extracted
    )

    assert [p.body["document_id"] for p in index.indexed] == [good.document_id]
    [failed] = index.failed
    assert failed.body["document_id"] == bad.document_id
    assert failed.body["error_type"] == "IndexRejected"
    assert "mapper_parsing_exception" in failed.body["reason"]
    assert TextExtracted.model_validate_json(index.dlq[0].raw) == bad
    assert index.status(bad.document_id)["status"] == "failed"
    assert index.status(good.document_id)["status"] == "indexed"


async def test_a_stored_document_gets_its_status_record(index: Index) -> None:
    stored = document_stored(f"doc-{secrets.token_hex(4)}", matter_id="M-3")
    await index.publish(stored.model_dump_event(), index.topics.stored)

    status = index.status(stored.document_id)
    assert (status["status"], status["filename"], status["matter_id"]) == (
        "stored",
        "brief.pdf",
        "M-3",
    )
    assert status["provenance"]["intake"] == "http"
    assert not index.failed
    assert not index.indexed


async def test_late_events_of_a_deleted_document_write_nothing_and_announce_nothing(
    index: Index,
) -> None:
    # the deletion's record (its tombstone) names the document and its attachment; their
    # events still in flight arrive after it: a transcript, a progress report, a failure
    deleted, attachment = index.put_text([OPINION]), index.put_text(["an attachment"])
    # and an attachment ocr handed back after the deletion: a new id, the deleted parent's
    late_child = index.put_text(["found late"], parent_document_id=deleted.document_id)
    live = index.put_text(["another document, not deleted"])
    tombstone = {"state": "deleted", "document_ids": [deleted.document_id, attachment.document_id]}
    index.es.docs[deletions_index(index.settings), deleted.document_id] = tombstone

    await index.broker.publish_batch(
        deleted.model_dump_event(),
        attachment.model_dump_event(),
        late_child.model_dump_event(),
        live.model_dump_event(),
        topic=index.topics.text_extracted,
    )
    for child in (attachment.document_id, late_child.document_id):
        stored = document_stored(child, matter_id="M-3", parent_document_id=deleted.document_id)
        await index.publish(stored.model_dump_event(), index.topics.stored)

    assert [p.body["document_id"] for p in index.indexed] == [live.document_id]
    written = {key for _, key in index.es.docs}
    assert deleted.document_id in written  # the tombstone itself
    for gone in (deleted.document_id, attachment.document_id, late_child.document_id):
        assert (documents_alias(index.settings), gone) not in index.es.docs
        assert (status_index(index.settings), gone) not in index.es.docs
        # the text written late under its id went the way the rest of it went
        assert not [key for _, key in index.store.objects if key.startswith(f"{gone}/")]
    assert index.status(live.document_id)["status"] == "indexed"
    assert not index.failed
    assert not index.dlq


async def test_a_later_submission_of_the_same_bytes_is_listed_not_taken_for_the_document(
    index: Index,
) -> None:
    event = index.put_text([OPINION], matter_id="M-3")
    stored = document_stored(event.document_id, matter_id="M-3")
    await index.publish(stored.model_dump_event(), index.topics.stored)
    await index.publish(event.model_dump_event(), index.topics.text_extracted)
    before = dict(index.status(event.document_id))
    copy = Provenance(intake="topic", source="dms", external_id="DMS-77")
    later = stored.model_copy(
        update={"provenance": copy, "filename": "copy.pdf", "duplicate_of": event.document_id}
    )
    for _ in range(2):  # delivered twice: listed once
        await index.publish(later.model_dump_event(), index.topics.stored)
    # a submission into the matter the document was moved out of is not listed in the
    # matter it is in now (its submitter and id are the old matter's business)
    elsewhere = later.model_copy(
        update={
            "matter_id": "M-old",
            "provenance": Provenance(intake="topic", source="dms", external_id="DMS-OLD"),
        }
    )
    await index.publish(elsewhere.model_dump_event(), index.topics.stored)

    status = dict(index.status(event.document_id))
    listed = status.pop("submissions")
    assert [(s["source"], s["external_id"]) for s in listed] == [("dms", "DMS-77")]
    # nothing else changed: status, name, provenance and stage times are the document's own
    assert status == before
    assert status["status"] == "indexed"
    assert status["provenance"]["intake"] == "http"
    assert len(index.indexed) == 1

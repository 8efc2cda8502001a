"""Legal holds and defensible deletion on the real Elasticsearch and S3Proxy (issue 19, items
5 and 6).

Under an index prefix and two buckets of this module's own, documents go in through the real
ingest pipeline (original by content, ``document.json``, idempotence records) and the real
index code (status records, search documents), with derived objects as ocr, transcribe and
the gateway's page cache write them. Then:

- the reconciliation: after ``DELETE /v1/documents/{id}`` no store holds anything of the
  document or its attachment (every object key in both buckets, every index of the prefix
  searched for the id and the sha256), while bytes another live document shares survive;
- the matrix, generated: every deletion path (the API, retention, a DLQ replay, a re-upload,
  ``reindex --delete-old``) x every hold scope (matter, custodian, query) answers 409 /
  refuses, and nothing of the held document changed; released, the API deletes it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from elasticsearch import NotFoundError
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings, own_indices, service_fields

from lexstream.gateway.app import create_app
from lexstream.gateway.retention import apply_retention
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.indexer import Indexer
from lexstream.index.records import RecordStage
from lexstream.index.reindex import held_missing
from lexstream.index.settings import IndexSettings
from lexstream.index.status import record_event_status
from lexstream.ingest.pipeline import IngestPipeline, Submission
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.deletion import bootstrap_deletions_index, deletions_index
from lexstream.shared.dlq import replay_guard
from lexstream.shared.events import (
    DocumentFailed,
    DocumentProgress,
    DocumentStatus,
    DocumentStored,
    Event,
    Hints,
    ObjectRef,
    Provenance,
    Stage,
    TextExtracted,
    Topics,
)
from lexstream.shared.holds import DocumentHeld, HoldGuard, bootstrap_holds_index
from lexstream.shared.matters import MatterRegistry
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore, derived_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

RUN = uuid.uuid4().hex[:10]
CUSTODIAN = f"custodian-{RUN}"
SCOPES = ("matter", "custodian", "query")
PATHS = ("api", "retention", "dlq", "reupload", "reindex")
DERIVED_NAMES = ("text.json", "transcript.vtt", "pages/1-w800.png", "searchable.pdf")


class World:
    def __init__(self, own: CommonSettings, es: Any, store: ObjectStore, app: FastAPI) -> None:
        self.own, self.es, self.store, self.app = own, es, store, app
        self.published: list[tuple[str, Event]] = []
        index_settings = IndexSettings(
            **{**service_fields(own, IndexSettings), "embeddings": False}
        )
        self.indexer = Indexer(index_settings, es, store, refresh=True)
        self.pipeline = IngestPipeline(
            store,
            Topics(own.topic_prefix),
            self._published,
            matters=MatterRegistry(es, own, cache_ttl_s=0),
            holds=HoldGuard(es, store, own),
        )

    def guard(self) -> HoldGuard:
        return HoldGuard(self.es, self.store, self.own)

    async def _published(self, topic: str, event: Event) -> None:
        self.published.append((topic, event))

    async def add(
        self,
        matter: str,
        data: bytes,
        *,
        text: str,
        parent: str | None = None,
        uploader: str = "someone",
    ) -> str:
        """One document through ingest and index, with its derived objects."""
        with tempfile.NamedTemporaryFile(delete=False) as handle:
            handle.write(data)
        sub = Submission(
            path=Path(handle.name),
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            filename="exhibit.txt",
            provenance=Provenance(
                intake="http", uploader=uploader, source="dms", external_id=uuid.uuid4().hex
            ),
            tenant="default",
            matter_id=matter,
            parent_document_id=parent,
            member="a.txt" if parent else None,
        )
        try:
            stored = await self.only_stored(sub)
        finally:
            os.unlink(handle.name)
        document_id = stored.document_id
        text_ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "text.json"))
        for name in DERIVED_NAMES:
            ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, name))
            await self.store.put_bytes(ref, b"derived", content_type="application/octet-stream")
        document = TextDocument(
            document_id=document_id,
            media_type="text/plain",
            pages=[Page(number=1, text=text, method="plain")],
            extractor="test",
        )
        await self.store.put_json(text_ref, document.model_dump(mode="json"))
        extracted = TextExtracted(
            document_id=document_id,
            matter_id=matter,
            parent_document_id=parent,
            text=text_ref,
            media_type="text/plain",
            filename="exhibit.txt",
            pages=1,
            hints=Hints(),
            extractor="test",
        )
        prepared = await self.indexer.prepare(extracted)
        assert await self.indexer.write([prepared]) == {}
        return document_id

    async def only_stored(self, sub: Submission) -> DocumentStored:
        """``sub`` through ingest, with its status record ``stored`` (visible to searches):
        a document on its way, not yet extracted or indexed."""
        outcome = await self.pipeline.ingest(sub)
        assert outcome.status == "stored", outcome
        stored = next(
            e
            for _, e in self.published
            if isinstance(e, DocumentStored) and e.document_id == outcome.document_id
        )
        await record_event_status(
            self.es,
            self.indexer.status_index,
            stored,
            DocumentStatus.STORED,
            always={
                "tenant": sub.tenant,
                "matter_id": sub.matter_id,
                "parent_document_id": sub.parent_document_id,
            },
        )
        await self.es.indices.refresh(index=self.indexer.status_index)
        return stored

    async def failed_at_ingest(self, sub: Submission) -> str:
        """``sub`` (a file ingest refuses) through ingest, with its status record ``failed``
        as the index writes it: the id of the failed document."""
        outcome = await self.pipeline.ingest(sub)
        assert outcome.status == "failed", outcome
        failure = next(
            e
            for _, e in self.published
            if isinstance(e, DocumentFailed) and e.document_id == outcome.document_id
        )
        await RecordStage(self.indexer.settings, self.es).on_failed(failure)
        await self.es.indices.refresh(index=self.indexer.status_index)
        return outcome.document_id

    async def traces(self, document_id: str, sha256: str) -> list[str]:
        """Everything any store still holds that names the document or its bytes (the
        deletion records and the audit trail, which name what was deleted, excepted)."""
        found = []
        for bucket in (self.store.originals, self.store.derived):
            for obj in self.store.client.list_objects(bucket, recursive=True):
                name = obj.object_name or ""
                if document_id in name or sha256 in name:
                    found.append(f"s3://{bucket}/{name}")
                elif name.startswith("_ingest/"):
                    body = await self.store.get_bytes(ObjectRef(bucket=bucket, key=name))
                    if document_id.encode() in body:
                        found.append(f"s3://{bucket}/{name}")
        skip = {deletions_index(self.own), f"{self.own.index_prefix}-audit"}
        await self.es.indices.refresh(index=f"{self.own.index_prefix}-*")
        indices = await self.es.indices.get(index=f"{self.own.index_prefix}-*")
        for index in sorted(set(indices) - skip):
            hits = await self.es.search(
                index=index,
                query={
                    "bool": {
                        "should": [
                            {"ids": {"values": [document_id]}},
                            {
                                "query_string": {
                                    "query": f'"{document_id}" OR "{sha256}"',
                                    "lenient": True,
                                }
                            },
                        ]
                    }
                },
                size=5,
            )
            found += [f"{index}/{h['_id']}" for h in hits["hits"]["hits"]]
        return found

    async def snapshot(self, document_id: str) -> dict[str, Any]:
        """What the stores hold of a document (to prove a refused path changed nothing)."""
        await self.es.indices.refresh(index=f"{self.own.index_prefix}-*")
        keys = sorted(
            o.object_name or ""
            for o in self.store.client.list_objects(
                self.store.derived, prefix=f"{document_id}/", recursive=True
            )
        )
        record = await self.store.get_json(
            ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "document.json"))
        )
        original = await self.store.exists(ObjectRef.parse(record["original"]))
        search = await self.es.search(
            index=self.indexer.alias, query={"ids": {"values": [document_id]}}
        )
        status = await self.es.get(index=self.indexer.status_index, id=document_id)
        return {
            "keys": keys,
            "record": record,
            "original": original,
            "search": [h["_source"].get("content") for h in search["hits"]["hits"]],
            "status": status["_source"].get("status"),
        }


@pytest.fixture(scope="module")
async def world(settings: CommonSettings) -> AsyncIterator[World]:
    async with own_indices(settings, f"holds{RUN}") as own:
        own = own.model_copy(
            update={"originals_bucket": f"lxhold-o-{RUN}", "derived_bucket": f"lxhold-d-{RUN}"}
        )
        es = make_search_client(own)
        store = ObjectStore(own)
        await store.bootstrap()
        await bootstrap_indices(es, own)
        await bootstrap_deletions_index(es, own)
        app = create_app(
            gateway_settings(
                own, rate_limit_per_s=1000.0, rate_limit_burst=1000, hybrid_search=False
            )
        )
        try:
            async with app.router.lifespan_context(app):
                await bootstrap_holds_index(es, own)
                # the stores' refresh="wait_for" waits for the next refresh: sooner here
                await es.indices.put_settings(
                    index=f"{own.index_prefix}-*", settings={"refresh_interval": "100ms"}
                )
                yield World(own, es, store, app)
        finally:
            for bucket in (store.originals, store.derived):
                for obj in store.client.list_objects(bucket, recursive=True):
                    store.client.remove_object(bucket, obj.object_name or "")
                store.client.remove_bucket(bucket)
            await es.close()


async def _matter(client: httpx.AsyncClient, label: str) -> str:
    matter = f"H{label}-{RUN}"
    created = await client.post("/v1/matters", json={"matter_id": matter, "name": label})
    assert created.status_code == 201, created.text
    return matter


async def test_deletion_leaves_nothing_but_shared_bytes_survive(world: World) -> None:
    async with gateway_client(world.app) as admin:
        matter = await _matter(admin, "rec")
        doomed_bytes, shared_bytes = f"doomed {RUN}".encode(), f"shared {RUN}".encode()
        doomed = await world.add(matter, doomed_bytes, text="a contract about widgets")
        child = await world.add(
            matter, f"child {RUN}".encode(), text="an attachment", parent=doomed
        )
        sharing = await world.add(matter, shared_bytes, text="first copy of the memo")
        other_matter = await _matter(admin, "rec2")
        survivor = await world.add(other_matter, shared_bytes, text="second copy of the memo")

        assert (await world.snapshot(doomed))["original"]  # there before
        answer = await admin.delete(f"/v1/documents/{doomed}")
        assert answer.status_code == 200, answer.text
        assert set(answer.json()["deleted"]) == {doomed, child}
        again = await admin.delete(f"/v1/documents/{doomed}")
        assert again.status_code == 404
        shared_answer = await admin.delete(f"/v1/documents/{sharing}")
        assert shared_answer.status_code == 200, shared_answer.text
        assert shared_answer.json()["removed"][sharing]["original"] == "kept: shared"

        for document_id, data in ((doomed, doomed_bytes), (child, f"child {RUN}".encode())):
            assert await world.traces(document_id, hashlib.sha256(data).hexdigest()) == []
        assert await world.traces(sharing, "-no-hash-") == []
        # the other live document's bytes and records are all still there
        kept = await world.snapshot(survivor)
        assert kept["original"]
        assert kept["status"] == "indexed"
        assert kept["search"]
        # the record of what was deleted, by whom: no content, name or hash in it
        record = await world.es.get(index=deletions_index(world.own), id=doomed)
        source = record["_source"]
        assert source["state"] == "deleted"
        assert source["deleted_by"]
        assert set(source["removed"]) == {doomed, child}
        text = json.dumps(source)
        assert "widgets" not in text
        assert "exhibit.txt" not in text
        assert hashlib.sha256(doomed_bytes).hexdigest() not in text
        # a re-upload of the deleted bytes is a new document, not a "duplicate" of a ghost
        again_id = await world.add(matter, doomed_bytes, text="uploaded again")
        assert again_id != doomed


async def _hold(client: httpx.AsyncClient, matter: str, scope: str) -> str:
    body: dict[str, Any] = {"name": f"{scope} hold", "reason": "litigation", "scope": scope}
    if scope == "custodian":
        body["custodian"] = CUSTODIAN
    if scope == "query":
        body["query"] = f"privileged{RUN}"
    created = await client.post(f"/v1/matters/{matter}/holds", json=body)
    assert created.status_code == 201, created.text
    hold = created.json()
    assert hold["status"] == "active"
    # S3Proxy 4.1 implements no object lock; "none": no original was covered
    assert hold["s3_legal_hold"] in ("unsupported", "none")
    return str(hold["hold_id"])


async def _try_api(_world: World, client: httpx.AsyncClient, document_id: str) -> int:
    return (await client.delete(f"/v1/documents/{document_id}")).status_code


async def _try_retention(world: World, client: httpx.AsyncClient, document_id: str) -> int:
    matter = (await world.guard().document_facts(document_id))["matter_id"]
    put = await client.put(f"/v1/matters/{matter}/retention", json={"delete_after_days": 0})
    assert put.status_code == 200, put.text
    report = await apply_retention(
        world.es, world.store, world.own, now=_future(), matter_ids={matter}
    )
    if document_id in report.held:
        return 409
    return 200 if document_id in report.deleted else 500


async def _try_dlq(world: World, _client: httpx.AsyncClient, document_id: str) -> int:
    guard = replay_guard(world.es, world.store, world.own)
    try:
        await guard(document_id.encode())
    except DocumentHeld:
        return 409
    return 200


async def _try_reupload(world: World, _client: httpx.AsyncClient, document_id: str) -> int:
    # a failed document is redone under its id when the same bytes come again
    record = await world.store.get_json(
        ObjectRef(bucket=world.store.derived, key=derived_key(document_id, "document.json"))
    )
    failed = {"document_id": document_id, "failed": True}
    for key in _record_keys(record):
        await world.store.put_json(ObjectRef(bucket=world.store.derived, key=key), failed)
    data = await world.store.get_bytes(ObjectRef.parse(record["original"]))
    try:
        await world.add(
            record["matter_id"], data, text="overwritten", uploader=record["provenance"]["uploader"]
        )
    except DocumentHeld:
        return 409
    return 200


async def _try_reindex(world: World, _client: httpx.AsyncClient, document_id: str) -> int:
    # a new index the held document did not reach (its copy failed): --delete-old keeps
    # the old one
    target = f"{world.own.index_prefix}-documents-empty-{uuid.uuid4().hex[:6]}"
    await world.es.indices.create(index=target)
    sources = sorted(await world.es.indices.get_alias(name=world.indexer.alias))
    await world.es.indices.refresh(index=sources)
    others = await world.es.search(
        index=sources,
        query={"bool": {"must_not": [{"ids": {"values": [document_id]}}]}},
        source=False,
        size=10_000,
    )
    operations: list[dict[str, Any]] = []
    for hit in others["hits"]["hits"]:  # every other document was copied
        operations += [{"index": {"_index": target, "_id": hit["_id"]}}, {}]
    if operations:
        await world.es.bulk(operations=operations, refresh=True)
    try:
        held = await held_missing(world.es, world.store, world.own, sources, target)
    finally:
        await world.es.indices.delete(index=target)
    return 409 if document_id in held else 200


def _record_keys(record: dict[str, Any]) -> list[str]:
    from lexstream.shared.deletion import Deleter

    return Deleter._idempotence_keys(record)


def _future() -> Any:
    from datetime import UTC, datetime, timedelta

    return datetime.now(UTC) + timedelta(days=1)


TRIES: dict[str, Callable[[World, httpx.AsyncClient, str], Awaitable[int]]] = {
    "api": _try_api,
    "retention": _try_retention,
    "dlq": _try_dlq,
    "reupload": _try_reupload,
    "reindex": _try_reindex,
}


@pytest.fixture(scope="module")
async def held_matters(world: World) -> dict[str, tuple[str, str]]:
    """A matter per hold scope, each with its hold (made before any of its documents: a
    hold covers what arrives later too): scope -> (matter, hold id)."""
    found = {}
    async with gateway_client(world.app) as admin:
        for scope in SCOPES:
            matter = await _matter(admin, scope)
            found[scope] = (matter, await _hold(admin, matter, scope))
    return found


@pytest.mark.parametrize(("path", "scope"), list(itertools.product(PATHS, SCOPES)))
async def test_nothing_under_hold_is_touched(
    world: World, held_matters: dict[str, tuple[str, str]], path: str, scope: str
) -> None:
    matter, _hold_id = held_matters[scope]
    data = f"{path} {scope} {RUN} {time.time_ns()}".encode()
    held = await world.add(matter, data, text=f"privileged{RUN} advice", uploader=CUSTODIAN)
    # outside a custodian or query hold: the same path goes through (it is not "refuse all")
    free = await world.add(matter, b"free " + data, text="an ordinary letter")
    before = await world.snapshot(held)
    async with gateway_client(world.app) as admin:
        if scope != "matter":
            assert await world.guard().holds_on(free) == []
            assert await TRIES[path](world, admin, free) == 200
        assert await TRIES[path](world, admin, held) == 409
    assert await world.snapshot(held) == before


async def test_a_released_hold_stays_listed_and_protects_no_more(
    world: World, held_matters: dict[str, tuple[str, str]]
) -> None:
    async with gateway_client(world.app) as admin:
        for scope, (matter, hold_id) in held_matters.items():
            held = await world.add(
                matter,
                f"release {scope} {RUN}".encode(),
                text=f"privileged{RUN}",
                uploader=CUSTODIAN,
            )
            assert (await admin.delete(f"/v1/documents/{held}")).status_code == 409
            released = await admin.post(
                f"/v1/matters/{matter}/holds/{hold_id}/release", json={"reason": "settled"}
            )
            assert released.status_code == 200, released.text
            assert released.json()["status"] == "released"
            assert released.json()["released_by"]
            again = await admin.post(f"/v1/matters/{matter}/holds/{hold_id}/release")
            assert again.status_code == 409
            listed = (await admin.get(f"/v1/matters/{matter}/holds")).json()["holds"]
            assert [(h["hold_id"], h["status"]) for h in listed] == [(hold_id, "released")]
            assert listed[0]["release_reason"] == "settled"
            gone = await admin.delete(f"/v1/documents/{held}")
            assert gone.status_code == 200, gone.text
        trail = {}
        for action in ("hold.create", "hold.release", "document.delete"):
            answer = await admin.get("/v1/audit", params={"action": action, "size": 1000})
            assert answer.status_code == 200, answer.text
            trail[action] = answer.json()["entries"]
    matters = {matter for matter, _ in held_matters.values()}
    for action in ("hold.create", "hold.release"):
        assert matters <= {e["matter_id"] for e in trail[action]}, action
    # the refused deletions (409) and the deletions after release (200), each audited
    codes = {e["status_code"] for e in trail["document.delete"] if e["matter_id"] in matters}
    assert codes == {200, 409}


async def test_a_dlq_replay_puts_a_held_documents_message_back(world: World) -> None:
    """On the real Kafka: of two DLQ messages, the free document's is replayed to its topic
    and the held one's goes back to the end of the DLQ, marked, for a later replay."""
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

    from lexstream.shared.dlq import HELD, replay
    from lexstream.shared.kafka import DLQ_ORIGINAL_TOPIC, ensure_topics
    from lexstream.shared.transport import kafka_client_options

    async with gateway_client(world.app) as admin:  # a hold of its own: none is released
        matter = await _matter(admin, "dlq")
        hold_id = await _hold(admin, matter, "custodian")
    held = await world.add(matter, f"dlq held {RUN}".encode(), text="x", uploader=CUSTODIAN)
    free = await world.add(matter, f"dlq free {RUN}".encode(), text="y")
    topic = f"{world.own.topic_prefix}.holds{RUN}.requested.v1"
    dlq = f"{topic}.dlq"
    await ensure_topics(world.own, [topic])
    producer = AIOKafkaProducer(**kafka_client_options(world.own))
    await producer.start()
    try:
        for document_id in (held, free):
            await producer.send_and_wait(
                dlq,
                json.dumps({"document_id": document_id}).encode(),
                key=document_id.encode(),
                headers=[(DLQ_ORIGINAL_TOPIC, topic.encode())],
            )
    finally:
        await producer.stop()

    guard = replay_guard(world.es, world.store, world.own)
    assert await replay(world.own, dlq, idle_s=3.0, guard=guard) == 1

    records: dict[str, list[Any]] = {topic: [], dlq: []}
    producer = AIOKafkaProducer(**kafka_client_options(world.own))
    await producer.start()
    try:  # the producer fetches the topics' metadata (an unassigned consumer has none)
        partitions = [
            TopicPartition(t, p) for t in records for p in await producer.partitions_for(t)
        ]
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(**kafka_client_options(world.own), auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and [
            tp for tp in partitions if await consumer.position(tp) < end[tp]
        ]:
            for tp, got in (await consumer.getmany(*partitions, timeout_ms=1000)).items():
                records[tp.topic].extend(got)
    finally:
        await consumer.stop()
    replayed = [r.key for r in records[topic]]
    in_dlq = records[dlq]
    assert replayed == [free.encode()]
    assert len(in_dlq) == 3  # the two dead letters, and the held one put back
    marked = [r for r in in_dlq if dict(r.headers or []).get(HELD)]
    assert [r.key for r in marked] == [held.encode()]
    assert dict(marked[0].headers or [])[HELD] == hold_id.encode()


async def test_late_events_do_not_bring_a_deleted_document_back(world: World) -> None:
    """Events of a document still in flight when it is deleted (its transcript or text
    finishing, a progress report, a failure, a DLQ replay) arrive after the deletion: the
    index service writes neither a status record nor a search document for it again."""
    records = RecordStage(world.indexer.settings, world.es)
    async with gateway_client(world.app) as admin:
        matter = await _matter(admin, "late")
        doomed = await world.add(matter, f"late {RUN}".encode(), text="a late privileged memo")
        child = await world.add(
            matter, f"late child {RUN}".encode(), text="its attachment", parent=doomed
        )
        answer = await admin.delete(f"/v1/documents/{doomed}")
        assert answer.status_code == 200, answer.text
        assert set(answer.json()["deleted"]) == {doomed, child}
    tombstone = (await world.es.get(index=deletions_index(world.own), id=doomed))["_source"]
    assert set(tombstone["document_ids"]) == {doomed, child}

    live = await world.add(matter, f"late live {RUN}".encode(), text="a memo kept")
    for document_id in (doomed, child):
        stored = next(
            e
            for _, e in world.published
            if isinstance(e, DocumentStored) and e.document_id == document_id
        )
        await records.on_stored(stored)  # a replay of the first event
        common = {"document_id": document_id, "matter_id": matter}
        await records.on_progress(
            DocumentProgress(**common, stage=Stage.OCR, status=DocumentStatus.EXTRACTING)
        )
        await records.on_failed(
            DocumentFailed(**common, stage=Stage.OCR, reason="late", error_type="Late")
        )
    # the text of both, written late by ocr, in one batch with a live document's new text
    batch = []
    for document_id, text in ((doomed, "a late privileged memo"), (child, "x"), (live, "kept")):
        ref = ObjectRef(bucket=world.store.derived, key=derived_key(document_id, "text.json"))
        page = Page(number=1, text=text, method="plain")
        document = TextDocument(
            document_id=document_id, media_type="text/plain", pages=[page], extractor="late"
        )
        await world.store.put_json(ref, document.model_dump(mode="json"))
        event = TextExtracted(
            document_id=document_id,
            matter_id=matter,
            text=ref,
            media_type="text/plain",
            filename="exhibit.txt",
            pages=1,
            hints=Hints(),
            extractor="late",
        )
        batch.append(await world.indexer.prepare(event))
    refused, dropped = await world.indexer.write_live(batch)

    assert refused == {}
    assert dropped == {doomed, child}
    await world.es.indices.refresh(index=f"{world.own.index_prefix}-*")
    for document_id in (doomed, child):
        with pytest.raises(NotFoundError):
            await world.es.get(index=world.indexer.status_index, id=document_id)
        hits = await world.es.search(
            index=world.indexer.alias, query={"ids": {"values": [document_id]}}
        )
        assert hits["hits"]["hits"] == []
    searched = await world.es.search(
        index=world.indexer.alias, query={"match_phrase": {"content": "late privileged memo"}}
    )
    assert searched["hits"]["hits"] == []
    # the whole reconciliation of the deletion still holds: nothing in any store
    for document_id, data in ((doomed, f"late {RUN}"), (child, f"late child {RUN}")):
        sha256 = hashlib.sha256(data.encode()).hexdigest()
        assert await world.traces(document_id, sha256) == []
    kept = await world.snapshot(live)
    assert kept["status"] == "indexed"
    assert kept["search"]


def _submission(matter: str, path: Path, data: bytes, external_id: str) -> Submission:
    return Submission(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        filename="exhibit.txt",
        provenance=Provenance(intake="http", source="dms", external_id=external_id),
        tenant="default",
        matter_id=matter,
    )


async def test_records_a_deletion_could_not_name_do_not_swallow_a_later_submission(
    world: World, tmp_path: Path
) -> None:
    """A deletion removes the idempotence records its document's ``document.json`` names.
    Where none names them (a document that failed at ingest before it had one; a deletion
    recorded before tombstones listed every member), the records stayed, and the same bytes
    submitted again were redone under the deleted id, whose events the index drops: the new
    submission was lost. Now a record of a deleted document answers nothing."""
    async with gateway_client(world.app) as admin:
        matter = await _matter(admin, "again")
        data = f"resubmitted {RUN}".encode()
        first = await world.add(matter, data, text="a memo deleted and sent again")
        record = await world.store.get_json(
            ObjectRef(bucket=world.store.derived, key=derived_key(first, "document.json"))
        )
        left = {}
        for key in _record_keys(record):
            left[key] = await world.store.get_bytes(ObjectRef(bucket=world.store.derived, key=key))
        assert len(left) == 2  # by content and by the submission's external id
        answer = await admin.delete(f"/v1/documents/{first}")
        assert answer.status_code == 200, answer.text
    for key, body in left.items():  # as a deletion that could not name them left them
        await world.store.put_bytes(
            ObjectRef(bucket=world.store.derived, key=key), body, content_type="application/json"
        )
    path = tmp_path / "again.txt"
    path.write_bytes(data)
    again = await world.pipeline.ingest(
        _submission(matter, path, data, str(record["provenance"]["external_id"]))
    )
    assert again.status == "stored", again
    assert again.document_id != first
    for key in left:  # the records now name the new document
        body = await world.store.get_json(ObjectRef(bucket=world.store.derived, key=key))
        assert body["document_id"] == again.document_id

    # a document that failed before it had a document.json: an empty file
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    failed = await world.failed_at_ingest(_submission(matter, empty, b"", f"empty-{RUN}"))
    async with gateway_client(world.app) as admin:
        answer = await admin.delete(f"/v1/documents/{failed}")
        assert answer.status_code == 200, answer.text
    retried = await world.pipeline.ingest(_submission(matter, empty, b"", f"empty-{RUN}"))
    assert retried.status == "failed"  # still empty; but a document of its own, seen failing
    assert retried.document_id != failed


async def test_a_container_deleted_before_it_is_expanded_stores_no_member(
    world: World, tmp_path: Path
) -> None:
    """The container's documents.stored event reaches ingest's expansion after the container
    was deleted (a slow consumer, a replay): no member is stored, none announced."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(3):
            archive.writestr(f"member-{n}.txt", f"member {n} of a deleted archive {RUN}")
    data = buffer.getvalue()
    async with gateway_client(world.app) as admin:
        matter = await _matter(admin, "zip")
        path = tmp_path / "bundle.zip"
        path.write_bytes(data)
        stored = await world.only_stored(_submission(matter, path, data, f"zip-{RUN}"))
        answer = await admin.delete(f"/v1/documents/{stored.document_id}")
        assert answer.status_code == 200, answer.text
    before = len(world.published)
    await world.pipeline.expand(stored)
    assert world.published[before:] == []  # no member stored, no listing
    members = [
        hashlib.sha256(f"member {n} of a deleted archive {RUN}".encode()).hexdigest()
        for n in range(3)
    ]
    names = [
        o.object_name or ""
        for o in world.store.client.list_objects(world.store.originals, recursive=True)
    ]
    assert not [n for n in names if any(m in n for m in members)]


async def test_a_page_rendered_as_its_document_is_deleted_is_not_left_in_the_cache(
    world: World,
) -> None:
    """A page image rendered before the deletion and cached after it (the gateway writes the
    cache once the page has gone out) is removed again; a live document's stays."""
    from lexstream.gateway.pages import _store_in_cache, page_cache_key

    gateway = world.app.state.gateway
    async with gateway_client(world.app) as admin:
        matter = await _matter(admin, "pages")
        doomed = await world.add(matter, f"page doomed {RUN}".encode(), text="to be deleted")
        live = await world.add(matter, f"page live {RUN}".encode(), text="kept")
        answer = await admin.delete(f"/v1/documents/{doomed}")
        assert answer.status_code == 200, answer.text
    refs = {
        d: ObjectRef(bucket=world.store.derived, key=page_cache_key(d, 1, 800))
        for d in (doomed, live)
    }
    for document_id, ref in refs.items():
        await _store_in_cache(gateway, ref, b"\x89PNG rendered", document_id)
    assert not await world.store.exists(refs[doomed])
    assert await world.store.exists(refs[live])


async def test_a_query_hold_covers_a_document_whose_text_is_not_indexed_yet(
    world: World, tmp_path: Path
) -> None:
    """A query hold is over the words of a matter's documents; a document still on its way
    to the index has no words there yet, and was deletable although it may match once
    indexed. Now it is held until the index can tell; one that failed has nothing to match."""
    async with gateway_client(world.app) as admin:
        matter = await _matter(admin, "unindexed")
        await _hold(admin, matter, "query")
        data = f"privileged{RUN} memo on its way {RUN}".encode()
        path = tmp_path / "memo.txt"
        path.write_bytes(data)
        stored = await world.only_stored(_submission(matter, path, data, f"way-{RUN}"))
        refused = await admin.delete(f"/v1/documents/{stored.document_id}")
        assert refused.status_code == 409, refused.text

        unmatched = await world.add(matter, f"an ordinary note {RUN}".encode(), text="ordinary")
        assert (await admin.delete(f"/v1/documents/{unmatched}")).status_code == 200
        empty = tmp_path / "empty.txt"
        empty.write_bytes(b"")
        failed = await world.failed_at_ingest(_submission(matter, empty, b"", f"void-{RUN}"))
        assert (await admin.delete(f"/v1/documents/{failed}")).status_code == 200

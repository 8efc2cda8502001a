"""Poison messages on every topic: DLQ, a failed status where a document is named, the
consumers go on; then a DLQ replay, after the cause was fixed, brings documents to indexed.

Three kinds of poison: bytes that are not JSON, a valid envelope with an unknown schema
version, and a well-formed event that references an object that does not exist (yet).
"""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from minio import Minio

from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import (
    ObjectRef,
    OcrRequested,
    TextExtracted,
    Topics,
    TranscribeRequested,
)
from lexstream.shared.ids import new_document_id
from tests.reliability.conftest import System, system_running
from tests.reliability.corpus import short_wav, text_pdf
from tests.reliability.harness import Reconciliation, record_result
from tests.reliability.stack import S3_PORT, PrivateStack
from tests.support.launcher import ROOT, new_prefix
from tests.support.wait import eventually

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(900)]


def _s3() -> Minio:
    return Minio(
        f"127.0.0.1:{S3_PORT}", access_key="lexstream", secret_key="lexstream-secret", secure=False
    )


@pytest.fixture
def upstream_bucket() -> str:
    """The bucket upstream submissions name (ingest reads no object_uri outside its configured
    upstream, inbox and adopt buckets, and never lexstream's own)."""
    return f"{new_prefix('lxu')}-upstream"


@pytest.fixture
def system(private_stack: PrivateStack, tmp_path: Path, upstream_bucket: str) -> Iterator[System]:
    """The suite's fresh services, ingest accepting submissions from ``upstream_bucket``."""
    s3 = _s3()
    if not s3.bucket_exists(upstream_bucket):
        s3.make_bucket(upstream_bucket)
    extra = {"ingest": {"LEXSTREAM_UPSTREAM_BUCKETS": json.dumps([upstream_bucket])}}
    with system_running(private_stack, tmp_path, extra) as built:
        yield built


def _topics_with_envelopes(t: Topics) -> list[str]:
    """Every topic a lexstream consumer reads whose messages carry our envelope."""
    return [
        t.stored,
        t.ocr_requested,
        t.transcribe_requested,
        t.text_extracted,
        t.transcript_ready,
        t.progress,
        t.failed,
    ]


async def _publish(kafka: str, messages: list[tuple[str, bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await producer.start()
    try:
        for topic, key, value in messages:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def _read_all(kafka: str, topic: str) -> list[Any]:
    """Every record of a topic, from the beginning to its end now."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    try:
        # the producer fetches the topic's metadata (an unsubscribed consumer has none)
        partitions = [TopicPartition(topic, p) for p in await producer.partitions_for(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records: list[Any] = []
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=2000)
            for items in batch.values():
                records.extend(items)
        return records
    finally:
        await consumer.stop()
        await producer.stop()


def _status(system: System, document_id: str) -> dict[str, Any]:
    found = system.es.options(ignore_status=404).get(
        index=f"{system.prefix}-status", id=document_id
    )
    return dict(found.get("_source") or {})


def _status_by_external_id(system: System, external_id: str) -> dict[str, Any]:
    system.es.indices.refresh(index=f"{system.prefix}-status")
    for hit in system.es.search(index=f"{system.prefix}-status", size=1000)["hits"]["hits"]:
        if (hit["_source"].get("provenance") or {}).get("external_id") == external_id:
            return dict(hit["_source"])
    return {}


def _wait(check: Any, what: str, timeout_s: float = 300) -> None:
    eventually(check, what=what, timeout_s=timeout_s, interval_s=2)


def test_poison_messages_dlq_failed_status_and_replay(system: System, upstream_bucket: str) -> None:
    topics = Topics(system.prefix)
    originals, derived = f"{system.prefix}-originals", f"{system.prefix}-derived"
    matter = system.matter_id
    messages: list[tuple[str, bytes, bytes]] = []

    # 1. not JSON, on every consumed topic (upstream and S3 events included)
    garbage_topics = [topics.submitted, topics.s3_events, *_topics_with_envelopes(topics)]
    for topic in garbage_topics:
        messages.append((topic, b"garbage", b'{"document_id": "x", this is not json'))

    # 2. a valid envelope with an unknown schema version: the document it names ends failed
    unknown_version: dict[str, str] = {}
    for topic in _topics_with_envelopes(topics):
        document_id = new_document_id()
        unknown_version[topic] = document_id
        envelope = {
            "event_id": new_document_id(),
            "schema_version": 99,
            "occurred_at": "2026-01-01T00:00:00Z",
            "document_id": document_id,
            "tenant": "default",
            "matter_id": matter,
        }
        messages.append((topic, document_id.encode(), json.dumps(envelope).encode()))

    # 3. references to objects that do not exist yet (fixed below, then replayed)
    pdf_key = f"{system.prefix}/late.pdf"
    submitted_external_id = f"{system.prefix}-late"
    messages.append(
        (
            topics.submitted,
            submitted_external_id.encode(),
            json.dumps(
                {
                    "source": "reliability",
                    "external_id": submitted_external_id,
                    "filename": "late.pdf",
                    "object_uri": f"s3://{upstream_bucket}/{pdf_key}",
                    "matter_id": matter,
                }
            ).encode(),
        )
    )
    missing: dict[str, tuple[str, ObjectRef]] = {}
    ocr_id, audio_id, text_id = new_document_id(), new_document_id(), new_document_id()
    ocr_ref = ObjectRef(bucket=originals, key=f"missing/{ocr_id}")
    audio_ref = ObjectRef(bucket=originals, key=f"missing/{audio_id}")
    text_ref = ObjectRef(bucket=derived, key=f"{text_id}/text.json")
    events = [
        (
            topics.ocr_requested,
            OcrRequested(
                document_id=ocr_id,
                matter_id=matter,
                original=ocr_ref,
                media_type="application/pdf",
                filename="missing.pdf",
            ),
        ),
        (
            topics.transcribe_requested,
            TranscribeRequested(
                document_id=audio_id,
                matter_id=matter,
                original=audio_ref,
                media_type="audio/x-wav",
                filename="missing.wav",
            ),
        ),
        (
            topics.text_extracted,
            TextExtracted(
                document_id=text_id,
                matter_id=matter,
                text=text_ref,
                media_type="application/pdf",
                filename="missing-text.pdf",
                pages=1,
                extractor="reliability-test",
            ),
        ),
    ]
    for topic, event in events:
        missing[topic] = (event.document_id, getattr(event, "original", None) or text_ref)
        messages.append(
            (topic, event.document_id.encode(), json.dumps(event.model_dump_event()).encode())
        )
    asyncio.run(_publish(system.kafka, messages))

    # the consumers go on: a good document sent after the poison is indexed
    with system.admin() as admin:
        response = admin.post(
            "/v1/documents",
            data={"matter_id": matter},
            files={"file": ("after-poison.pdf", text_pdf(["after the poison", system.prefix]))},
        )
        assert response.status_code == 202, response.text
        good_id = response.json()["document_id"]
    _wait(lambda: _status(system, good_id).get("status") == "indexed", "the good document")

    # every poison message is in its topic's DLQ, with the error in its headers
    def dlq_keys(topic: str) -> list[bytes]:
        return [r.key for r in asyncio.run(_read_all(system.kafka, Topics.dlq(topic)))]

    for topic in garbage_topics:
        _wait(lambda t=topic: b"garbage" in dlq_keys(t), f"the garbage message in {topic}.dlq")
    for topic, document_id in unknown_version.items():
        _wait(
            lambda t=topic, d=document_id: d.encode() in dlq_keys(t),
            f"the unknown-version message in {topic}.dlq",
        )
    record = asyncio.run(_read_all(system.kafka, Topics.dlq(topics.ocr_requested)))[0]
    headers = dict(record.headers)
    assert headers["x-lexstream-original-topic"] == topics.ocr_requested.encode()
    assert headers["x-lexstream-error"]

    # where a document is named, its status is failed with a reason
    for topic, document_id in unknown_version.items():
        _wait(
            lambda d=document_id: _status(system, d).get("status") == "failed",
            f"failed status of the unknown-version document on {topic}",
        )
        assert "schema_version" in _status(system, document_id)["failure_reason"], topic
    for topic, (document_id, _) in missing.items():
        _wait(
            lambda d=document_id: _status(system, d).get("status") == "failed",
            f"failed status of the missing-object document on {topic}",
        )
        assert _status(system, document_id)["failure_reason"], topic
    _wait(
        lambda: _status_by_external_id(system, submitted_external_id).get("status") == "failed",
        "failed status of the submission whose object is missing",
    )

    # 4. fix the cause (the objects arrive), replay the DLQs: those documents end indexed
    s3 = _s3()

    def put(ref: ObjectRef, data: bytes, content_type: str) -> None:
        s3.put_object(ref.bucket, ref.key, io.BytesIO(data), len(data), content_type=content_type)

    put(
        ObjectRef(bucket=upstream_bucket, key=pdf_key),
        text_pdf(["late arrival", "quokkaprotocol"]),
        "application/pdf",
    )
    put(ocr_ref, text_pdf(["the missing exhibit", "wombatcovenant"]), "application/pdf")
    put(audio_ref, short_wav(7), "audio/x-wav")
    text = TextDocument(
        document_id=text_id,
        media_type="application/pdf",
        pages=[Page(number=1, text="the missing text numbatclause", method="plain")],
        extractor="reliability-test",
    )
    put(text_ref, json.dumps(text.model_dump(mode="json")).encode(), "application/json")

    replayed = {}
    for topic in (topics.submitted, *missing):
        result = subprocess.run(
            [sys.executable, "-m", "lexstream.shared.dlq", "replay", "--topic", Topics.dlq(topic)],
            cwd=ROOT,
            env=system.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        replayed[topic] = result.stderr
    for topic, (document_id, _) in missing.items():
        _wait(
            lambda d=document_id: _status(system, d).get("status") == "indexed",
            f"the replayed document of {topic} to be indexed",
        )
    _wait(
        lambda: _status_by_external_id(system, submitted_external_id).get("status") == "indexed",
        "the replayed submission to be indexed",
    )
    # and the poison that cannot be fixed went back to the DLQ, the replay did not loop
    for topic in (topics.ocr_requested, topics.text_extracted):
        _wait(
            lambda t=topic: dlq_keys(t).count(b"garbage") >= 2,
            f"the garbage message back in {topic}.dlq after the replay",
        )
    record_result(
        Reconciliation(
            "poison on every topic + DLQ replay after the fix",
            submitted=1 + len(missing) + 1,
            indexed=1 + len(missing) + 1,
            failed_with_reason=0,
            lost=0,
            duplicated=0,
            notes=(
                f"{len(garbage_topics)} non-JSON + {len(unknown_version)} unknown-version "
                f"messages to DLQ, {len(unknown_version)} documents failed with a reason; "
                f"{len(missing) + 1} missing-object documents failed, then indexed after replay"
            ),
        )
    )

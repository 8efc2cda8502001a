"""Every intake path on the real stack: HTTP, upstream topic (reference, adopted, inline),
S3 bucket events, ZIP containers and e-mail attachments; dedup and idempotent replay."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import secrets
from typing import Any
from urllib.parse import quote

import pytest
from aiokafka import AIOKafkaProducer
from tests.integration.ingest.conftest import UPLOAD_LIMIT, EventLog, Running
from tests.samples import FEDERAL_CIRCUIT_PDF, JFK_FLAC, sample
from tests.unit.ingest.zipgen import make_zip

from lexstream.shared.events import DocumentSubmitted, ObjectRef
from lexstream.shared.storage import derived_key, original_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def pdf_sample() -> bytes:
    return sample(FEDERAL_CIRCUIT_PDF).read_bytes()


def flac_sample() -> bytes:
    return sample(JFK_FLAC).read_bytes()


def unique_text(label: str) -> bytes:
    return f"{label} {secrets.token_hex(16)}\nThe court finds for the plaintiff.\n".encode()


async def upload(ingest: Running, data: bytes, filename: str, **params: str) -> dict[str, Any]:
    response = await ingest.client.post(
        "/internal/v1/documents",
        content=data,
        params={"matter_id": "M-ingest", **params},
        headers={"X-Lexstream-Filename": quote(filename)},
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def by_id(document_id: str) -> Any:
    return lambda value: value.get("document_id") == document_id


async def test_http_upload_is_stored_by_content_and_routed(
    ingest: Running, events: EventLog
) -> None:
    pdf = pdf_sample() + secrets.token_bytes(
        8
    )  # trailing bytes after %%EOF: still a PDF, new content
    body = await upload(
        ingest, pdf, "Order.txt", uploader="paralegal@firm", declared_media_type="text/plain"
    )
    assert body["status"] == "stored"
    assert body["size"] == len(pdf)
    stored = await events.wait(ingest.topics.stored, by_id(body["document_id"]))
    assert stored["media_type"] == "application/pdf"
    assert stored["declared_media_type"] == "text/plain"
    assert stored["route"] == "ocr"
    assert stored["provenance"]["intake"] == "http"
    assert stored["provenance"]["uploader"] == "paralegal@firm"
    assert stored["original"] == {
        "bucket": ingest.store.originals,
        "key": original_key(body["sha256"]),
    }
    await events.wait(ingest.topics.ocr_requested, by_id(body["document_id"]))
    record = await ingest.store.get_json(
        ObjectRef(
            bucket=ingest.store.derived, key=derived_key(body["document_id"], "document.json")
        )
    )
    assert record["media_type_mismatch"] is True
    assert record["ingest_version"]
    assert record["provenance"]["received_at"]

    audio = await upload(ingest, flac_sample(), "hearing.flac")
    await events.wait(ingest.topics.transcribe_requested, by_id(audio["document_id"]))


async def test_http_upload_over_the_limit_is_413(ingest: Running) -> None:
    async def body() -> Any:
        chunk = b"a" * (1024 * 1024)
        for _ in range(UPLOAD_LIMIT // len(chunk) + 1):
            yield chunk

    response = await ingest.client.post(
        "/internal/v1/documents", content=body(), headers={"X-Lexstream-Filename": "big.txt"}
    )
    assert response.status_code == 413
    assert str(UPLOAD_LIMIT) in response.json()["detail"]


async def test_dedup_and_idempotent_replay(ingest: Running, events: EventLog) -> None:
    data = unique_text("dedup")
    first = await upload(ingest, data, "a.txt")
    again = await upload(ingest, data, "a-copy.txt")
    assert again == {**first, "status": "duplicate"}
    other_matter = await upload(ingest, data, "a.txt", matter_id="M-other")
    assert other_matter["document_id"] != first["document_id"]
    assert other_matter["sha256"] == first["sha256"]  # one object, two documents
    stat = await ingest.store.stat(
        ObjectRef(bucket=ingest.store.originals, key=original_key(first["sha256"]))
    )
    assert stat.size == len(data)

    external = f"dms-{secrets.token_hex(4)}"
    one = await upload(ingest, unique_text("v1"), "b.txt", source="dms", external_id=external)
    replayed = await upload(ingest, unique_text("v2"), "b.txt", source="dms", external_id=external)
    assert replayed["document_id"] == one["document_id"]
    assert replayed["status"] == "duplicate"
    stored = events.all(ingest.topics.stored, by_id(one["document_id"]))
    assert len(stored) == 1


async def test_identical_uploads_at_the_same_instant_make_one_document(
    ingest: Running, events: EventLog
) -> None:
    data = unique_text("concurrent")
    answers = await asyncio.gather(*(upload(ingest, data, f"copy-{n}.txt") for n in range(4)))
    assert len({answer["document_id"] for answer in answers}) == 1, answers
    assert sorted(answer["status"] for answer in answers) == ["duplicate"] * 3 + ["stored"]
    document_id = answers[0]["document_id"]
    await events.wait(ingest.topics.stored, by_id(document_id))
    # Barrier: a later upload's announcement. The topic has one partition (kafka_partitions=1
    # in ingest_settings_for), so once it is seen, so is any second one for the four copies.
    barrier = await upload(ingest, unique_text("barrier"), "barrier.txt")
    await events.wait(ingest.topics.stored, by_id(barrier["document_id"]))
    assert len(events.all(ingest.topics.stored, by_id(document_id))) == 1


async def publish_json(producer: AIOKafkaProducer, topic: str, payload: Any) -> None:
    await producer.send_and_wait(topic, json.dumps(payload).encode())


async def put(ingest: Running, bucket: str, key: str, data: bytes, **meta: str) -> None:
    await asyncio.to_thread(
        ingest.store.client.put_object,
        bucket,
        key,
        io.BytesIO(data),
        len(data),
        content_type="application/octet-stream",
        metadata=dict(meta) or None,  # type: ignore[arg-type]
    )


async def test_upstream_topic_by_reference_adopted_and_inline(
    ingest: Running, events: EventLog, producer: AIOKafkaProducer
) -> None:
    prefix = ingest.settings.topic_prefix
    ref_data, adopt_data, inline_data = (unique_text(n) for n in ("ref", "adopt", "inline"))
    await put(ingest, f"{prefix}-upstream", "dms/1.txt", ref_data)
    await put(ingest, f"{prefix}-adopt", "dms/2.txt", adopt_data)
    subs = {
        "ref": DocumentSubmitted(
            source="dms",
            external_id=secrets.token_hex(6),
            filename="ref.txt",
            object_uri=f"s3://{prefix}-upstream/dms/1.txt",
            matter_id="M-topic",
            jurisdiction="US/CA",
            language="en",
        ),
        "adopt": DocumentSubmitted(
            source="dms",
            external_id=secrets.token_hex(6),
            filename="adopt.txt",
            object_uri=f"s3://{prefix}-adopt/dms/2.txt",
        ),
        "inline": DocumentSubmitted(
            source="efiling",
            external_id=secrets.token_hex(6),
            filename="inline.txt",
            content_base64=base64.b64encode(inline_data).decode(),
        ),
    }
    for sub in subs.values():
        await publish_json(producer, ingest.topics.submitted, sub.model_dump(exclude_none=True))

    def of(sub: DocumentSubmitted) -> Any:
        return lambda v: v["provenance"]["external_id"] == sub.external_id

    ref = await events.wait(ingest.topics.stored, of(subs["ref"]))
    assert ref["original"]["bucket"] == ingest.store.originals
    assert ref["provenance"]["intake"] == "topic"
    assert ref["hints"]["jurisdiction"] == "US/CA"
    assert ref["matter_id"] == "M-topic"
    adopted = await events.wait(ingest.topics.stored, of(subs["adopt"]))
    assert adopted["original"] == {"bucket": f"{prefix}-adopt", "key": "dms/2.txt"}
    inline = await events.wait(ingest.topics.stored, of(subs["inline"]))
    assert inline["size"] == len(inline_data)

    # the same message again (at-least-once upstream): the same document, not a second one
    await publish_json(producer, ingest.topics.submitted, subs["ref"].model_dump(exclude_none=True))
    marker = DocumentSubmitted(
        source="dms",
        external_id=secrets.token_hex(6),
        filename="after.txt",
        content_base64=base64.b64encode(unique_text("after")).decode(),
    )
    await publish_json(producer, ingest.topics.submitted, marker.model_dump(exclude_none=True))
    await events.wait(ingest.topics.stored, of(marker))  # the replay was handled before it
    assert len(events.all(ingest.topics.stored, of(subs["ref"]))) == 1

    # the inline bytes again, from another upstream system under its own id: its producer is
    # told which document that is, and nothing is processed again
    copy = subs["inline"].model_copy(
        update={"source": "dms", "external_id": secrets.token_hex(6), "filename": "copy.txt"}
    )
    await publish_json(producer, ingest.topics.submitted, copy.model_dump(exclude_none=True))
    told = await events.wait(ingest.topics.stored, of(copy))
    assert told["document_id"] == told["duplicate_of"] == inline["document_id"]
    assert (told["provenance"]["source"], told["filename"]) == ("dms", "copy.txt")
    requested = events.all(ingest.topics.ocr_requested, by_id(inline["document_id"]))
    assert len(requested) == 1


async def test_s3_bucket_event_becomes_a_document(
    ingest: Running, events: EventLog, producer: AIOKafkaProducer
) -> None:
    inbox = f"{ingest.settings.topic_prefix}-inbox"
    key = f"M-inbox/Witness statement {secrets.token_hex(3)}.txt"
    await put(ingest, inbox, key, unique_text("inbox"), uploader="scanner-3")
    stat = await ingest.store.stat(ObjectRef(bucket=inbox, key=key))
    notification = {
        "EventName": "s3:ObjectCreated:Put",
        "Key": f"{inbox}/{key}",
        "Records": [
            {
                "eventVersion": "2.0",
                "eventSource": "minio:s3",
                "eventName": "s3:ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": inbox},
                    "object": {
                        "key": quote(key),
                        "size": stat.size,
                        "eTag": stat.etag,
                        "userMetadata": {"X-Amz-Meta-Uploader": "scanner-3"},
                    },
                },
            }
        ],
    }
    await publish_json(producer, ingest.topics.s3_events, notification)
    stored = await events.wait(
        ingest.topics.stored,
        lambda v: (
            v["provenance"]["intake"] == "s3-event" and v["filename"] == key.rsplit("/", 1)[1]
        ),
    )
    assert stored["matter_id"] == "M-inbox"
    assert stored["provenance"]["uploader"] == "scanner-3"
    assert stored["provenance"]["source"] == f"s3:{inbox}"


async def test_zip_members_become_child_documents(ingest: Running, events: EventLog) -> None:
    archive = make_zip(
        {"exhibits/A.pdf": pdf_sample(), "notes.txt": unique_text("zip member"), "empty/": b""}
    )
    body = await upload(ingest, archive, "exhibits.zip")
    assert body["status"] == "stored"
    container = await events.wait(ingest.topics.stored, by_id(body["document_id"]))
    assert container["route"] == "container"
    children = [
        await events.wait(
            ingest.topics.stored,
            lambda v, n=name: (
                v.get("parent_document_id") == body["document_id"] and v["filename"] == n
            ),
        )
        for name in ("A.pdf", "notes.txt")
    ]
    assert {c["provenance"]["intake"] for c in children} == {"container"}
    assert children[0]["media_type"] == "application/pdf"
    listing = await events.wait(ingest.topics.text_extracted, by_id(body["document_id"]))
    text = await ingest.store.get_json(ObjectRef.model_validate(listing["text"]))
    assert "exhibits/A.pdf" in text["pages"][0]["text"]
    assert children[0]["document_id"] in text["pages"][0]["text"]


async def test_email_attachment_handed_back_by_ocr_is_a_child(
    ingest: Running, events: EventLog, producer: AIOKafkaProducer
) -> None:
    """The message ocr publishes for each attachment (see ocr handlers): claim check in the
    derived bucket, ``parent_document_id`` set."""
    parent = await upload(ingest, unique_text("mail body stand-in"), "mail.eml")
    key = derived_key(parent["document_id"], "attachments/1-exhibit.pdf")
    await put(ingest, ingest.store.derived, key, pdf_sample() + b"\n%attachment")
    sub = DocumentSubmitted(
        source="lexstream-ocr",
        external_id=f"{parent['document_id']}/attachments/1",
        filename="exhibit.pdf",
        object_uri=f"s3://{ingest.store.derived}/{key}",
        matter_id="M-ingest",
        media_type="application/pdf",
        parent_document_id=parent["document_id"],
    )
    for _ in range(2):  # ocr redelivered: still one child
        await publish_json(producer, ingest.topics.submitted, sub.model_dump(exclude_none=True))
    child = await events.wait(
        ingest.topics.stored, lambda v: v.get("parent_document_id") == parent["document_id"]
    )
    assert child["provenance"]["intake"] == "attachment"
    assert child["media_type"] == "application/pdf"
    record = await ingest.store.get_json(
        ObjectRef(
            bucket=ingest.store.derived, key=derived_key(child["document_id"], "document.json")
        )
    )
    assert record["depth"] == 1

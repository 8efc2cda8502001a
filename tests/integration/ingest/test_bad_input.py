"""Bad input ends failed with a specific reason, and the next good file is still processed."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from tests.integration.ingest.conftest import EventLog, Running
from tests.integration.ingest.test_intake_paths import by_id, put, unique_text, upload
from tests.unit.ingest.zipgen import ENCRYPTED_ZIP, make_zip, nested_zip, truncated, zip_bomb

from lexstream.shared.dlq import replay
from lexstream.shared.events import Topics
from lexstream.shared.kafka import DLQ_ERROR

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


async def good_file_still_works(ingest: Running, events: EventLog) -> None:
    body = await upload(ingest, unique_text("good"), "good.txt")
    assert body["status"] == "stored"
    await events.wait(ingest.topics.ocr_requested, by_id(body["document_id"]))


@pytest.mark.parametrize(
    ("data", "filename", "error_type", "words"),
    [
        (b"", "empty.pdf", "EmptyFile", "empty (0 bytes)"),
        (secrets.token_bytes(4096), "random.doc", "UnsupportedMediaType", "octet-stream"),
        (ELF, "brief.pdf", "UnsupportedMediaType", "declared as application/pdf"),
        (truncated(make_zip({"a.txt": b"x" * 50_000})), "cut.zip", "DamagedArchive", "truncated"),
        (zip_bomb(), "bomb.zip", "ZipBomb", "ZIP bomb"),
        (ENCRYPTED_ZIP, "locked.zip", "EncryptedArchive", "password-protected"),
    ],
    ids=["empty", "random", "exe-as-pdf", "truncated-zip", "zip-bomb", "encrypted-zip"],
)
async def test_bad_upload_fails_with_reason(
    ingest: Running,
    events: EventLog,
    data: bytes,
    filename: str,
    error_type: str,
    words: str,
) -> None:
    declared = {"declared_media_type": "application/pdf"} if filename.endswith(".pdf") else {}
    body = await upload(ingest, data, filename, **declared)
    assert body["status"] == "failed"
    assert words in body["reason"]
    failed = await events.wait(ingest.topics.failed, by_id(body["document_id"]))
    assert failed["error_type"] == error_type
    assert failed["stage"] == "ingest"
    assert words in failed["reason"]
    await good_file_still_works(ingest, events)


async def test_nested_zip_chain_past_the_depth_limit(ingest: Running, events: EventLog) -> None:
    depth = ingest.settings.zip_max_depth + 2
    top = await upload(ingest, nested_zip(depth, leaf=unique_text("leaf")), "chain.zip")
    assert top["status"] == "stored"
    parent = top["document_id"]
    for _ in range(ingest.settings.zip_max_depth - 1):  # levels 1..max-1 expand further
        child = await events.wait(
            ingest.topics.stored, lambda v, p=parent: v.get("parent_document_id") == p
        )
        parent = child["document_id"]
    # the ZIP at the depth limit is a child document that ends failed
    failed = await events.wait(
        ingest.topics.failed, lambda v: v.get("parent_document_id") == parent
    )
    assert failed["error_type"] == "ContainerTooDeep"
    assert f"nested more than {ingest.settings.zip_max_depth} levels" in failed["reason"]
    await good_file_still_works(ingest, events)


async def test_hostile_filename_is_sanitised(ingest: Running, events: EventLog) -> None:
    raw = "../../etc/" + "x\x00y" + "é" * 300 + ".txt"
    body = await upload(ingest, unique_text("name"), raw)
    stored = await events.wait(ingest.topics.stored, by_id(body["document_id"]))
    name = stored["filename"]
    assert "/" not in name
    assert "\x00" not in name
    assert ".." not in name
    assert name.startswith("xy")
    assert name.endswith(".txt")
    assert len(name) <= 200


async def test_bad_topic_messages_fail_then_dlq_replay_recovers(
    ingest: Running, events: EventLog, producer: AIOKafkaProducer
) -> None:
    topic = ingest.topics.submitted
    dlq = Topics.dlq(topic)
    no_payload = {"source": "dms", "external_id": secrets.token_hex(6), "filename": "x.pdf"}
    missing_key = f"later/{secrets.token_hex(4)}.txt"
    missing = {
        "source": "dms",
        "external_id": secrets.token_hex(6),
        "filename": "later.txt",
        "object_uri": f"s3://{ingest.settings.topic_prefix}-upstream/{missing_key}",
    }
    junk = b"{not json" + secrets.token_hex(4).encode()
    await producer.send_and_wait(topic, json.dumps(no_payload).encode())
    await producer.send_and_wait(topic, json.dumps(missing).encode())
    await producer.send_and_wait(topic, junk)
    good = {
        "source": "dms",
        "external_id": secrets.token_hex(6),
        "filename": "good.txt",
        "content_base64": base64.b64encode(unique_text("good topic")).decode(),
    }
    await producer.send_and_wait(topic, json.dumps(good).encode())

    def ext(value: dict[str, Any]) -> Any:
        return lambda v: (v.get("provenance") or {}).get("external_id") == value["external_id"]

    failed = await events.wait(ingest.topics.failed, ext(no_payload))
    assert failed["error_type"] == "InvalidSubmission"
    assert "exactly one of object_uri or content_base64" in failed["reason"]
    missing_failed = await events.wait(ingest.topics.failed, ext(missing))
    assert missing_failed["error_type"] == "MissingObject"
    assert "does not exist" in missing_failed["reason"]
    dead = await events.wait_seen(dlq, lambda s: s.value.get("_raw", "").startswith("{not json"))
    assert "Invalid JSON" in dead.headers[DLQ_ERROR]
    await events.wait_seen(dlq, lambda s: s.value.get("external_id") == missing["external_id"])
    await events.wait(ingest.topics.stored, ext(good))

    # the object arrives late; replaying the DLQ stores it under the failed document's id
    await put(ingest, f"{ingest.settings.topic_prefix}-upstream", missing_key, unique_text("late"))
    # limit: the junk fails again and lands in the DLQ again, a replay must not chase it
    replayed = await replay(ingest.settings, dlq, limit=3, idle_s=10.0)
    assert replayed >= 3
    stored = await events.wait(ingest.topics.stored, ext(missing))
    assert stored["document_id"] == missing_failed["document_id"]

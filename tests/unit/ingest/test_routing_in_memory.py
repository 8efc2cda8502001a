"""ingest's topic paths in memory: FastStream's ``TestKafkaBroker`` and a dict for S3.

The broker, stage runner, subscribers and pipeline are the ones ``create_app`` wires
(:func:`lexstream.ingest.app.build_ingest`); only the object store is replaced. A second
broker stands for the rest of the system and records what ingest publishes.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from tests.support.factories import mono_wav
from tests.support.inmemory import MemoryStore, Published, collect
from tests.unit.ingest.zipgen import make_zip

from lexstream.ingest.app import build_ingest
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.events import Topics
from lexstream.shared.kafka import DLQ_ERROR, DLQ_ERROR_TYPE, make_broker
from lexstream.shared.matters import MatterStatus
from lexstream.shared.storage import original_key
from lexstream.shared.telemetry import setup_telemetry

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def wav_bytes() -> bytes:
    return mono_wav(b"\x00\x00" * 800, rate=8000)


@dataclass
class Matters:
    """The matters registry as a dict of ``(tenant, matter_id) -> status``."""

    known: dict[tuple[str, str], MatterStatus] = field(default_factory=dict)

    async def matter_exists(self, tenant: str, matter_id: str) -> MatterStatus | None:
        return self.known.get((tenant, matter_id))


@dataclass
class Ingest:
    broker: KafkaBroker
    topics: Topics
    store: MemoryStore
    seen: dict[str, list[Published]]

    async def submit(self, payload: dict[str, Any]) -> None:
        await self.broker.publish(payload, self.topics.submitted)

    def on(self, topic: str) -> list[dict[str, Any]]:
        return [s.body for s in self.seen[topic]]


@pytest.fixture
async def ingest(tmp_path: Path) -> AsyncIterator[Ingest]:
    settings = IngestSettings(
        topic_prefix="mem",
        spool_dir=tmp_path,
        retry_attempts=1,
        tenant="firm",
        upstream_buckets=["upstream"],
    )
    telemetry = setup_telemetry("ingest-test", None, set_global=False, instrument_http=False)
    broker = make_broker(settings, telemetry, client_id="ingest")
    store = MemoryStore(settings)
    build_ingest(settings, broker, store, Matters({("firm", "M-1"): "open"}))
    topics = Topics(settings.topic_prefix)
    rest = KafkaBroker()  # the other services, as far as ingest can tell
    seen = {
        topic: collect(rest, topic)
        for topic in (
            topics.stored,
            topics.ocr_requested,
            topics.transcribe_requested,
            topics.text_extracted,
            topics.failed,
            Topics.dlq(topics.submitted),
        )
    }

    async with TestKafkaBroker(broker, rest):
        yield Ingest(broker, topics, store, seen)


def inline(name: str, data: bytes, external_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "source": "dms",
        "external_id": external_id,
        "filename": name,
        "content_base64": base64.b64encode(data).decode(),
        "matter_id": "M-1",
        **extra,
    }


async def test_a_pdf_is_stored_and_sent_to_ocr(ingest: Ingest) -> None:
    await ingest.submit(inline("brief.pdf", PDF, "doc-1", language="en"))

    [stored] = ingest.on(ingest.topics.stored)
    [request] = ingest.on(ingest.topics.ocr_requested)
    assert stored["route"] == "ocr"
    assert stored["media_type"] == "application/pdf"
    assert (stored["tenant"], stored["matter_id"]) == ("firm", "M-1")
    assert stored["provenance"]["intake"] == "topic"
    assert request["document_id"] == stored["document_id"]
    assert request["original"] == stored["original"]
    assert request["hints"]["language"] == "en"
    assert ingest.on(ingest.topics.transcribe_requested) == []
    assert ingest.on(ingest.topics.failed) == []
    key = original_key(stored["sha256"])
    assert ingest.store.objects[(ingest.store.originals, key)] == PDF


async def test_audio_is_sent_to_transcribe_not_ocr(ingest: Ingest) -> None:
    await ingest.submit(inline("hearing", wav_bytes(), "rec-1"))

    [stored] = ingest.on(ingest.topics.stored)
    [request] = ingest.on(ingest.topics.transcribe_requested)
    assert stored["route"] == "transcribe"
    assert request["document_id"] == stored["document_id"]
    assert request["media_type"].startswith("audio/")
    assert ingest.on(ingest.topics.ocr_requested) == []


async def test_the_same_submission_twice_is_one_document(ingest: Ingest) -> None:
    await ingest.submit(inline("brief.pdf", PDF, "doc-2"))
    await ingest.submit(inline("brief.pdf", PDF, "doc-2"))

    assert len(ingest.on(ingest.topics.stored)) == 1
    assert len(ingest.on(ingest.topics.ocr_requested)) == 1


async def test_the_same_bytes_under_another_external_id_are_announced_as_that_document(
    ingest: Ingest,
) -> None:
    await ingest.submit(inline("brief.pdf", PDF, "doc-9"))
    await ingest.submit(inline("copy of brief.pdf", PDF, "doc-9-copy"))
    await ingest.submit(inline("copy of brief.pdf", PDF, "doc-9-copy"))  # a replay of it
    await ingest.submit(inline("brief.pdf", PDF, "doc-9"))  # a replay of the first

    first, *later = ingest.on(ingest.topics.stored)
    assert first["duplicate_of"] is None
    assert first["provenance"]["external_id"] == "doc-9"
    # the copy's submitter learns which document its external id is, each time it asks;
    # the first submission's replay is not announced again
    assert [s["provenance"]["external_id"] for s in later] == ["doc-9-copy", "doc-9-copy"]
    for copy in later:
        assert copy["document_id"] == copy["duplicate_of"] == first["document_id"]
        assert copy["filename"] == "copy of brief.pdf"
        assert (copy["route"], copy["media_type"]) == (first["route"], first["media_type"])
    # nothing is processed again
    assert len(ingest.on(ingest.topics.ocr_requested)) == 1


async def test_an_unsupported_file_fails_with_a_reason_and_is_not_routed(ingest: Ingest) -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
    await ingest.submit(inline("brief.pdf", elf, "doc-3"))

    [failed] = ingest.on(ingest.topics.failed)
    assert failed["error_type"] == "UnsupportedMediaType"
    assert "unsupported media type" in failed["reason"]
    assert failed["stage"] == "ingest"
    assert ingest.on(ingest.topics.stored) == []
    assert ingest.on(ingest.topics.ocr_requested) == []
    assert ingest.on(Topics.dlq(ingest.topics.submitted)) == []  # the message was fine


async def test_an_invalid_submission_goes_to_the_dlq_and_fails_its_document(
    ingest: Ingest,
) -> None:
    await ingest.submit({"source": "dms", "external_id": "doc-4", "filename": "x.pdf"})

    [failed] = ingest.on(ingest.topics.failed)
    assert failed["error_type"] == "InvalidSubmission"
    assert "exactly one of object_uri or content_base64" in failed["reason"]
    [dead] = ingest.seen[Topics.dlq(ingest.topics.submitted)]
    assert dead.body["external_id"] == "doc-4"
    assert dead.headers[DLQ_ERROR_TYPE] == "InvalidSubmission"
    assert "content_base64" in dead.headers[DLQ_ERROR]
    assert ingest.on(ingest.topics.stored) == []


async def test_a_missing_object_fails_its_document(ingest: Ingest) -> None:
    await ingest.submit(
        {
            "source": "dms",
            "external_id": "doc-5",
            "filename": "gone.pdf",
            "object_uri": "s3://upstream/gone.pdf",
        }
    )

    [failed] = ingest.on(ingest.topics.failed)
    assert failed["error_type"] == "MissingObject"
    assert "s3://upstream/gone.pdf" in failed["reason"]
    assert len(ingest.on(Topics.dlq(ingest.topics.submitted))) == 1


async def test_a_zip_submitted_again_under_another_external_id_is_not_expanded_again(
    ingest: Ingest,
) -> None:
    archive = make_zip({"a.pdf": PDF, "b.wav": wav_bytes()})
    await ingest.submit(inline("bundle.zip", archive, "zip-2"))
    await ingest.submit(inline("bundle (copy).zip", archive, "zip-2-copy"))

    stored = ingest.on(ingest.topics.stored)
    containers = [s for s in stored if s["route"] == "container"]
    assert [c["provenance"]["external_id"] for c in containers] == ["zip-2", "zip-2-copy"]
    assert containers[1]["duplicate_of"] == containers[0]["document_id"]
    children = [s for s in stored if s["route"] != "container"]
    assert sorted(c["filename"] for c in children) == ["a.pdf", "b.wav"]  # once
    assert len(ingest.on(ingest.topics.text_extracted)) == 1  # one listing


async def test_a_zip_becomes_child_documents_through_ingests_own_stored_consumer(
    ingest: Ingest,
) -> None:
    archive = make_zip({"a.pdf": PDF, "b.wav": wav_bytes()})
    await ingest.submit(inline("bundle.zip", archive, "zip-1"))

    stored = ingest.on(ingest.topics.stored)
    [container] = [s for s in stored if s["route"] == "container"]
    children = {s["filename"]: s for s in stored if s["route"] != "container"}
    assert set(children) == {"a.pdf", "b.wav"}
    assert {c["parent_document_id"] for c in children.values()} == {container["document_id"]}
    assert [r["document_id"] for r in ingest.on(ingest.topics.ocr_requested)] == [
        children["a.pdf"]["document_id"]
    ]
    assert [r["document_id"] for r in ingest.on(ingest.topics.transcribe_requested)] == [
        children["b.wav"]["document_id"]
    ]
    [listing] = ingest.on(ingest.topics.text_extracted)
    assert listing["document_id"] == container["document_id"]

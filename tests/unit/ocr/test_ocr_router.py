"""The ocr router in memory (FastStream's ``TestKafkaBroker``): the real subscriber, stage
runner and stage, with the object store in memory and, where a test says so, a stand-in for
text recovery. What is published is what the service would publish to Kafka."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from tests.support.inmemory import (
    Published,
    StageHarness,
    assert_body,
    assert_failed_for_good,
    assert_invalid_dead_letters,
    wire,
)

from lexstream.ocr.errors import ExtractorUnavailableError
from lexstream.ocr.extract import ExtractionResult, extract_text
from lexstream.ocr.handlers import build_router
from lexstream.ocr.settings import OcrSettings
from lexstream.ocr.stage import OcrStage
from lexstream.shared.artifacts import TextDocument
from lexstream.shared.events import OcrRequested, Stage, TextExtracted


@dataclass
class Recording:
    """``extract_text`` (or ``instead``), counting its calls."""

    instead: Callable[..., ExtractionResult] | None = None
    calls: list[str] = field(default_factory=list)

    def __call__(self, path: Path, **kwargs: Any) -> ExtractionResult:
        self.calls.append(kwargs["document_id"])
        return (self.instead or extract_text)(path, **kwargs)


@dataclass
class Ocr(StageHarness[OcrSettings]):
    consumes = "ocr_requested"
    extract: Recording
    extracted: list[Published] = field(init=False, metadata={"collects": "text_extracted"})
    submitted: list[Published] = field(init=False, metadata={"collects": "submitted"})

    async def request(self, data: bytes, media_type: str, **fields: Any) -> OcrRequested:
        digest = hashlib.sha256(data).hexdigest()
        original = self.store.put_original(f"sha256/{digest[:2]}/{digest}", data)
        request = OcrRequested(
            document_id=fields.pop("document_id", f"doc-{secrets.token_hex(4)}"),
            original=original,
            media_type=media_type,
            filename=fields.pop("filename", "file"),
            **fields,
        )
        await self.publish(request.model_dump_event(), key=request.document_id.encode())
        return request

    async def publish(self, body: Any, key: bytes | None = None) -> None:
        await self.broker.publish(body, self.topics.ocr_requested, key=key)


@pytest.fixture
async def ocr(request: pytest.FixtureRequest) -> AsyncIterator[Ocr]:
    extract = Recording(getattr(request, "param", None))
    harness = wire(Ocr, OcrSettings, Stage.OCR, extract=extract)
    stage = OcrStage(
        harness.settings, harness.broker, harness.store, harness.topics, extract=extract
    )
    harness.broker.include_router(
        build_router(harness.settings, harness.topics, harness.runner, stage)
    )
    async with TestKafkaBroker(harness.broker):
        yield harness


async def test_a_text_file_is_read_stored_and_announced(ocr: Ocr) -> None:
    request = await ocr.request(
        b"The court shall hear the motion on Monday.\fPage two of the order.",
        "text/plain; charset=utf-8",
        filename="order.txt",
    )
    [published] = ocr.extracted
    announced = TextExtracted.model_validate(published.body)
    assert published.key == request.document_id.encode()
    assert published.headers["event-type"] == "text.extracted"
    assert (announced.document_id, announced.filename, announced.pages) == (
        request.document_id,
        "order.txt",
        2,
    )
    text = TextDocument.model_validate_json(ocr.store.read(announced.text))
    assert [page.text for page in text.pages] == [
        "The court shall hear the motion on Monday.",
        "Page two of the order.",
    ]
    assert text.document_id == request.document_id
    assert not ocr.failed
    assert not ocr.dlq


async def test_the_same_bytes_in_a_second_document_come_from_the_cache(ocr: Ocr) -> None:
    data = f"Affidavit {secrets.token_hex(4)} of the witness, sworn today.".encode()
    first = await ocr.request(data, "text/plain", matter_id="M-a")
    second = await ocr.request(data, "text/plain", matter_id="M-b")
    assert ocr.extract.calls == [first.document_id]  # read once
    one, two = (TextExtracted.model_validate(p.body) for p in ocr.extracted)
    assert (one.document_id, two.document_id) == (first.document_id, second.document_id)
    cached = TextDocument.model_validate_json(ocr.store.read(two.text))
    assert cached.document_id == second.document_id
    assert cached.pages == TextDocument.model_validate_json(ocr.store.read(one.text)).pages


async def test_an_e_mail_hands_its_attachment_back_to_ingest(ocr: Ocr) -> None:
    mail = EmailMessage()
    mail["From"] = "clerk@court.example"
    mail["Subject"] = "Order entered"
    mail.set_content("Please find the order attached.")
    mail.add_attachment(b"%PDF-1.4 order", maintype="application", subtype="pdf", filename="o.pdf")
    request = await ocr.request(mail.as_bytes(), "message/rfc822", filename="mail.eml")
    [child] = ocr.submitted
    assert child.body["parent_document_id"] == request.document_id
    assert child.body["external_id"] == f"{request.document_id}/attachments/1"
    assert (child.body["filename"], child.body["media_type"]) == ("o.pdf", "application/pdf")
    bucket, _, key = child.body["object_uri"].removeprefix("s3://").partition("/")
    assert ocr.store.objects[bucket, key] == b"%PDF-1.4 order"
    assert len(ocr.extracted) == 1
    assert not any(key[1].startswith("_cache/") for key in ocr.store.objects)  # never cached


async def test_a_binary_file_sent_as_text_fails_with_its_reason_and_goes_to_the_dlq(
    ocr: Ocr,
) -> None:
    blob = bytes([0x00, 0x01, 0x02, 0xFF, 0x03]) * 500  # not UTF-8, mostly control bytes
    request = await ocr.request(blob, "text/plain", filename="blob.txt")
    assert not ocr.extracted
    assert_failed_for_good(
        ocr,
        request,
        stage="ocr",
        reason="file is binary data, not text",
        error_type="ExtractionError",
        original_topic=ocr.topics.ocr_requested,
        filename="blob.txt",
    )


async def test_a_missing_original_is_a_permanent_failure(ocr: Ocr) -> None:
    request = OcrRequested(
        document_id="doc-gone",
        original=ocr.store.put_original("sha256/00/gone", b""),
        media_type="text/plain",
        filename="gone.txt",
    )
    del ocr.store.objects[request.original.bucket, request.original.key]
    await ocr.publish(request.model_dump_event())
    assert not ocr.extract.calls
    assert not ocr.extracted
    [failed] = ocr.failed
    assert "does not exist" in failed.body["reason"]
    assert len(ocr.dlq) == 1


async def test_an_undecodable_message_goes_to_the_dlq_and_names_the_document_it_can(
    ocr: Ocr,
) -> None:
    await ocr.publish(b"not json at all")
    await ocr.publish({"document_id": "doc-half", "tenant": "t1", "media_type": "text/plain"})
    assert_invalid_dead_letters(ocr.dlq, b"not json at all", 2)
    # a failure event only where a document id could be read
    [failed] = ocr.failed
    assert_body(failed, document_id="doc-half", tenant="t1")
    assert "invalid OcrRequested message" in failed.body["reason"]
    assert not ocr.extract.calls


def _tool_missing(_path: Path, **kwargs: Any) -> ExtractionResult:
    raise ExtractorUnavailableError("LibreOffice is not installed")


@pytest.mark.parametrize("ocr", [_tool_missing], indirect=True)
async def test_a_missing_tool_is_retried_and_left_for_redelivery_never_dead_lettered(
    ocr: Ocr,
) -> None:
    with pytest.raises(Exception, match="LibreOffice is not installed"):
        await ocr.request(b"a memo", "text/plain")
    assert len(ocr.extract.calls) == ocr.settings.retry_attempts
    assert not ocr.dlq
    assert not ocr.failed
    assert not ocr.extracted

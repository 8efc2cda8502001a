"""E-mail attachments: the real ocr handler hands them back, ingest makes child documents."""

from __future__ import annotations

import secrets
from email.message import EmailMessage

import pytest
from faststream.kafka import KafkaBroker
from tests.integration.ingest.conftest import EventLog, Running, handler_for
from tests.integration.ingest.test_intake_paths import by_id, pdf_sample, upload

from lexstream.shared.events import OcrRequested
from lexstream.shared.kafka import publish_event

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


async def test_ocr_hands_attachments_to_ingest(
    ingest: Running, events: EventLog, ocr_broker: KafkaBroker
) -> None:
    mail = EmailMessage()
    mail["From"] = "clerk@court.example"
    mail["To"] = "counsel@firm.example"
    mail["Subject"] = f"Order entered {secrets.token_hex(4)}"
    mail.set_content("Please find the order attached.")
    mail.add_attachment(
        pdf_sample() + secrets.token_bytes(8),
        maintype="application",
        subtype="pdf",
        filename="order.pdf",
    )
    parent = await upload(ingest, mail.as_bytes(), "order-mail.eml")
    request = OcrRequested.model_validate(
        await events.wait(ingest.topics.ocr_requested, by_id(parent["document_id"]))
    )
    handler = handler_for(ingest, ocr_broker)
    for _ in range(2):  # redelivered: still one child per attachment
        announced = await handler.handle(request)
    child = await events.wait(
        ingest.topics.stored, lambda v: v.get("parent_document_id") == parent["document_id"]
    )
    assert child["filename"] == "order.pdf"
    assert child["media_type"] == "application/pdf"
    assert child["provenance"]["intake"] == "attachment"
    assert child["provenance"]["source"] == "lexstream-ocr"
    # what the ocr subscriber does with the stage's answer; waiting for it to come back is
    # the barrier before counting the children
    await publish_event(ocr_broker, ingest.topics.text_extracted, announced)
    await events.wait(ingest.topics.text_extracted, by_id(parent["document_id"]))
    children = events.all(
        ingest.topics.stored, lambda v: v.get("parent_document_id") == parent["document_id"]
    )
    assert len(children) == 1

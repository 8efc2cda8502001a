"""The ocr service's text cache on the real stack: the same scanned bytes in a second matter
are a second document whose text comes from the cache, without OCR."""

from __future__ import annotations

import io
import secrets
from typing import Any

import pytest
from faststream.kafka import KafkaBroker
from tests.integration.ingest.conftest import EventLog, Running, handler_for
from tests.integration.ingest.test_intake_paths import by_id, upload
from tests.unit.ocr.ocr_docgen import render_page

from lexstream.shared.artifacts import TextDocument
from lexstream.shared.events import ObjectRef, OcrRequested
from lexstream.shared.storage import derived_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def scan(text: str) -> bytes:
    buffer = io.BytesIO()
    render_page([text], size=(1800, 500), margin=100).save(buffer, "PNG", dpi=(300, 300))
    return buffer.getvalue()


async def text_of(ingest: Running, document_id: str) -> TextDocument:
    ref = ObjectRef(bucket=ingest.store.derived, key=derived_key(document_id, "text.json"))
    return TextDocument.model_validate(await ingest.store.get_json(ref))


async def test_the_same_scan_in_another_matter_is_read_from_the_cache(
    ingest: Running, events: EventLog, ocr_broker: KafkaBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    word = f"Quillfeather{secrets.token_hex(3).upper()}"
    data = scan(f"Exhibit {word} affidavit")
    first = await upload(ingest, data, "exhibit.png", matter_id="M-cache-a")
    second = await upload(ingest, data, "exhibit.png", matter_id="M-cache-b")
    assert first["document_id"] != second["document_id"]
    assert first["sha256"] == second["sha256"]
    requests = [
        OcrRequested.model_validate(
            await events.wait(ingest.topics.ocr_requested, by_id(answer["document_id"]))
        )
        for answer in (first, second)
    ]
    handler = handler_for(ingest, ocr_broker)
    cache = handler.cache_ref(requests[0])
    assert cache is not None
    assert cache == handler.cache_ref(requests[1])
    assert first["sha256"] in cache.key

    await handler.handle(requests[0])  # read by OCR, and cached
    assert await ingest.store.exists(cache)

    def no_ocr(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the second document must come from the cache")

    monkeypatch.setattr(handler, "extract", no_ocr)
    announced = await handler.handle(requests[1])

    one, two = (
        await text_of(ingest, first["document_id"]),
        await text_of(ingest, second["document_id"]),
    )
    assert two.document_id == second["document_id"]
    # the tag makes the scan's bytes new each run; OCR need not read its random letters
    # exactly (it once read D753EF as D753FEF), the cache must return what OCR read
    assert "Quillfeather" in two.pages[0].text
    assert "affidavit" in two.pages[0].text
    assert [p.model_dump() for p in two.pages] == [p.model_dump() for p in one.pages]
    assert announced.document_id == second["document_id"]
    assert announced.text.key == derived_key(second["document_id"], "text.json")


async def test_what_is_never_cached(
    ingest: Running, events: EventLog, ocr_broker: KafkaBroker
) -> None:
    answer = await upload(ingest, scan(f"Exhibit {secrets.token_hex(4)}"), "exhibit.png")
    request = OcrRequested.model_validate(
        await events.wait(ingest.topics.ocr_requested, by_id(answer["document_id"]))
    )
    assert handler_for(ingest, ocr_broker).cache_ref(request) is not None
    # e-mail (each parent hands its own attachments back), switched off, searchable PDFs, and
    # originals adopted in place (not named by their content)
    mail = request.model_copy(update={"media_type": "message/rfc822"})
    assert handler_for(ingest, ocr_broker).cache_ref(mail) is None
    assert handler_for(ingest, ocr_broker, text_cache=False).cache_ref(request) is None
    assert handler_for(ingest, ocr_broker, searchable_pdf=True).cache_ref(request) is None
    adopted = request.model_copy(
        update={"original": ObjectRef(bucket="dms", key="matters/M1/exhibit.png")}
    )
    assert handler_for(ingest, ocr_broker).cache_ref(adopted) is None


async def test_no_text_is_cached_for_bytes_deleted_while_they_were_read(
    ingest: Running, events: EventLog, ocr_broker: KafkaBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The only document holding the bytes is deleted while OCR reads them: the deletion
    removed the original and the cache it listed; the text OCR then caches is removed again
    (before, it stayed under ``_cache/text/<sha256>/``: the words of a deleted document)."""
    word = f"Gonebefore{secrets.token_hex(3).upper()}"
    answer = await upload(
        ingest, scan(f"Exhibit {word} memo"), "memo.png", matter_id="M-cache-gone"
    )
    request = OcrRequested.model_validate(
        await events.wait(ingest.topics.ocr_requested, by_id(answer["document_id"]))
    )
    handler = handler_for(ingest, ocr_broker)
    cache = handler.cache_ref(request)
    assert cache is not None
    read = handler.extract

    def read_then_deleted(*args: Any, **kwargs: Any) -> Any:
        result = read(*args, **kwargs)
        ingest.store.client.remove_object(request.original.bucket, request.original.key)
        return result

    monkeypatch.setattr(handler, "extract", read_then_deleted)
    await handler.handle(request)
    assert not await ingest.store.exists(cache)

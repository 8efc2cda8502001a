"""Events and documents in one line, with the fields a test does not care about filled in.

Every factory takes keyword overrides for any field of its model, so a test names only what
it is about: ``ocr_requested(filename="scan.png", media_type="image/png")``.
"""

from __future__ import annotations

import io
import wave
from typing import Any

from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import (
    ObjectRef,
    OcrRequested,
    TextExtracted,
    TranscribeRequested,
)
from lexstream.shared.ids import new_document_id


def mono_wav(frames: bytes, *, rate: int, sample_width: int = 2) -> bytes:
    """A mono WAV file of the PCM ``frames`` (``sample_width`` bytes a sample) at ``rate`` Hz."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(sample_width)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def ref(key: str = "sha256/ab/abc", bucket: str = "b") -> ObjectRef:
    return ObjectRef(bucket=bucket, key=key)


def ocr_requested(document_id: str | None = None, **fields: Any) -> OcrRequested:
    """An ``ocr.requested`` event for a PDF (a fresh document id unless given)."""
    document_id = document_id or new_document_id()
    values: dict[str, Any] = {
        "original": ref(f"missing/{document_id}"),
        "media_type": "application/pdf",
        "filename": "document.pdf",
    }
    return OcrRequested(document_id=document_id, **{**values, **fields})


def transcribe_requested(document_id: str | None = None, **fields: Any) -> TranscribeRequested:
    """A ``transcribe.requested`` event for a WAV file (a fresh document id unless given)."""
    document_id = document_id or new_document_id()
    values: dict[str, Any] = {
        "original": ref(f"missing/{document_id}"),
        "media_type": "audio/x-wav",
        "filename": "recording.wav",
    }
    return TranscribeRequested(document_id=document_id, **{**values, **fields})


def text_extracted(
    document_id: str | None = None, *, pages: int = 1, **fields: Any
) -> TextExtracted:
    """A ``text.extracted`` event pointing at ``<document_id>/text.json``."""
    document_id = document_id or new_document_id()
    values: dict[str, Any] = {
        "text": ref(f"{document_id}/text.json"),
        "media_type": "text/plain",
        "filename": "document.txt",
        "extractor": "test",
    }
    return TextExtracted(document_id=document_id, pages=pages, **{**values, **fields})


def text_document(pages: list[str], document_id: str | None = None, **fields: Any) -> TextDocument:
    """``text.json`` with one plain-text page per string."""
    values: dict[str, Any] = {"media_type": "text/plain", "extractor": "test"}
    return TextDocument(
        document_id=document_id or new_document_id(),
        pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
        **{**values, **fields},
    )

"""Events and documents in one line, with the fields a test does not care about filled in.

Every factory takes keyword overrides for any field of its model, so a test names only what
it is about: ``ocr_requested(filename="scan.png", media_type="image/png")``.
"""

from __future__ import annotations

import io
import wave
from typing import Any

from lexstream.shared.artifacts import Page, Segment, TextDocument, Transcript
from lexstream.shared.events import (
    DocumentStored,
    ObjectRef,
    OcrRequested,
    Provenance,
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


def document_stored(document_id: str | None = None, **fields: Any) -> DocumentStored:
    """A ``documents.stored`` event for a PDF uploaded over HTTP, bound for OCR (a fresh
    document id unless given)."""
    values: dict[str, Any] = {
        "original": ref("sha256/00/x", "originals"),
        "sha256": "0" * 64,
        "media_type": "application/pdf",
        "filename": "brief.pdf",
        "size": 1,
        "route": "ocr",
        "provenance": Provenance(intake="http"),
    }
    return DocumentStored(document_id=document_id or new_document_id(), **{**values, **fields})


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


def hearing_transcript(document_id: str | None = None, **fields: Any) -> Transcript:
    """``transcript.json`` of a 4.5 s English recording: two speakers, one segment each
    ("All rise.", "Be seated.")."""
    values: dict[str, Any] = {
        "media_type": "audio/wav",
        "duration": 4.5,
        "language": "en",
        "segments": [
            Segment(id=0, start=0.0, end=2.0, text="All rise.", speaker="SPEAKER_1"),
            Segment(id=1, start=2.5, end=4.5, text="Be seated.", speaker="SPEAKER_2"),
        ],
        "model": "fake",
        "device": "cpu",
        "compute_type": "int8",
    }
    return Transcript(document_id=document_id or new_document_id(), **{**values, **fields})

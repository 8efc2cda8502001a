"""Build the search document of one legal document from its text or transcript."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lexstream.index.extraction import LegalMetadata, extract
from lexstream.shared.artifacts import TextDocument, Transcript
from lexstream.shared.events import Event


def _metadata_fields(meta: LegalMetadata) -> dict[str, Any]:
    citations = [{"raw": c.raw, "normalized": c.normalized, "kind": c.kind} for c in meta.citations]
    return {
        "court": meta.court,
        "court_id": meta.court_id,
        "jurisdiction": meta.jurisdiction,
        "decision_date": meta.decision_date.isoformat() if meta.decision_date else None,
        "case_numbers": meta.case_numbers,
        "parties": meta.parties,
        "judges": meta.judges,
        "doc_type": meta.doc_type,
        "language": meta.language,
        "citations": citations,
        "cites": sorted({c.normalized for c in meta.citations}),
        "title": meta.title,
    }


def _envelope(event: Event, filename: str, media_type: str) -> dict[str, Any]:
    acl = [f"matter:{event.matter_id}"] if event.matter_id else [f"tenant:{event.tenant}"]
    return {
        "document_id": event.document_id,
        "tenant": event.tenant,
        "matter_id": event.matter_id,
        "acl": acl,
        "parent_document_id": event.parent_document_id,
        "filename": filename,
        "media_type": media_type,
        "indexed_at": datetime.now(UTC).isoformat(),
    }


def _truncate(text: str, limit: int) -> tuple[str, bool]:
    return (text[:limit], True) if len(text) > limit else (text, False)


def text_search_document(
    event: Event,
    text: TextDocument,
    *,
    filename: str,
    language_hint: str | None,
    jurisdiction_hint: str | None,
    max_chars: int,
    extractor_version: str,
) -> dict[str, Any]:
    content, truncated = _truncate(text.text, max_chars)
    meta = extract(
        content,
        filename=filename,
        language_hint=language_hint or text.language,
        jurisdiction_hint=jurisdiction_hint,
        media_type=text.media_type,
    )
    budget = max_chars
    pages = []
    for page in text.pages:
        if budget <= 0:
            break
        page_text = page.text[:budget]
        budget -= len(page_text)
        pages.append(
            {
                "number": page.number,
                "text": page_text,
                "method": page.method,
                "confidence": page.confidence,
                "language": page.language,
            }
        )
    doc = _envelope(event, filename, text.media_type)
    doc.update(_metadata_fields(meta))
    doc.update(
        {
            "kind": "document",
            "title": meta.title or filename,
            "content": content,
            "content_truncated": truncated,
            "pages": pages,
            "page_count": len(text.pages),
            "extractor_version": extractor_version,
        }
    )
    return doc


def transcript_search_document(
    event: Event,
    transcript: Transcript,
    *,
    filename: str,
    jurisdiction_hint: str | None,
    max_chars: int,
    extractor_version: str,
) -> dict[str, Any]:
    content, truncated = _truncate(transcript.text, max_chars)
    meta = extract(
        content,
        filename=filename,
        language_hint=transcript.language,
        jurisdiction_hint=jurisdiction_hint,
        media_type=transcript.media_type,
    )
    doc = _envelope(event, filename, transcript.media_type)
    doc.update(_metadata_fields(meta))
    doc.update(
        {
            "kind": "recording",
            "title": filename,
            "doc_type": "transcript",
            "language": transcript.language or meta.language,
            "content": content,
            "content_truncated": truncated,
            "segments": [
                {
                    "start": s.start,
                    "end": s.end,
                    "speaker": s.speaker,
                    "language": s.language,
                    "text": s.text,
                }
                for s in transcript.segments
            ],
            "duration": transcript.duration,
            "extractor_version": extractor_version,
        }
    )
    return doc

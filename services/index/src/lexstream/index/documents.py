"""Build the search document of one legal document from its text or transcript."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lexstream.index.authority_links import Places, citation_place, own_authorities
from lexstream.index.contract_fields import contract_fields
from lexstream.index.extraction import LegalMetadata, Person, extract
from lexstream.index.structures import Exports, document_structure, exports, indexed_fields
from lexstream.shared.artifacts import EmailHeaders, TextDocument, Transcript
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import Event
from lexstream.shared.legal import document_acl
from lexstream.shared.pageline import layout, segment_citations
from lexstream.shared.threads import header_thread_id, normalize_subject

A = TypeVar("A", bound=BaseModel)

_SURROGATES = re.compile("[\ud800-\udfff]")


def _repair(value: Any, repaired: list[int]) -> Any:
    """Replace lone surrogates (from ``\\udXXX`` escapes) with U+FFFD, counting them."""
    if isinstance(value, str):
        fixed, count = _SURROGATES.subn("\ufffd", value)
        repaired[0] += count
        return fixed
    if isinstance(value, list):
        return [_repair(item, repaired) for item in value]
    if isinstance(value, dict):
        return {key: _repair(item, repaired) for key, item in value.items()}
    return value


def load_artifact(raw: bytes, model: type[A], name: str) -> tuple[A, list[str]]:
    """Parse ``text.json``/``transcript.json`` bytes; invalid UTF-8 is repaired, not fatal.

    Bytes that are not UTF-8, and lone surrogates that JSON escapes can smuggle in, become
    U+FFFD and a warning says how many; anything that is not the artefact's shape is a
    :class:`PermanentError` with the reason.
    """
    warnings: list[str] = []
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("utf-8", errors="replace")
        bad = decoded.count("\ufffd") - raw.count("\ufffd".encode())
        warnings.append(f"{name} was not valid UTF-8: {bad} invalid byte sequence(s) replaced")
    try:
        data = json.loads(decoded)
    except ValueError as exc:
        raise PermanentError(f"{name} of the document is not JSON: {exc}") from exc
    repaired = [0]
    data = _repair(data, repaired)
    if repaired[0]:
        warnings.append(f"{name} held {repaired[0]} lone surrogate(s); replaced")
    try:
        return model.model_validate(data), warnings
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'document'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise PermanentError(f"{name} of the document is invalid: {problems}") from exc


def identifier_key(value: str) -> str:
    """The form an ``identifier=`` search matches: white space squashed, case folded
    (the gateway builds the same key from what the caller typed)."""
    return " ".join(value.split()).casefold()


def _people(people: list[Person]) -> list[dict[str, Any]]:
    return [{"name": p.name, "role": p.role, "role_text": p.role_text} for p in people]


#: Treatment sentences kept per citation in the search document.
MAX_TREATMENTS_SHOWN = 5


def _metadata_fields(
    meta: LegalMetadata, text: str = "", places: Places | None = None, *, second: bool = False
) -> dict[str, Any]:
    treated: dict[str, list[dict[str, Any]]] = {}
    for t in meta.treatments:
        if t.shown and len(treated.setdefault(t.normalized, [])) < MAX_TREATMENTS_SHOWN:
            treated[t.normalized].append(
                {"signal": t.signal, "sentence": t.sentence[:1000], "start": t.start}
            )
    citations = [
        {
            "raw": c.raw,
            "normalized": c.normalized,
            "kind": c.kind,
            "instrument": c.instrument,
            "pinpoint": c.pinpoint,
            "authority_id": c.authority_id,
            # mentions, first offset, page (or second) and the words around it
            **citation_place(c, text, places, second=second),
            # how the document treats it, where a signal precise enough to show says so
            "treatments": treated.get(c.normalized, []),
        }
        for c in meta.citations
    ]
    return {
        "court": meta.court,
        "court_id": meta.court_id,
        "jurisdiction": meta.jurisdiction,
        "decision_date": meta.decision_date.isoformat() if meta.decision_date else None,
        "case_numbers": meta.case_numbers,
        "identifiers": [{"kind": i.kind, "value": i.value} for i in meta.identifiers],
        # Every identifier's key, of any kind, for 'identifier=' and exact-identifier 'q'.
        "identifier_keys": sorted({identifier_key(i.value) for i in meta.identifiers}),
        "parties": meta.parties,
        "party_roles": _people(meta.party_roles),
        "counsel": _people(meta.counsel),
        "judges": meta.judges,
        "doc_type": meta.doc_type,
        "language": meta.language,
        "citations": citations,
        # Every form a 'cites' query may match: full, coarser pinpoints, the instrument alone.
        "cites": sorted({key for c in meta.citations for key in (c.keys or [c.normalized])}),
        # Every authority cited, at each level ('...R0679', '.../art:6', '.../art:6/para:1'),
        # so 'cites=Art. 6 DSGVO' finds a document citing 'Article 6(1)(f) GDPR'.
        "authorities": sorted({a for c in meta.citations for a in c.authority_ids}),
        # The authorities the document itself is (its ECLI, CELEX, an act's abbreviation ...),
        # so a citation of one links to the document that holds it.
        "own_authorities": own_authorities(meta.identifiers, meta.jurisdiction),
        "title": meta.title,
    }


def email_fields(envelope: EmailHeaders) -> dict[str, Any]:
    """An e-mail's header fields and the thread its headers name; ``inclusive`` is true until
    the thread is re-evaluated (a message is inclusive until a later one contains it)."""
    return {
        "email": {
            "from": envelope.sender,
            "to": envelope.to,
            "cc": envelope.cc,
            "date": envelope.date.isoformat() if envelope.date else None,
            "subject": envelope.subject,
            "normalized_subject": normalize_subject(envelope.subject) or None,
            "message_id": envelope.message_id,
            "in_reply_to": envelope.in_reply_to,
            "references": envelope.references,
            "attachments": envelope.attachments,
        },
        "thread_id": header_thread_id(
            envelope.message_id, envelope.in_reply_to, envelope.references
        ),
        "inclusive": True,
    }


def _envelope(event: Event, filename: str, media_type: str) -> dict[str, Any]:
    return {
        "document_id": event.document_id,
        "tenant": event.tenant,
        "matter_id": event.matter_id,
        "acl": document_acl(event.tenant, event.matter_id),
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
    max_page_chars: int = 1_000_000,
    max_nested: int = 9_000,
    objects: Exports | None = None,
) -> dict[str, Any]:
    """The search document; where ``objects`` is given, the derived objects of a statute's or
    judgment's structure (``structure.json``, ``structure.akn.xml``) go in it, to be stored."""
    content, truncated = _truncate(text.text, max_chars)
    meta = extract(
        content,
        filename=filename,
        language_hint=language_hint or text.language,
        jurisdiction_hint=jurisdiction_hint,
        media_type=text.media_type,
        known_date=text.metadata_date,
    )
    budget = max_chars
    pages: list[dict[str, Any]] = []
    for page in text.pages:
        if budget <= 0 or len(pages) >= max_nested:
            truncated = truncated or budget > 0
            break
        page_text = page.text[: min(budget, max_page_chars)]
        truncated = truncated or len(page_text) < len(page.text)
        budget -= len(page_text)
        pages.append(
            {
                "number": page.number,
                "text": page_text,
                "method": page.method,
                "confidence": page.confidence,
                "tables": len(page.tables),
                "language": page.language,
            }
        )
    doc = _envelope(event, filename, text.media_type)
    doc.update(_metadata_fields(meta, content, Places.of_pages(text.pages)))
    if text.email is not None:
        doc.update(email_fields(text.email))
    structure = document_structure(meta, text.pages, max_chars=max_chars)
    doc.update(indexed_fields(structure))
    doc.update(contract_fields(meta.doc_type, content, Places.of_pages(text.pages)))
    if structure is not None and objects is not None:
        objects.update(exports(structure, meta, title=meta.title or filename, pages=text.pages))
    doc.update(
        {
            "kind": "document",
            "title": meta.title or filename,
            "content": content,
            "content_truncated": truncated,
            "pages": pages,
            "page_count": len(text.pages),
            # tables found in its pages (text.json holds their cells): filter tables >= 1
            "tables": sum(len(p.tables) for p in text.pages),
            "extractor_version": extractor_version,
        }
    )
    return doc


def paired_texts(transcript: Transcript) -> dict[int, str]:
    """Segment id -> the text of the other side of its interpreted pair (the turn for the
    interpretation's segments, the interpretation for the turn's)."""
    text = {s.id: s.text.strip() for s in transcript.segments}
    paired: dict[int, str] = {}
    for pair in transcript.pairs:
        original = " ".join(text[i] for i in pair.original if i in text)
        interpretation = " ".join(text[i] for i in pair.interpretation if i in text)
        for i in pair.original:
            paired[i] = interpretation
        for i in pair.interpretation:
            paired[i] = original
    return paired


def transcript_search_document(
    event: Event,
    transcript: Transcript,
    *,
    filename: str,
    jurisdiction_hint: str | None,
    max_chars: int,
    extractor_version: str,
    max_nested: int = 9_000,
) -> dict[str, Any]:
    content, truncated = _truncate(transcript.text, max_chars)
    truncated = truncated or len(transcript.segments) > max_nested
    meta = extract(
        content,
        filename=filename,
        language_hint=transcript.language,
        jurisdiction_hint=jurisdiction_hint,
        media_type=transcript.media_type,
    )
    doc = _envelope(event, filename, transcript.media_type)
    places = Places.of_segments(transcript.segments)
    paired = paired_texts(transcript)
    cites = segment_citations(layout(transcript))
    doc.update(_metadata_fields(meta, content, places, second=True))
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
                    # where the certified transcript writes it ("2:16", cited "Tr. 2:16")
                    "cite": cites.get(s.id),
                    # an interpreted turn's other language: a search in either finds both
                    "paired_text": paired.get(s.id),
                }
                for s in transcript.segments[:max_nested]
            ],
            "duration": transcript.duration,
            "extractor_version": extractor_version,
        }
    )
    return doc

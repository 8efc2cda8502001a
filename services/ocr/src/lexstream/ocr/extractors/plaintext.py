"""Plain text with its encoding detected (charset-normalizer); form feeds separate pages.

XML (text/xml, application/xml, the +xml types other than XHTML) is read the same way, as
its text, and its own date (Akoma Ntoso FRBRdate, ECLI dcterms:date) is kept as the
document's ``metadata_date``.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from lexstream.ocr.errors import ExtractionError
from lexstream.ocr.extractors.base import EXTRACTOR_VERSION, ExtractionContext, ExtractionResult
from lexstream.ocr.extractors.metadata import looks_like_xml, xml_metadata_date
from lexstream.ocr.languages import page_language
from lexstream.shared.artifacts import Page, TextDocument

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode ``data``: BOM, then a declared charset that works, then detection."""
    notes: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), notes
    if declared:
        try:
            return data.decode(declared), notes
        except (LookupError, UnicodeDecodeError):
            notes.append(f"declared charset {declared!r} does not decode the text; detected")
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    sample = data[:65536]
    controls = sum(1 for byte in sample if byte < 0x09 or 0x0E <= byte < 0x20)
    if controls > len(sample) // 20:
        raise ExtractionError("file is binary data, not text")
    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise ExtractionError("text encoding cannot be determined")
    notes.append(f"text encoding detected as {best.encoding}")
    return data.decode(best.encoding, errors="replace"), notes


class PlainTextExtractor:
    name = "plain"

    def matches(self, media_type: str) -> bool:
        if media_type == "application/xml" or media_type.endswith("+xml"):
            return media_type != "application/xhtml+xml"
        return media_type.startswith("text/") and media_type not in (
            "text/html",
            "text/rtf",
        )

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        text, notes = decode_text(path.read_bytes(), ctx.declared_charset)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        chunks = text.split("\f") if "\f" in text else [text]
        pages = [
            Page(number=n, text=chunk.strip("\n"), method="plain", language=page_language(chunk))
            for n, chunk in enumerate(chunks, start=1)
        ]
        ctx.report(len(pages), len(pages))
        document = TextDocument(
            document_id=ctx.document_id,
            media_type=ctx.media_type,
            pages=pages,
            language=page_language(text),
            extractor=f"{EXTRACTOR_VERSION} plain",
            warnings=notes,
            metadata_date=xml_metadata_date(text) if looks_like_xml(text) else None,
        )
        return ExtractionResult(text=document)

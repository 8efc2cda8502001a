"""Page:line transcripts for the transcript route: the caption from metadata, text and PDF.

The layout itself is :mod:`lexstream.shared.pageline` (a pure function of transcript.json);
this module fills the caption page from what the gateway knows of the document and its
matter, and sets the pages in a PDF (fpdf2, its core Courier font: no font files to ship).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from fpdf import FPDF

from lexstream.shared.pageline import LINE_CHARS, Caption, TranscriptPage

PAGE_SIZE = "Letter"
FONT_PT = 10.0
LINE_STEP_MM = 8.6  # 25 lines between a 1-inch top and bottom margin
TOP_MM = 25.4
NUMBER_X_MM = 22.0
TEXT_X_MM = 32.0
MARK_CHARS = 11


def caption_of(doc: dict[str, Any], matter: dict[str, Any] | None) -> Caption:
    """The caption page from the search document's extracted fields and the matter's name."""
    parties = [p for p in doc.get("parties") or [] if isinstance(p, str)]
    case = " v. ".join(parties[:2]) if len(parties) >= 2 else None
    if case is None and matter:
        case = matter.get("name")
    appearances = tuple(
        f"{_for_whom(person.get('role'))}{person['name']}"
        for person in doc.get("counsel") or []
        if isinstance(person, dict) and person.get("name")
    )
    return Caption(
        case=case,
        case_numbers=tuple(doc.get("case_numbers") or ()),
        court=doc.get("court"),
        date=doc.get("decision_date"),
        appearances=appearances,
        judges=tuple(doc.get("judges") or ()),
    )


def to_pdf(pages: Sequence[TranscriptPage], *, time_marks: bool = False) -> bytes:
    """The pages as a PDF: one sheet per page, its number top right, lines numbered 1-25."""
    pdf = FPDF(orientation="portrait", unit="mm", format=PAGE_SIZE)
    pdf.set_auto_page_break(auto=False)
    pdf.set_title("Transcript of proceedings")
    pdf.set_creator("lexstream")
    pdf.set_font("Courier", size=FONT_PT)
    width = pdf.get_string_width("M")
    for page in pages:
        pdf.add_page()
        pdf.text(TEXT_X_MM + (LINE_CHARS + MARK_CHARS) * width, TOP_MM - 10, str(page.number))
        # the left rule of lined transcript paper, between numbers and text
        pdf.line(TEXT_X_MM - 2, TOP_MM - 6, TEXT_X_MM - 2, TOP_MM + 25 * LINE_STEP_MM)
        for line in page.lines:
            y = TOP_MM + line.number * LINE_STEP_MM - LINE_STEP_MM / 2
            pdf.text(NUMBER_X_MM, y, f"{line.number:>2}")
            margin = f"{line.mark or '':<{MARK_CHARS}}" if time_marks and page.number > 1 else ""
            pdf.text(TEXT_X_MM, y, _latin1(margin + line.text))
    return bytes(pdf.output())


def _for_whom(role: str | None) -> str:
    """``"defendant"`` -> ``"For the defendant: "``."""
    return f"For the {role.strip().lower()}: " if role and role.strip() else ""


def _latin1(text: str) -> str:
    """The core PDF fonts hold Latin-1: accents kept, other letters by their base or '?'."""
    if all(ord(char) < 256 for char in text):
        return text
    kept = []
    for char in text:
        if ord(char) < 256:
            kept.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        kept.append(base or "?")
    return "".join(kept)

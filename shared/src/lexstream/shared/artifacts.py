"""Derived artefacts written to the derived bucket (claim check): text and transcripts.

These are the shapes of ``<document_id>/text.json`` and ``<document_id>/transcript.json``.
The ocr and transcribe services write them; index and gateway read them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TextMethod = Literal["text-layer", "ocr", "converted", "plain", "transcript"]


class WordBox(BaseModel):
    """One recognised word and where it sits on the page, in page pixels at ``dpi``."""

    model_config = ConfigDict(frozen=True)

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float | None = None


TableSource = Literal["ruled", "aligned", "scan"]


class TableCell(BaseModel):
    """One cell of a table: its text (lines joined by a space), and how many grid columns
    and rows it covers (a merged header spans several columns)."""

    model_config = ConfigDict(frozen=True)

    text: str
    col_span: int = Field(default=1, ge=1)
    row_span: int = Field(default=1, ge=1)


class Table(BaseModel):
    """A table found on a page: rows of cells, top to bottom, left to right. A merged cell
    appears once, in the first grid position it covers, with its spans."""

    model_config = ConfigDict(frozen=True)

    bbox: tuple[float, float, float, float] = Field(
        description="left, top, right, bottom in page pixels at the page's DPI (as word boxes)"
    )
    rows: list[list[TableCell]]
    header_rows: int = Field(default=0, ge=0, description="how many leading rows are a header")
    source: TableSource = Field(
        description="ruled: drawn cell borders; aligned: text in aligned columns; scan: image"
    )

    @property
    def columns(self) -> int:
        return max((sum(cell.col_span for cell in row) for row in self.rows), default=0)


class Page(BaseModel):
    """One page of recovered text (1-based ``number``)."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1, description="1-based page number")
    text: str
    method: TextMethod = Field(description="how the text was recovered")
    confidence: float | None = Field(
        default=None, description="mean word confidence 0..100 for OCR; None for a text layer"
    )
    language: str | None = Field(default=None, description="ISO 639-1 code where known")
    width: float | None = None
    height: float | None = None
    words: list[WordBox] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    tables: list[Table] = Field(
        default_factory=list, description="tables on the page; their text is in ``text`` too"
    )


class EmailHeaders(BaseModel):
    """An e-mail's envelope as its headers give it (ids without angle brackets)."""

    model_config = ConfigDict(frozen=True)

    sender: str | None = Field(default=None, description="the From header")
    to: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    date: datetime | None = Field(default=None, description="the Date header")
    subject: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list, description="oldest first")
    body: str = Field(default="", description="the body as text (quoted lines included)")
    attachments: list[str] = Field(default_factory=list, description="attachment file names")


class TextDocument(BaseModel):
    """``text.json``: the text of one document, page by page."""

    model_config = ConfigDict(frozen=True)

    document_id: str
    media_type: str
    pages: list[Page]
    language: str | None = None
    extractor: str = Field(description="name/version of the extractor that produced it")
    warnings: list[str] = Field(
        default_factory=list, description="degradations a person should know about"
    )
    metadata_date: date | None = Field(
        default=None,
        description=(
            "the document's date from its own structured metadata (LegalDocML FRBRWork"
            " FRBRdate, ECLI/rechtspraak dcterms:date, an e-mail's Date header); it wins over"
            " dates found in the text. None where the format carries no reliable date"
        ),
    )
    email: EmailHeaders | None = Field(
        default=None, description="an e-mail's headers (EML, MSG, a mailbox's messages)"
    )

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


class Word(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    word: str
    probability: float


class Segment(BaseModel):
    """One transcript segment; times in seconds from the start of the recording."""

    model_config = ConfigDict(frozen=True)

    id: int
    start: float
    end: float
    text: str
    language: str | None = None
    speaker: str | None = None
    avg_logprob: float | None = None
    words: list[Word] = Field(default_factory=list)


SpeakerSource = Literal["channel map", "recording"]


class SpeakerLabel(BaseModel):
    """Who a speaker of the engine (``channel-2``, ``speaker-1``) is, in court style."""

    model_config = ConfigDict(frozen=True)

    speaker: str = Field(description="the engine's speaker id: channel-1, channel-2, ...")
    label: str = Field(description="the label segments carry: THE COURT, MS. HALE, THE WITNESS")
    role: str | None = Field(default=None, description="the court, counsel for the plaintiff")
    name: str | None = None
    source: SpeakerSource = Field(description="the upload's channel map, or the recording")


class SpeakerProposal(BaseModel):
    """A label read from what was said, with the segment and words that say it."""

    model_config = ConfigDict(frozen=True)

    speaker: str = Field(description="the engine's speaker id it would label")
    label: str
    role: str | None = None
    name: str | None = None
    rule: str = Field(
        description="appearance, swearing-in, name for the record, presiding, invited by name"
    )
    segment: int = Field(description="id of the segment whose words are the evidence")
    evidence: str = Field(description="the words that say it")
    applied: bool = Field(description="false where a channel map named the speaker")


class InterpretedPair(BaseModel):
    """A turn in one language and the interpretation that follows it in another."""

    model_config = ConfigDict(frozen=True)

    original: list[int] = Field(description="ids of the segments of the turn interpreted")
    interpretation: list[int] = Field(description="ids of the segments of the interpretation")
    original_language: str
    interpretation_language: str
    interpreter: str = Field(description="the label the interpretation's segments carry")


class Transcript(BaseModel):
    """``transcript.json``: a timed transcript of one recording."""

    model_config = ConfigDict(frozen=True)

    document_id: str
    media_type: str
    duration: float = Field(description="seconds of audio")
    language: str | None = Field(default=None, description="dominant language")
    segments: list[Segment]
    model: str = Field(description="the Whisper model used")
    device: str = Field(description="cpu or cuda")
    compute_type: str
    speakers: list[SpeakerLabel] = Field(
        default_factory=list, description="the speakers named, by map or from the recording"
    )
    speaker_proposals: list[SpeakerProposal] = Field(default_factory=list)
    pairs: list[InterpretedPair] = Field(
        default_factory=list, description="interpreted turns and their interpretations"
    )

    @property
    def text(self) -> str:
        return " ".join(segment.text.strip() for segment in self.segments)

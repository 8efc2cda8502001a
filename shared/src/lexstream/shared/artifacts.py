"""Derived artefacts written to the derived bucket (claim check): text and transcripts.

These are the shapes of ``<document_id>/text.json`` and ``<document_id>/transcript.json``.
The ocr and transcribe services write them; index and gateway read them.
"""

from __future__ import annotations

from datetime import date
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
    rule: str = Field(description="appearance, swearing-in, name for the record, presiding")
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

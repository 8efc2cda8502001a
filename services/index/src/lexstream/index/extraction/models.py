"""The extracted legal metadata of one document."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """One cited authority; repeated citations of it are folded into ``count``."""

    model_config = ConfigDict(frozen=True)

    raw: str = Field(description="The citation as first printed in the text.")
    normalized: str = Field(
        description="Canonical form for exact-match 'cites' queries, e.g. '410 U.S. 113'."
    )
    kind: str = Field(description="Citation family, e.g. us_case, ecli, eu_case, uk_neutral.")
    start: int = Field(ge=0, description="Offset of the first occurrence in the text.")
    end: int = Field(ge=0, description="Offset just past the first occurrence.")
    count: int = Field(default=1, ge=1, description="Occurrences, short forms included.")


DOC_TYPES = (
    "judgment",
    "opinion",
    "order",
    "docket",
    "statute",
    "regulation",
    "contract",
    "pleading",
    "transcript",
    "email",
    "other",
)


class LegalMetadata(BaseModel):
    """Legal structure of a document; unknown values stay None or empty."""

    model_config = ConfigDict(frozen=True)

    court: str | None = Field(default=None, description="Court name as kept in the court table.")
    court_id: str | None = Field(
        default=None, description="courts-db id for US courts, table id elsewhere (e.g. 'uksc')."
    )
    jurisdiction: str | None = Field(
        default=None,
        description="Path: US, US/FED, US/STATE/CA, EU, EU/DE, UK, UK/EW, UK/SC, UK/NI ...",
    )
    decision_date: date | None = None
    case_numbers: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)
    judges: list[str] = Field(default_factory=list)
    doc_type: str = Field(default="other", description="One of DOC_TYPES.")
    language: str | None = Field(default=None, description="ISO 639-1 code.")
    citations: list[Citation] = Field(default_factory=list)
    title: str | None = None

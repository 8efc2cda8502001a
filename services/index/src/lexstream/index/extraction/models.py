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
    instrument: str | None = Field(
        default=None,
        description="The act or case cited, without the pinpoint, e.g. 'BGB', "
        "'Regulation (EU) 2016/679', '410 U.S. 113'.",
    )
    pinpoint: str | None = Field(
        default=None,
        description="The provision or paragraph cited, e.g. '§ 823 Abs. 1 Satz 2', "
        "'Art. 6(1)(f)', 'para 42'; None where the whole instrument is cited.",
    )
    keys: list[str] = Field(
        default_factory=list,
        description="Every form a 'cites' query may match: the full form, each coarser "
        "pinpoint ('§ 823 Abs. 1 BGB', '§ 823 BGB') and the instrument alone.",
    )
    authority_id: str | None = Field(
        default=None,
        description="The cited authority at its pinpoint, the same id whatever language or "
        "form it is written in (lexstream.shared.legal.authorities), e.g. "
        "'eu:celex:32016R0679/art:6/para:1/point:f'; None where the citation names no one "
        "authority (it is kept all the same).",
    )
    authority_ids: list[str] = Field(
        default_factory=list,
        description="authority_id and every coarser id, the root first.",
    )


class Treatment(BaseModel):
    """How one citing sentence treats a cited case (lexstream.index.extraction.treatment)."""

    model_config = ConfigDict(frozen=True)

    signal: str = Field(
        description="followed, applied, distinguished, not_followed, overruled or doubted."
    )
    shown: bool = Field(
        description="Whether the signal is precise enough to display (treatment.SHOWN_SIGNALS)."
    )
    normalized: str = Field(description="The treated citation's normal form (Citation.normalized).")
    authority_id: str | None = Field(default=None, description="The treated authority's id.")
    raw: str = Field(description="This mention of the citation as printed.")
    start: int = Field(ge=0, description="Offset of this mention in the text.")
    end: int = Field(ge=0, description="Offset just past this mention.")
    sentence: str = Field(description="The citing sentence: the evidence.")
    sentence_start: int = Field(ge=0)
    sentence_end: int = Field(ge=0)
    cue: str = Field(description="The words that carry the signal, as printed, e.g. 'applying'.")
    cue_start: int = Field(ge=0)
    cue_end: int = Field(ge=0)
    language: str = Field(description="The cue's language (ISO 639-1).")


class Identifier(BaseModel):
    """One of the document's own identifiers."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(
        description="ecli, neutral_citation, celex, eli, docket, oj (official journal or "
        "gazette reference such as 'BGBl. I S. 42'), abbreviation (a statute's own short "
        "title such as 'BGB')."
    )
    value: str = Field(description="Normal form, e.g. 'ECLI:DE:BGH:2013:171213UVIZR211.12.0'.")


class Person(BaseModel):
    """A party, counsel or judge with the role the document gives them."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The name without role words.")
    role: str | None = Field(
        default=None,
        description="Normalised role: claimant, defendant, appellant, respondent, applicant, "
        "intervener, third_party, petitioner, judge, counsel ... (English, whatever the "
        "document's language); None where the document gives none.",
    )
    role_text: str | None = Field(
        default=None,
        description="The role words as printed, e.g. 'Klägerin und Revisionsklägerin'.",
    )


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
    identifiers: list[Identifier] = Field(
        default_factory=list, description="The document's own ECLI, neutral citation, CELEX ..."
    )
    parties: list[str] = Field(default_factory=list, description="Party names, no role words.")
    party_roles: list[Person] = Field(default_factory=list, description="Parties with roles.")
    counsel: list[Person] = Field(default_factory=list, description="Counsel (role: for whom).")
    judges: list[str] = Field(default_factory=list)
    doc_type: str = Field(default="other", description="One of DOC_TYPES.")
    language: str | None = Field(default=None, description="ISO 639-1 code.")
    citations: list[Citation] = Field(default_factory=list)
    title: str | None = None
    treatments: list[Treatment] = Field(
        default_factory=list,
        description="Treatment signals of the case citations, with their sentences.",
    )

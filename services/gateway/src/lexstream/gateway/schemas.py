"""The gateway's answers as pydantic models: the OpenAPI document is generated from these.

Each model is the shape a route builds today (the routes return them, so FastAPI validates
every answer against its documented schema). Only what is genuinely open stays open: a
citation's extra attributes, an audit entry's query. Times are ISO 8601 strings as stored.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from lexstream.gateway.stores import Role, Scope
from lexstream.shared.artifacts import TextMethod, Transcript, WordBox
from lexstream.shared.events import AuditRecorded, DocumentStatus, Provenance

__all__ = [
    "COMMON_ERRORS",
    "ApiKey",
    "ApiKeyList",
    "AuditEntry",
    "AuditTrail",
    "ChildDocument",
    "Children",
    "Citation",
    "DocumentMetadata",
    "DocumentText",
    "ErrorDetail",
    "Facets",
    "Identifier",
    "Matter",
    "MatterList",
    "Me",
    "NewApiKey",
    "OriginalUrl",
    "OwnedMatter",
    "Person",
    "SearchHit",
    "SearchResponse",
    "Similar",
    "SimilarHit",
    "Suggestion",
    "Suggestions",
    "TextPage",
    "TextPageWithWords",
    "Transcript",
    "UploadAccepted",
    "errors",
]

Timestamp = Annotated[
    str, WithJsonSchema({"type": "string", "format": "date-time", "description": "ISO 8601"})
]


class ErrorDetail(BaseModel):
    """Every refusal (4xx) and every unavailable backend (503, 504)."""

    detail: str = Field(description="what went wrong, in words a person can act on")


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for refusals: each answers ``{"detail": ...}``."""
    return {code: {"model": ErrorDetail, "description": _REASONS[code]} for code in codes}


_REASONS = {
    400: "a request the caller must fix",
    401: "no or an invalid key or token",
    403: "not allowed to the caller",
    404: "no such thing, or not visible to the caller",
    409: "conflicts with the current state; see detail",
    413: "too large",
    415: "not multipart/form-data",
    429: "rate limit exceeded; see Retry-After",
    503: "a backend is unavailable; see Retry-After",
    504: "a backend did not answer in time; see Retry-After",
}

#: what every authenticated route may answer besides its success
COMMON_ERRORS = errors(400, 401, 403, 404, 429, 503, 504)


class UploadAccepted(BaseModel):
    document_id: str
    status_url: str = Field(description="where the document's status can be followed")
    duplicate: bool = Field(description="the same bytes were already stored in this matter")


class Citation(BaseModel):
    """A citation found in the document; later extractors add attributes (pinpoint, ...)."""

    model_config = ConfigDict(extra="allow")

    raw: str = Field(description="as written in the document")
    normalized: str = Field(description="the normal form searched by ?cites=")
    kind: str = Field(description="reporter, ecli, neutral, celex, statute, ...")


class Identifier(BaseModel):
    """One of the document's own identifiers; ``?identifier=`` finds it by its value."""

    kind: str = Field(
        description="ecli, neutral_citation, celex, eli, docket, oj (official journal or "
        "gazette reference), abbreviation (an act's own short title)"
    )
    value: str = Field(description="normal form, e.g. 'ECLI:EU:C:2014:317', '[2020] UKSC 5'")


class Person(BaseModel):
    """A party or counsel with the role the document gives them."""

    name: str
    role: str | None = Field(description="claimant, defendant, appellant, respondent, ...")
    role_text: str | None = Field(description="the role words as printed")


class DocumentMetadata(BaseModel):
    """``GET /v1/documents/{id}``: status, provenance and the extracted fields."""

    document_id: str
    status: DocumentStatus
    failure_reason: str | None = Field(description="set when failed: why, for a person")
    failure_stage: str | None
    warnings: list[str] = Field(description="degradations a person should know about")
    progress: float | None = Field(description="fraction done of the current stage")
    stages: dict[str, Timestamp] = Field(description="when the document reached each status")
    filename: str | None
    media_type: str | None
    kind: str | None = Field(description="document or recording")
    matter_id: str | None
    parent_document_id: str | None = Field(description="set for attachments and archive members")
    provenance: Provenance | None
    submissions: list[Provenance] = Field(
        default_factory=list,
        description="later submissions of the same bytes into the matter, each with its own "
        "source and external id: they are this document, not new ones",
    )
    extractor_version: str | None
    title: str | None
    court: str | None
    jurisdiction: str | None = Field(description="a path: US/FED, EU/DE, UK/EW, ...")
    decision_date: date | None
    case_numbers: list[str] | None
    identifiers: list[Identifier] | None = Field(description="the document's own ECLI, ...")
    parties: list[str] | None
    party_roles: list[Person] | None = Field(description="parties with their roles")
    counsel: list[Person] | None = Field(description="counsel; role: for whom")
    judges: list[str] | None
    citations: list[Citation] | None
    doc_type: str | None
    language: str | None
    page_count: int | None
    duration: float | None = Field(description="seconds, for recordings")
    content_truncated: bool | None
    pages: int | None = Field(description="the number of pages (same as page_count)")


class TextPage(BaseModel):
    number: int = Field(ge=1)
    text: str
    method: TextMethod
    confidence: float | None = Field(description="mean OCR word confidence 0..100")
    language: str | None
    warnings: list[str]


class TextPageWithWords(TextPage):
    """A page asked for with ``words=true``: its size and word boxes (pixels, top-left)."""

    width: float | None
    height: float | None
    words: list[WordBox]


class DocumentText(BaseModel):
    document_id: str
    language: str | None
    warnings: list[str]
    pages: list[TextPageWithWords | TextPage]


class OriginalUrl(BaseModel):
    """``redirect=false``: the download URL itself (for media players)."""

    url: str
    expires_in: int = Field(description="seconds the URL stays valid")


class ChildDocument(BaseModel):
    document_id: str
    filename: str | None
    media_type: str | None
    status: DocumentStatus | None


class Children(BaseModel):
    document_id: str
    total: int = Field(description="children the caller may see, on every page together")
    children: list[ChildDocument]
    next: str | None = Field(
        default=None,
        description="pass as after= for the next page; null when no more can follow",
    )


class SimilarHit(BaseModel):
    document_id: str
    score: float | None = Field(description="relevance; null when sorted by date")
    title: str | None
    filename: str | None
    kind: str | None
    jurisdiction: str | None
    court: str | None
    decision_date: date | None
    doc_type: str | None
    language: str | None
    matter_id: str | None
    parent_document_id: str | None
    identifiers: list[Identifier] | None = Field(
        default=None, description="the document's own ECLI, neutral citation, CELEX, docket ..."
    )


class Similar(BaseModel):
    document_id: str
    hits: list[SimilarHit]


class PageHighlight(BaseModel):
    page: int | None = Field(description="the page the fragment is on")
    text: str = Field(description="the fragment, matches in <em>")


class TimeHighlight(BaseModel):
    start: float | None = Field(description="seconds into the recording")
    end: float | None
    cite: str | None = Field(
        default=None,
        description="page:line of the certified transcript (format=pageline), e.g. '2:16', "
        "cited as 'Tr. 2:16'; none for recordings indexed before it existed",
    )
    text: str = Field(description="the fragment, matches in <em>")


class Passage(BaseModel):
    """The passage of a document nearest in meaning to the query (hybrid search)."""

    page: int | None = Field(default=None, description="its page (documents)")
    start: float | None = Field(default=None, description="its first second (recordings)")


class SearchHit(SimilarHit):
    highlights: list[PageHighlight | TimeHighlight]
    passage: Passage | None = Field(
        default=None,
        description="where the passage nearest in meaning to q is, when hybrid search "
        "ranked it (a document found by meaning alone has no highlights, only this)",
    )


class FacetValue(BaseModel):
    value: str
    count: int


class JurisdictionNode(BaseModel):
    path: str
    count: int = Field(description="documents here and below")
    children: list[JurisdictionNode]


class Facets(BaseModel):
    court: list[FacetValue] = Field(default_factory=list)
    doc_type: list[FacetValue] = Field(default_factory=list)
    language: list[FacetValue] = Field(default_factory=list)
    matter_id: list[FacetValue] = Field(default_factory=list)
    jurisdiction: list[JurisdictionNode] = Field(default_factory=list)
    authority: list[FacetValue] = Field(
        default_factory=list,
        description="the authorities cited (acts, cases, treaties as wholes) by canonical id; "
        "GET /v1/authorities/{id} names one, authority= filters by it",
    )
    decision_year: list[FacetValue] = Field(
        default_factory=list, description="decisions by year (date_from/date_to filter)"
    )


class SearchSuggestion(BaseModel):
    """What to search for instead, offered when a search found nothing."""

    q: str = Field(description="a q to try instead")
    kind: Literal["spelling", "relaxed"] = Field(
        description="spelling: a correction from the index's words that finds a document the "
        "caller may see; relaxed: the same words with fewer required"
    )
    total: int | None = Field(default=None, description="what the relaxed q finds")


class SearchResponse(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: Facets
    next: str | None = Field(description="pass as search_after for the next page")
    suggestion: SearchSuggestion | None = Field(
        default=None, description="only when nothing was found: a q to try instead"
    )


class Suggestion(BaseModel):
    document_id: str
    text: str | None
    court: str | None


class Suggestions(BaseModel):
    suggestions: list[Suggestion]


class Member(BaseModel):
    subject: str
    role: Role


class Matter(BaseModel):
    """A matter as a member sees it."""

    matter_id: str
    name: str
    description: str | None
    client: str | None
    channels: str | None = Field(
        default=None, description="its recordings' channel map, where an upload names none"
    )
    status: str = Field(description="open or archived")
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp
    role: Role | None = Field(description="the caller's role (admins may have none)")


class OwnedMatter(Matter):
    """A matter as its owners see it: with members and screens (ethical walls)."""

    members: list[Member]
    screened: list[str]


class MatterList(BaseModel):
    matters: list[OwnedMatter | Matter]


class Me(BaseModel):
    subject: str
    tenant: str
    is_admin: bool
    scopes: list[Scope]
    matters: dict[str, Role] = Field(description="matter id: the caller's role")
    screened: list[str] = Field(description="matters the caller is screened from")


class ApiKey(BaseModel):
    key_id: str
    tenant: str
    subject: str
    name: str
    scopes: list[Scope]
    revoked: bool
    revoked_at: Timestamp | None
    created_by: str
    created_at: Timestamp
    last_used_at: Timestamp | None


class NewApiKey(ApiKey):
    key: str = Field(description="the key itself; shown only in this answer")


class ApiKeyList(BaseModel):
    keys: list[ApiKey]


#: the same model documents the audit topic (AsyncAPI) and ``GET /v1/audit`` (OpenAPI)
AuditEntry = AuditRecorded


class AuditTrail(BaseModel):
    entries: list[AuditEntry]

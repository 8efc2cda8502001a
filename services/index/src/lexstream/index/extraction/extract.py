"""extract(): the legal structure of one document's text, as a pure function."""

from __future__ import annotations

import re

from lexstream.index.extraction.caption import find_case_numbers
from lexstream.index.extraction.citations import find_citations
from lexstream.index.extraction.courts import detect_court, jurisdiction_from_citations
from lexstream.index.extraction.dates import find_decision_date
from lexstream.index.extraction.doctype import classify
from lexstream.index.extraction.language import detect_language
from lexstream.index.extraction.models import Citation, LegalMetadata
from lexstream.index.extraction.parties import find_judges, find_parties
from lexstream.index.extraction.tables import us_state_codes
from lexstream.index.extraction.text import HEADER_CHARS, MAX_CITATION_CHARS, clean

_JURISDICTION_PATH = re.compile(r"^(?:US|EU|UK|[A-Z]{2})(?:/[A-Z]{2,5})*$")
_US_STATE_STATUTES = re.compile(
    r"^\s*(?:The\s+)?(?:General\s+Statutes\s+of\s+)?(?P<state>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
    r"\s+(?:General\s+|Revised\s+)?(?:Statutes|Code)\b",
    re.MULTILINE,
)
_OWN_ZONE = 3_000
_OWN_KINDS = {"uk_neutral", "ecli"}
_NEUTRAL_LABEL = re.compile(
    r"(?:^|\n)\s*Neutral Citation(?: Number| No\.?)?\s*:?\s*$", re.IGNORECASE
)


def _statute_jurisdiction(header: str) -> str | None:
    match = _US_STATE_STATUTES.search(header[:500])
    code = us_state_codes().get(match["state"]) if match else None
    return f"US/STATE/{code}" if code else None


def _alone_on_line(citation: Citation, text: str) -> bool:
    line_start = text.rfind("\n", 0, citation.start) + 1
    line_end = text.find("\n", citation.end)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return line.strip(" \t[]()-") == text[citation.start : citation.end].strip(" \t[]()-")


def _own_identifiers(
    citations: list[Citation], text: str, case_numbers: list[str], *, eu_court: bool
) -> set[str]:
    """The document's own neutral citation, ECLI, EU case numbers and (for an act) its own
    number are identifiers, not citations: the first of each kind that stands alone on a
    line of the header, one labelled 'Neutral Citation Number', and EU case numbers that
    are the case numbers of an EU court's document."""
    own: set[str] = set()
    seen_kinds: set[str] = set()
    for citation in sorted(citations, key=lambda c: c.start):
        own_case = eu_court and citation.kind == "eu_case" and citation.normalized in case_numbers
        own_act = citation.kind == "eu_legislation" and citation.start < 100
        if own_case or own_act:
            own.add(citation.normalized)
        elif citation.kind in _OWN_KINDS and citation.start < _OWN_ZONE:
            before = text[max(0, citation.start - 40) : citation.start]
            alone = citation.kind not in seen_kinds and _alone_on_line(citation, text)
            if alone or _NEUTRAL_LABEL.search(before):
                own.add(citation.normalized)
                seen_kinds.add(citation.kind)
    return own


def _own_year(citations: list[Citation], own: set[str]) -> int | None:
    for citation in citations:
        if citation.normalized in own:
            found = re.search(r"(?:\[|:)(\d{4})(?:\]|:)", citation.normalized)
            if found:
                return int(found.group(1))
    return None


def extract(
    text: str,
    *,
    filename: str | None = None,
    language_hint: str | None = None,
    jurisdiction_hint: str | None = None,
    media_type: str | None = None,
) -> LegalMetadata:
    """Court, jurisdiction, date, case numbers, parties, judges, type, language, citations.

    Bounded: the header fields read the first HEADER_CHARS characters, citations and
    language read bounded prefixes (see text.py); empty text gives empty metadata.
    """
    if not text or not text.strip():
        doc_type = classify("", filename=filename, media_type=media_type, jurisdiction=None)
        return LegalMetadata(doc_type=doc_type)
    # Nothing past MAX_CITATION_CHARS is read, except the language windows.
    cleaned = clean(text[:MAX_CITATION_CHARS])
    header = cleaned[:HEADER_CHARS]

    language = detect_language(text, language_hint)
    court = detect_court(header, filename)
    # 'Case C-493/17' in a national judgment cites a CJEU case; in an EU one it is its own.
    eu_court = court.jurisdiction in (None, "EU")
    case_numbers = find_case_numbers(header, eu_cases=eu_court)
    all_citations = find_citations(cleaned, us=language in (None, "en"))
    own = _own_identifiers(all_citations, cleaned, case_numbers, eu_court=eu_court)
    citations = [citation for citation in all_citations if citation.normalized not in own]

    jurisdiction = court.jurisdiction
    if jurisdiction is None:
        jurisdiction = _statute_jurisdiction(header) or jurisdiction_from_citations(
            [(citation.kind, citation.normalized) for citation in all_citations]
        )
    if jurisdiction is None and jurisdiction_hint and _JURISDICTION_PATH.match(jurisdiction_hint):
        jurisdiction = jurisdiction_hint

    parties = find_parties(header)
    return LegalMetadata(
        court=court.court,
        court_id=court.court_id,
        jurisdiction=jurisdiction,
        decision_date=find_decision_date(
            header,
            us_order=(jurisdiction or "").startswith("US"),
            court=court.court,
            year=_own_year(all_citations, own),
        ),
        case_numbers=case_numbers,
        parties=parties,
        judges=find_judges(header),
        doc_type=classify(
            header, filename=filename, media_type=media_type, jurisdiction=court.jurisdiction
        ),
        language=language,
        citations=citations,
        title=f"{parties[0]} v. {parties[1]}" if len(parties) == 2 else None,
    )

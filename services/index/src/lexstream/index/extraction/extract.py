"""extract(): the legal structure of one document's text, as a pure function."""

from __future__ import annotations

import re
from datetime import date

from lexstream.index.extraction.caption import cited_spans, find_case_numbers
from lexstream.index.extraction.citations import find_citations
from lexstream.index.extraction.courts import detect_court, jurisdiction_from_citations
from lexstream.index.extraction.dates import find_decision_date, month_first
from lexstream.index.extraction.doctype import classify
from lexstream.index.extraction.language import detect_language
from lexstream.index.extraction.models import Citation, Identifier, LegalMetadata
from lexstream.index.extraction.parties import (
    find_counsel,
    find_judges,
    find_parties,
    find_party_roles,
)
from lexstream.index.extraction.tables import us_state_codes
from lexstream.index.extraction.text import HEADER_CHARS, MAX_CITATION_CHARS, clean
from lexstream.index.extraction.treatment import find_treatments

_JURISDICTION_PATH = re.compile(r"^(?:US|EU|UK|INT|[A-Z]{2})(?:/[A-Z]{2,5})*$")
_US_STATE_STATUTES = re.compile(
    r"^\s*(?:The\s+)?(?:General\s+Statutes\s+of\s+)?(?P<state>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
    r"\s+(?:General\s+|Revised\s+)?(?:Statutes|Code)\b",
    re.MULTILINE,
)
_OWN_ZONE = 3_000
_OWN_KINDS = {"uk_neutral", "ecli", "celex"}
# The citation families whose own-identifier matches become identifiers of these kinds.
_IDENTIFIER_KIND = {
    "ecli": "ecli",
    "uk_neutral": "neutral_citation",
    "celex": "celex",
    "eu_oj": "oj",
    "de_gazette": "oj",
}
_IDENTIFIER_ORDER = ("ecli", "neutral_citation", "celex", "eli", "oj", "abbreviation", "docket")
# An act's own gazette reference stands at its head ('BGBl. 2024 I Nr. 107', 'OJ L 119,
# 4.5.2016, p. 1'), or in a 'Fundstelle' line (gesetze-im-internet.de).
_OWN_GAZETTE_ZONE = 400
_ACT_TYPES = {"statute", "regulation"}
_JUDGMENT_TYPES = {"judgment", "opinion", "order"}
#: Treatment signals kept per document at most.
MAX_TREATMENTS = 500
# Official journals by their abbreviation: the legislature whose acts they publish.
_GAZETTE_JURISDICTION = {"BGBl": "EU/DE", "RGBl": "EU/DE", "OJ": "EU"}
_FUNDSTELLE = re.compile(
    r"\bFundstelle\s*:?\s*(?:\n\s*:\s*)?(?P<gazette>[BR]GBl)\.?\s*(?P<part>III|II|I)?\s*:\s*"
    r"(?P<year>\d{4})\s*,\s*(?P<page>\d+)"
)
# An act's own short title: '# Kündigungsschutzgesetz (KSchG)' on one of its first lines,
# or the 'jurabk' (juristische Abkürzung) of gesetze-im-internet.de's metadata.
_OWN_ABBREVIATION = re.compile(
    r"^[#\s]*[^\n()]{4,200}?\s\((?P<abbr>[A-ZÄÖÜ][A-Za-zÄÖÜäöüß0-9./-]{1,15})\)\s*$",
    re.MULTILINE,
)
_JURABK = re.compile(r"^\s*(?:jurabk\s*:|<jurabk>)\s*(?P<abbr>[^\s<]{2,20})", re.MULTILINE)
_ABBREVIATION_ZONE = 600
# European Legislation Identifiers: 'http://data.europa.eu/eli/reg/2016/679/oj',
# 'ELI: /eli/bund/bgbl-1/2024/107'.
_ELI = re.compile(
    r"(?:\bELI\s*:?\s*)?(?P<eli>https?://[\w.-]+/eli/[\w./-]*[\w/]|(?<=ELI: )/eli/[\w./-]*[\w/])"
)
# 'Regulation (EU) 2016/679' -> CELEX 32016R0679: sector 3, year, type letter, number.
_ACT_NUMBER = re.compile(
    r"^(?P<type>Regulation|Directive|Decision)\s(?:\((?P<inst>[A-Za-z]+)\)\s)?(?P<no>No\s)?"
    r"(?P<a>\d{1,4})/(?P<b>\d{1,4})(?:/[A-Za-z]+)?$"
)
_CELEX_TYPE = {"Regulation": "R", "Directive": "L", "Decision": "D"}
# A CJEU or General Court judgment's CELEX from its case number: 'C-129/21' -> 62021CJ0129.
_EU_CASE_NUMBER = re.compile(r"^(?P<court>[CTF])-(?P<number>\d{1,4})/(?P<year>\d{2})(?:\sP)?$")
_EU_COURT_CELEX = {"C": "CJ", "T": "TJ", "F": "FJ"}
_TITLE_ZONE = 400
_NOT_OWN_BEFORE = re.compile(
    r"\b(?:appeal(?:s|ed)?\s+from|from\s*:|see|cf|citing|applying|following|overruling)\b",
    re.IGNORECASE,
)
_APPEAL_FROM = re.compile(r"(?:On\s+)?appeal\s+from\b", re.IGNORECASE)
_SHORT_LABEL = 30
_NEUTRAL_LABEL = re.compile(
    r"(?:^|\n)\s*Neutral Citation(?: Number| No\.?)?\s*:?\s*$", re.IGNORECASE
)


def _gazette_jurisdiction(identifiers: list[Identifier]) -> str | None:
    """An act's own official journal names its legislature: 'BGBl.' the German federation,
    'OJ' the Union."""
    for identifier in identifiers:
        if identifier.kind == "oj":
            prefix = identifier.value.split(".", 1)[0].split(" ", 1)[0]
            if prefix in _GAZETTE_JURISDICTION:
                return _GAZETTE_JURISDICTION[prefix]
    return None


def _statute_jurisdiction(header: str) -> str | None:
    match = _US_STATE_STATUTES.search(header[:500])
    code = us_state_codes().get(match["state"]) if match else None
    return f"US/STATE/{code}" if code else None


def _alone_on_line(citation: Citation, text: str) -> bool:
    line_start = text.rfind("\n", 0, citation.start) + 1
    line_end = text.find("\n", citation.end)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return line.strip(" \t[]()-") == text[citation.start : citation.end].strip(" \t[]()-")


def _heads(citation: Citation, text: str) -> bool:
    """A neutral citation or ECLI in the title lines, not one the title says the decision
    is on appeal from ('[2021] UKSC 50 On appeal from: [2019] EWCA Civ 1599')."""
    if citation.kind not in {"uk_neutral", "ecli"} or citation.start >= _TITLE_ZONE:
        return False
    line_start = text.rfind("\n", 0, citation.start) + 1
    line_end = text.find("\n", citation.end)
    before = text[line_start : citation.start].strip()
    after = text[citation.end : line_end if line_end != -1 else len(text)].strip(" \t()")
    if _NOT_OWN_BEFORE.search(before):
        return False
    # A title ending in it, or a short label before it ('Michaelmas Term', 'Citation:').
    return not after or bool(_APPEAL_FROM.match(after)) or len(before) <= _SHORT_LABEL


def _own_identifiers(
    citations: list[Citation], text: str, case_numbers: list[str], *, eu_court: bool, act: bool
) -> set[str]:
    """The document's own neutral citation, ECLI, EU case numbers and (for an act) its own
    number are identifiers, not citations: the first of each kind that stands alone on a
    line of the header, one labelled 'Neutral Citation Number', and EU case numbers that
    are the case numbers of an EU court's document."""
    own: set[str] = set()
    seen_kinds: set[str] = set()
    for citation in sorted(citations, key=lambda c: c.start):
        own_case = eu_court and citation.kind == "eu_case" and citation.normalized in case_numbers
        own_act = act and citation.kind == "eu_legislation" and citation.start < 100
        if own_case or own_act:
            own.add(citation.normalized)
        elif citation.kind in _OWN_KINDS and citation.start < _OWN_ZONE:
            before = text[max(0, citation.start - 40) : citation.start]
            first = citation.kind not in seen_kinds
            alone = first and _alone_on_line(citation, text)
            if alone or _NEUTRAL_LABEL.search(before) or (first and _heads(citation, text)):
                own.add(citation.normalized)
                seen_kinds.add(citation.kind)
    return own


def _year(two_or_four: str) -> int:
    value = int(two_or_four)
    if len(two_or_four) == 4:
        return value
    return value + (1900 if value >= 50 else 2000)


def act_celex(normalized: str) -> str | None:
    """The CELEX number of an EU act from its normal form ('Regulation (EU) 2016/679' ->
    '32016R0679'); old regulations are numbered number/year, everything else year/number."""
    match = _ACT_NUMBER.match(normalized)
    if not match:
        return None
    first, second = match["a"], match["b"]
    old_regulation = match["type"] == "Regulation" and (match["no"] or len(first) < 4)
    year, number = (second, first) if old_regulation else (first, second)
    return f"3{_year(year)}{_CELEX_TYPE[match['type']]}{int(number):04d}"


def judgment_celex(case_number: str) -> str | None:
    """The CELEX number of a judgment of the EU courts from its case number."""
    match = _EU_CASE_NUMBER.match(case_number)
    if not match:
        return None
    court = _EU_COURT_CELEX[match["court"]]
    return f"6{_year(match['year'])}{court}{int(match['number']):04d}"


def _own_abbreviation(header: str) -> str | None:
    zone = header[:_ABBREVIATION_ZONE]
    match = _JURABK.search(zone) or _OWN_ABBREVIATION.search(zone)
    return match["abbr"] if match else None


def _fundstelle(header: str) -> str | None:
    match = _FUNDSTELLE.search(header[: _ABBREVIATION_ZONE * 2])
    if not match:
        return None
    part = f"{match['part']} " if match["part"] else ""
    return f"{match['gazette']}. {match['year']} {part}S. {match['page']}"


def _identifiers(
    citations: list[Citation],
    own: set[str],
    header: str,
    case_numbers: list[str],
    *,
    doc_type: str,
    eu_judgment: bool,
) -> list[Identifier]:
    """The document's own identifiers, in a fixed order of kinds, each value once."""
    found: list[Identifier] = []

    def add(kind: str, value: str | None) -> None:
        if value and not any(i.kind == kind and i.value == value for i in found):
            found.append(Identifier(kind=kind, value=value))

    is_act = doc_type in _ACT_TYPES
    for citation in citations:
        if citation.normalized in own:
            if citation.kind in _IDENTIFIER_KIND:
                add(_IDENTIFIER_KIND[citation.kind], citation.normalized)
            elif citation.kind == "eu_legislation":
                add("celex", act_celex(citation.normalized))
        elif (
            is_act
            and citation.kind in ("eu_oj", "de_gazette")
            and citation.start < _OWN_GAZETTE_ZONE
            and not any(i.kind == "oj" for i in found)
        ):
            add("oj", citation.normalized)
            own.add(citation.normalized)
    if eu_judgment and case_numbers and not any(i.kind == "celex" for i in found):
        add("celex", judgment_celex(case_numbers[0]))
    for match in _ELI.finditer(header[:_OWN_ZONE]):
        add("eli", match["eli"].rstrip("/."))
    if is_act:
        add("oj", _fundstelle(header))
        add("abbreviation", _own_abbreviation(header))
    for number in case_numbers:
        add("docket", number)
    rank = {kind: position for position, kind in enumerate(_IDENTIFIER_ORDER)}
    return sorted(found, key=lambda identifier: rank[identifier.kind])


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
    known_date: date | None = None,
) -> LegalMetadata:
    """Court, jurisdiction, date, case numbers, identifiers, parties, judges, type,
    language, citations.

    ``known_date``: the decision date from the document's structured metadata (LegalDocML
    FRBRdate, rechtspraak dcterms:date), which wins over dates in the text.
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
    # eyecite reads the US reporters: in a judgment of a UK, EU or international court its
    # matches are other systems' numbers ('5 Ohio Law. Abs. 1' for 'Abs. 1'), not US cases.
    foreign_court = (court.jurisdiction or "").startswith(("UK", "EU", "INT"))
    all_citations = find_citations(cleaned, us=language in (None, "en") and not foreign_court)
    cited = cited_spans((c.kind, c.start, c.end) for c in all_citations if c.start < len(header))
    case_numbers = find_case_numbers(header, eu_cases=eu_court, cited=cited)
    doc_type = classify(
        header, filename=filename, media_type=media_type, jurisdiction=court.jurisdiction
    )
    # Only an act's own number heads it: a judgment's first line may cite one.
    own = _own_identifiers(
        all_citations, cleaned, case_numbers, eu_court=eu_court, act=doc_type in _ACT_TYPES
    )
    if doc_type in _ACT_TYPES:
        # An act has no docket: its numbers are its gazette reference, ELI or CELEX.
        case_numbers = []
    identifiers = _identifiers(
        all_citations,
        own,
        header,
        case_numbers,
        doc_type=doc_type,
        eu_judgment=court.jurisdiction == "EU" and doc_type == "judgment",
    )
    # A pinpoint of the document's own identifier ('[2020] UKSC 12, para 42') is no citation.
    citations = [
        citation
        for citation in all_citations
        if citation.normalized not in own and (citation.instrument or "") not in own
    ]

    jurisdiction = court.jurisdiction or _gazette_jurisdiction(identifiers)
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
            us_order=month_first(header, jurisdiction),
            court=court.court,
            year=_own_year(all_citations, own),
            known=known_date,
        ),
        case_numbers=case_numbers,
        identifiers=identifiers,
        parties=parties,
        party_roles=find_party_roles(header),
        counsel=find_counsel(header),
        judges=find_judges(header),
        doc_type=doc_type,
        language=language,
        citations=citations,
        # how a judgment treats the cases it cites, with the sentence as evidence (only
        # judgments: a brief's "followed" is an argument, not a court's treatment)
        treatments=(
            find_treatments(cleaned, citations)[:MAX_TREATMENTS]
            if doc_type in _JUDGMENT_TYPES
            else []
        ),
        title=f"{parties[0]} v. {parties[1]}" if len(parties) == 2 else None,
    )

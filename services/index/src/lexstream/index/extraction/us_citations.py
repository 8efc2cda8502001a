"""US case law, statutes and regulations through eyecite (reporters from reporters-db)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import cache

from lexstream.shared.legal.patterns import Found
from lexstream.shared.legal.text import squash

logger = logging.getLogger(__name__)

_REGULATION_REPORTERS = {"C.F.R.", "CFR", "Fed. Reg.", "FR", "F.R."}


class _DropOverlapNoise(logging.Filter):
    """eyecite warns on every overlap it cannot classify; one line per document is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unknown overlap case")


@cache
def _eyecite() -> tuple[object, object]:
    from eyecite import get_citations, resolve_citations

    logging.getLogger("eyecite.helpers").addFilter(_DropOverlapNoise())
    return get_citations, resolve_citations


def warm_up() -> None:
    """Load eyecite's tokenizer (about half a second) ahead of the first document."""
    find_us_citations("See 410 U.S. 113.")


_SPACED_INITIALS = re.compile(r"(?<=\b[A-Z]\.)\s+(?=[A-Z]\.)")
_SECTION_LIST = re.compile(
    r"^(?:\([\w]{1,4}\))*(?P<more>(?:\s*(?:,|and|&)\s*\d[\w.-]*?(?:\([\w]{1,4}\))*)+)(?=[\s.;,)]|$)"
)
_SECTION = re.compile(r"\d[\w.-]*?(?=\(|$|\s|,)")


def _law_normalized(citation: object) -> str:
    """The statute as printed, pinpoint excluded, '§§' as '§' and 'U. S. C.' as 'U.S.C.'.
    (eyecite's corrected form can drop words, e.g. 'Cal. Civ. Code' to 'Cal. Code'.)"""
    matched = squash(str(citation.matched_text()))  # type: ignore[attr-defined]
    return _SPACED_INITIALS.sub("", matched.replace("§§", "§"))


def _more_sections(citation: object, text: str) -> list[str]:
    """'38 U.S.C. §§ 1155, 5107(b)': eyecite reports the first section only."""
    matched = str(citation.matched_text())  # type: ignore[attr-defined]
    if "§§" not in matched:
        return []
    found = _SECTION_LIST.match(text[citation.span()[1] : citation.span()[1] + 120])  # type: ignore[attr-defined]
    if not found:
        return []
    prefix = _law_normalized(citation).rsplit("§", 1)[0]
    return [f"{prefix}§ {section}" for section in _SECTION.findall(found["more"])]


def _kind(citation: object) -> str:
    from eyecite.models import FullCaseCitation, FullLawCitation

    if isinstance(citation, FullCaseCitation):
        return "us_case"
    if isinstance(citation, FullLawCitation):
        groups: dict[str, str] = getattr(citation, "groups", {}) or {}
        if squash(groups.get("reporter", "")) in _REGULATION_REPORTERS:
            return "us_regulation"
        return "us_statute"
    return "us_other"


def _normalized(citation: object) -> str | None:
    from eyecite.models import FullCaseCitation, FullJournalCitation, FullLawCitation

    if isinstance(citation, FullLawCitation):
        return _law_normalized(citation)
    if isinstance(citation, FullCaseCitation | FullJournalCitation):
        return squash(str(citation.corrected_citation()))  # type: ignore[no-untyped-call]
    return None


def find_us_citations(text: str) -> Iterator[Found]:
    """Full citations, and each short form, id. and supra that eyecite resolves, as the
    antecedent's normalised form (so they add to its count). Unresolved short forms drop."""
    from eyecite.models import FullCitation

    get_citations, resolve_citations = _eyecite()
    citations = get_citations(text)  # type: ignore[operator]
    if not citations:
        return
    try:
        resolutions = resolve_citations(citations)  # type: ignore[operator]
    except Exception:  # eyecite's resolver is heuristic; keep the full citations regardless
        logger.warning("eyecite could not resolve short forms", exc_info=True)
        resolutions = {}
    resolved: dict[int, object] = {}
    for resource, members in resolutions.items():
        antecedent = getattr(resource, "citation", None)
        if antecedent is None:
            continue
        for member in members:
            resolved[id(member)] = antecedent
    for citation in citations:
        antecedent = citation if isinstance(citation, FullCitation) else resolved.get(id(citation))
        if antecedent is None:
            continue
        normalized = _normalized(antecedent)
        if not normalized:
            continue
        start, end = citation.span()
        raw = squash(str(citation.matched_text()))
        yield Found(raw=raw, normalized=normalized, kind=_kind(antecedent), start=start, end=end)
        if antecedent is citation and _kind(citation) != "us_case":
            for extra in _more_sections(citation, text):
                yield Found(raw=raw, normalized=extra, kind=_kind(citation), start=start, end=end)

"""All citation families together: overlaps settled, repeats folded, output bounded.

The normal form of a typed citation (for ``cites`` searches) is
:func:`lexstream.shared.legal.normalize_citation`, built from the same pattern families.
"""

from __future__ import annotations

from collections.abc import Iterable

from lexstream.index.extraction.models import Citation
from lexstream.index.extraction.text import MAX_CITATION_CHARS, MAX_CITATIONS, MAX_EYECITE_CHARS
from lexstream.index.extraction.us_citations import find_us_citations
from lexstream.shared.legal.authorities import resolve
from lexstream.shared.legal.citations import settle_overlaps
from lexstream.shared.legal.patterns import Found, find_pattern_citations


def _fold(found: Iterable[Found]) -> list[Citation]:
    first: dict[str, Found] = {}
    counts: dict[str, int] = {}
    for item in found:
        if item.normalized not in first:
            if len(first) >= MAX_CITATIONS:
                continue
            first[item.normalized] = item
        counts[item.normalized] = counts.get(item.normalized, 0) + 1
    return [
        Citation(
            raw=item.raw,
            normalized=key,
            kind=item.kind,
            start=item.start,
            end=item.end,
            count=counts[key],
            instrument=instrument,
            pinpoint=pinpoint,
            keys=list(dict.fromkeys((key, *item.coarser, instrument or key))),
            authority_id=authority.id if authority else None,
            authority_ids=list(authority.lineage) if authority else [],
        )
        for key, item in first.items()
        for instrument, pinpoint in [_parts(item)]
        for authority in [resolve(item)]
    ]


def _parts(item: Found) -> tuple[str | None, str | None]:
    """Instrument and pinpoint; a US code section read by eyecite ('42 U.S.C. § 1983') is
    the code at that section."""
    if item.instrument is not None:
        return item.instrument, item.pinpoint
    code, mark, section = item.normalized.partition(" § ")
    if item.kind in {"us_statute", "us_regulation"} and mark:
        return code, f"§ {section}"
    return item.normalized, None


def find_citations(text: str, *, us: bool = True) -> list[Citation]:
    """Citations of every supported family in ``text`` (already cleaned), in text order.

    Reads at most MAX_CITATION_CHARS characters with the pattern families and at most
    MAX_EYECITE_CHARS with eyecite; keeps at most MAX_CITATIONS distinct citations.
    ``us=False`` skips eyecite, whose reporter abbreviations match ordinary words and
    numbers of texts in other languages ('Abs. 2' read as 'Ohio Law. Abs.').
    """
    scanned = text[:MAX_CITATION_CHARS]
    found = list(find_pattern_citations(scanned))
    if us:
        found.extend(find_us_citations(scanned[:MAX_EYECITE_CHARS]))
    return _fold(settle_overlaps(found))

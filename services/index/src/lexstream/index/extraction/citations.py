"""All citation families together: overlaps settled, repeats folded, output bounded."""

from __future__ import annotations

from collections.abc import Iterable

from lexstream.index.extraction.models import Citation
from lexstream.index.extraction.patterns import Found, find_pattern_citations
from lexstream.index.extraction.text import (
    MAX_CITATION_CHARS,
    MAX_CITATIONS,
    MAX_EYECITE_CHARS,
    clean,
    squash,
)
from lexstream.index.extraction.us_citations import find_us_citations


def _settle_overlaps(found: Iterable[Found]) -> list[Found]:
    """Keep the longest match where matches overlap; several citations read from one match
    (e.g. '§§ 823, 826 BGB') share its span and are kept together."""
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Found] = []
    last_span = (-1, -1)
    for item in ordered:
        span = (item.start, item.end)
        if span == last_span and kept and kept[-1].kind == item.kind:
            kept.append(item)
        elif item.start >= last_span[1]:
            kept.append(item)
            last_span = span
    return kept


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
        )
        for key, item in first.items()
    ]


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
    return _fold(_settle_overlaps(found))


def normalize_citation(query: str) -> str | None:
    """The normalised form of a citation typed as a query, or None if it is not one.

    '410 U. S. 113' -> '410 U.S. 113'; 'ecli:eu:c:2014:317' -> 'ECLI:EU:C:2014:317';
    'C‑131/12' (non-breaking hyphen) -> 'C-131/12'. The query must be one citation.
    """
    text = squash(clean(query))[:500]
    if not text:
        return None
    found = _settle_overlaps([*find_pattern_citations(text), *find_us_citations(text)])
    forms = {item.normalized for item in found}
    if len(forms) != 1:
        return None
    covered = sum(item.end - item.start for item in found if item.normalized in forms)
    core = len(text.strip(" .,;:()"))
    if covered * 10 < core * 6:
        return None
    return forms.pop()

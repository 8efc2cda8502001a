"""The normal form of a citation: what the index stores and what a ``cites`` query asks for.

The pattern families (ECLI, EU, UK, civil-law statutes) are the same code on both sides;
US citations are found in documents by eyecite (in the index) and in queries by
:mod:`lexstream.shared.legal.us`, which spells them the way eyecite does.
"""

from __future__ import annotations

from collections.abc import Iterable

from lexstream.shared.legal.patterns import Found, find_pattern_citations
from lexstream.shared.legal.text import clean, squash
from lexstream.shared.legal.us import find_us_query_citations

MAX_QUERY_CHARS = 500


def settle_overlaps(found: Iterable[Found]) -> list[Found]:
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


def normalize_citation(query: str) -> str | None:
    """The normalised form of a citation typed as a query, or None if it is not one.

    '410 U. S. 113' -> '410 U.S. 113'; 'ecli:eu:c:2014:317' -> 'ECLI:EU:C:2014:317';
    'C‑131/12' (non-breaking hyphen) -> 'C-131/12'. The query must be one citation.
    """
    text = squash(clean(query))[:MAX_QUERY_CHARS]
    if not text:
        return None
    found = settle_overlaps([*find_pattern_citations(text), *find_us_query_citations(text)])
    forms = {item.normalized for item in found}
    if len(forms) != 1:
        return None
    covered = sum(item.end - item.start for item in found if item.normalized in forms)
    core = len(text.strip(" .,;:()"))
    if covered * 10 < core * 6:
        return None
    return forms.pop()

"""The normal form of a citation: what the index stores and what a ``cites`` query asks for.

The pattern families (ECLI, EU, UK, international, national cases, reports and codes) are
the same code on both sides;
US citations are found in documents by eyecite (in the index) and in queries by
:mod:`lexstream.shared.legal.us`, which spells them the way eyecite does.
"""

from __future__ import annotations

from collections.abc import Iterable

from lexstream.shared.legal.patterns import Found, find_pattern_citations, instrument_alone
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
    'C‑131/12' (non-breaking hyphen) -> 'C-131/12'; '§ 823 Abs. 1 Satz 2 BGB' ->
    '§ 823 Abs. 1 S. 2 BGB'; 'DSGVO' -> 'Regulation (EU) 2016/679'. The query must be one
    citation, with or without its pinpoint; the result is one of the ``keys`` the index
    stores for every document citing it (a citation at a finer pinpoint included).
    """
    text = squash(clean(query))[:MAX_QUERY_CHARS]
    if not text:
        return None
    alone = instrument_alone(text)
    if alone is not None:
        return alone[1]
    found = settle_overlaps(
        [*find_pattern_citations(text, query=True), *find_us_query_citations(text)]
    )
    forms = {item.normalized for item in found}
    if len(forms) > 1:
        # one family may read a finer pinpoint than another ('Cal. Civ. Code § 1714(a)' and
        # '... § 1714'): the finest form stands for the rest where its keys hold them all
        finest = [item.normalized for item in found if forms <= set(item.keys)]
        forms = set(finest[:1]) or forms
    if len(forms) != 1:
        return None
    covered = sum(item.end - item.start for item in found if item.normalized in forms)
    core = len(text.strip(" .,;:()"))
    if covered * 10 < core * 6:
        return None
    return forms.pop()

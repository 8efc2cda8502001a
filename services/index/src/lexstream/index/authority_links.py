"""What links a document's citations to the corpus: the authorities the document itself IS,
and where in the text each citation stands.

A document's own identifiers (its ECLI, neutral citation, CELEX, case number, an act's
abbreviation or gazette reference, see extraction ``_identifiers``) resolve to authority ids
by the same resolver as citations do (:mod:`lexstream.shared.legal.authorities`), so a
citation of ``[2020] UKSC 5 at [50]`` (``uk:nc:2020/UKSC/5/para:50``) finds the judgment
whose ``own_authorities`` holds ``uk:nc:2020/UKSC/5``, and ``§ 823 Abs. 1 BGB`` the BGB.
Each citation also keeps a short context (the words around its first occurrence) and its
page (text) or second (transcript), so the gateway shows where it is cited without reading
the document's text again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lexstream.index.extraction.models import Citation, Identifier
from lexstream.shared.legal.authorities import Authority, act_celex, lookup, resolve

#: characters of text kept on each side of a citation in its ``context``
CONTEXT_CHARS = 160

# Identifier kinds that name a case (a docket read as anything else is no link), and the
# authority kinds an act's identifiers may resolve to.
_CASE_KINDS = {"ecli", "neutral_citation", "docket"}
_ACT_KINDS = {"legislation", "instrument"}

# EU ELI: 'http://data.europa.eu/eli/reg/2016/679/oj' (year, then number).
_EU_ELI = re.compile(r"/eli/(?P<type>reg|dir|dec)(?:_impl|_del)?/(?P<year>\d{4})/(?P<number>\d+)")
_ELI_TYPE = {"reg": "Regulation", "dir": "Directive", "dec": "Decision"}
# German federal gazette ELI: '/eli/bund/bgbl-1/2024/107' (part, year, number).
_BGBL_ELI = re.compile(r"/eli/bund/bgbl-(?P<part>[12])/(?P<year>\d{4})/(?P<number>\d+)")


@dataclass(frozen=True, slots=True)
class _Typed:
    """A citation as the resolver reads one, for an identifier of a known family."""

    raw: str
    kind: str
    normalized: str
    instrument: str | None
    pinpoint: str | None = None


def _eli(value: str) -> list[str]:
    eu = _EU_ELI.search(value)
    if eu:
        kind = _ELI_TYPE[eu["type"]]
        if kind == "Regulation":  # old regulations are numbered number/year
            form = f"Regulation No {int(eu['number'])}/{eu['year']}"
        else:
            form = f"{kind} {eu['year']}/{int(eu['number'])}"
        celex = act_celex(form)
        return [f"eu:celex:{celex}"] if celex else []
    bgbl = _BGBL_ELI.search(value)
    if bgbl:
        part = "I" if bgbl["part"] == "1" else "II"
        return [a.id for a in lookup(f"BGBl. {bgbl['year']} {part} Nr. {int(bgbl['number'])}")]
    return []


def _roots(authorities: Iterable[Authority]) -> list[str]:
    """Whole authorities only: an identifier names a document, never a part of one."""
    return [a.id for a in authorities if a.parent is None]


def _identifier_ids(identifier: Identifier, jurisdiction: str | None) -> list[str]:
    kind, value = identifier.kind, identifier.value
    if kind == "eli":
        return _eli(value)
    if kind == "abbreviation":
        # an act's own short title ('BGB', 'KSchG'): German acts are the ones that carry it
        if jurisdiction is not None and not jurisdiction.startswith("EU/DE"):
            return []
        found = resolve(_Typed(value, "de_statute", value, value))
        return [found.id] if found is not None and found.parent is None else []
    found_all = lookup(value)
    if kind in _CASE_KINDS:
        return _roots(a for a in found_all if a.kind == "case")
    if kind == "celex":  # an act's, a treaty's or a judgment's
        return _roots(found_all)
    # a gazette reference names an act: one read as anything else ('RGBl. 1896 S. 195' as a
    # US reporter page) is no identifier of this document
    return _roots(a for a in found_all if a.kind in _ACT_KINDS)


def own_authorities(identifiers: Sequence[Identifier], jurisdiction: str | None) -> list[str]:
    """The authority ids of the document itself, from its own identifiers: ``ECLI:EU:C:
    2014:317`` -> ``ecli:EU:C:2014:317``, ``C-131/12`` -> ``eu:case:C-131/12``, CELEX
    ``32016R0679`` (or its ELI) -> ``eu:celex:32016R0679``, an act's ``BGB`` ->
    ``de:act:BGB``. Sorted, each once; identifiers that name no authority add nothing."""
    ids: set[str] = set()
    for identifier in identifiers:
        ids.update(_identifier_ids(identifier, jurisdiction))
    return sorted(ids)


class Places:
    """Where an offset of the text falls: the page (text.json pages joined by a blank line)
    or the second (transcript segments joined by a space) it is in."""

    def __init__(self, starts: list[int], labels: Sequence[float | int]) -> None:
        self._starts = starts
        self._labels = labels

    @classmethod
    def of_pages(cls, pages: Sequence[Any]) -> Places:
        starts, at = [], 0
        for page in pages:
            starts.append(at)
            at += len(page.text) + 2  # TextDocument.text joins pages with "\n\n"
        return cls(starts, [page.number for page in pages])

    @classmethod
    def of_segments(cls, segments: Sequence[Any]) -> Places:
        starts, at = [], 0
        for segment in segments:
            starts.append(at)
            at += len(segment.text.strip()) + 1  # Transcript.text joins with " "
        return cls(starts, [segment.start for segment in segments])

    def at(self, offset: int) -> float | int | None:
        found = bisect_right(self._starts, offset) - 1
        return self._labels[found] if found >= 0 else None


_SPACE = re.compile(r"\s+")


def context(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> str | None:
    """The words around ``text[start:end]``, cut at word boundaries, white space squashed;
    None where the offsets are not in the text."""
    if not 0 <= start < end <= len(text):
        return None
    left = max(0, start - chars)
    right = min(len(text), end + chars)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    snippet = _SPACE.sub(" ", text[left:right]).strip()
    return ("… " if left > 0 else "") + snippet + (" …" if right < len(text) else "")


def citation_place(
    citation: Citation, text: str, places: Places | None, *, second: bool = False
) -> dict[str, Any]:
    """The fields of a search document's citation that say where it is cited: mentions,
    first offset, page or second, and the context there."""
    where = places.at(citation.start) if places is not None else None
    return {
        "count": citation.count,
        "start": citation.start,
        "page" if not second else "second": where,
        "context": context(text, citation.start, citation.end),
    }

"""US reporter and code citations as people type them, in pure Python (no eyecite).

The index finds US citations in documents with eyecite, whose normal form of a case
citation spells the reporter as reporters-db does. reporters-db follows the Bluebook's
spacing (rule 6.1(a)): adjacent single capitals are closed up and ordinals count as single
capitals ('U.S.', 'F.3d', 'N.E.2d'), every other part stands apart ('S. Ct.', 'F. Supp. 2d',
'L. Ed. 2d', 'Cal. App. 4th'). Spelling a typed reporter that way reaches the same form for
the reporters people cite, without loading eyecite's tokenizer into the gateway.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from lexstream.shared.legal.patterns import Found
from lexstream.shared.legal.text import squash

# One part of a reporter abbreviation: 'U.', 'Supp.', "App'x", 'Ohio', or an ordinal '2d'.
_PART = r"(?:[A-Z][A-Za-z']*\.?|\d{1,2}(?:st|nd|rd|d|th)\b\.?)"

# '410 U.S. 113', '410 U. S. 113', '410 US 113', '5 F. Supp. 2d 100', "1 F. App'x 2",
# optionally with a pin cite and the year: '410 U.S. 113, 120 (1973)'.
_US_CASE = re.compile(
    rf"(?<![\w\[\]/.:§-])(?P<volume>\d{{1,4}})\s+(?P<reporter>[A-Z][A-Za-z']*\.?(?:\s*{_PART})*?)"
    r"\s+(?P<page>\d{1,6})(?:,\s*\d{1,6}(?:-\d{1,6})?)?(?:\s*\((?:[^()]{0,40}\s)?\d{4}\))?"
    r"(?![\w/-])"
)

# '42 U.S.C. § 1983', '42 U. S. C. §§ 1983', 'Cal. Civ. Code § 1714', '28 C.F.R. § 35.130'
_US_CODE = re.compile(
    rf"(?<![\w\[\]/.:-])(?:(?P<title>\d{{1,3}})\s+)?(?P<code>[A-Z][A-Za-z']*\.?(?:\s*{_PART})*?)"
    r"\s*§§?\s*(?P<section>\d(?:[\w:-]|\.(?=\w))*)(?:\([\w]{1,4}\))*(?![\w-])"
)

_PIECES = re.compile(r"\d{1,2}(?:st|nd|rd|d|th)\b|[A-Za-z][A-Za-z']*\.?")
_ORDINAL = re.compile(r"\d{1,2}(?:st|nd|rd|d|th)")
_INITIALS = re.compile(r"[A-Z]{2,4}")
_SPACED_INITIALS = re.compile(r"(?<=\b[A-Z]\.)\s+(?=[A-Z]\.)")


def _parts(reporter: str) -> list[str]:
    """Each part with its own dot (single capitals always get one); 'US' read as 'U.S.'."""
    parts: list[str] = []
    for piece in _PIECES.findall(reporter):
        bare = piece.rstrip(".")
        if _INITIALS.fullmatch(bare):
            parts.extend(f"{letter}." for letter in bare)
        elif len(bare) == 1:
            parts.append(f"{bare.upper()}.")
        else:
            parts.append(piece)
    return parts


def _single(part: str) -> bool:
    return bool(_ORDINAL.fullmatch(part)) or (len(part) == 2 and part.endswith("."))


def bluebook_abbreviation(reporter: str) -> str:
    """'U. S.' -> 'U.S.'; 'F. 3d' -> 'F.3d'; 'S.Ct.' -> 'S. Ct.'; 'F.Supp.2d' -> 'F. Supp. 2d'."""
    parts = _parts(reporter)
    spelled = parts[:1]
    for before, part in pairwise(parts):
        spelled.append(part if _single(before) and _single(part) else f" {part}")
    return "".join(spelled)


def find_us_query_citations(text: str) -> Iterator[Found]:
    """US case and code citations in a typed query, in the normal form the index stores."""
    for match in _US_CASE.finditer(text):
        reporter = bluebook_abbreviation(match["reporter"])
        normalized = f"{int(match['volume'])} {reporter} {int(match['page'])}"
        yield Found(squash(match[0]), normalized, "us_case", match.start(), match.end())
    for match in _US_CODE.finditer(text):
        # as eyecite's matched text, with spaced initials closed ('U. S. C.' -> 'U.S.C.')
        title = f"{int(match['title'])} " if match["title"] else ""
        code = _SPACED_INITIALS.sub("", squash(match["code"]))
        normalized = f"{title}{code} § {match['section']}"
        yield Found(squash(match[0]), normalized, "us_statute", match.start(), match.end())

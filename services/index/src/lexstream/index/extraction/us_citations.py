"""US case law, statutes and regulations through eyecite (reporters from reporters-db)."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Generator, Iterator
from functools import cache
from itertools import accumulate
from operator import add
from typing import Any

from lexstream.shared.legal.patterns import Found
from lexstream.shared.legal.text import squash

logger = logging.getLogger(__name__)

_REGULATION_REPORTERS = {"C.F.R.", "CFR", "Fed. Reg.", "FR", "F.R."}


class _DropOverlapNoise(logging.Filter):
    """eyecite warns on every overlap it cannot classify; one line per document is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unknown overlap case")


# A reporter (or law) extractor's match holds one of its prefilter strings and is a short
# stretch of text: volume, reporter, page, pinpoint. So each extractor's regular expression
# only runs over windows of _WINDOW characters either side of its strings' occurrences
# (merged where they overlap), not over the whole text once per extractor. A match longer
# than _LONGEST (none is, in practice) makes that extractor run over the whole text after
# all, so the tokens stay those of eyecite's own tokenizer.
_WINDOW = 250
_LONGEST = _WINDOW // 2
# Strings this short (the stop word 'v') occur all over any text: their extractors run over
# the whole text, as in eyecite, without a window per occurrence.
_SHORT_STRING = 1
_SPACES = re.compile(r"\s+")


@cache
def _windowed_tokenizer() -> Any:
    """eyecite's AhocorasickTokenizer, with each selected extractor run over windows
    around its prefilter strings' occurrences instead of over the whole text.

    eyecite runs every extractor whose strings occur anywhere in the text over the whole
    text: a long opinion selects a few hundred of them (short reporter strings such as
    'A.' or 'So.' occur in most long texts), so a 250,000-character text is scanned a few
    hundred times. Here each is scanned only near its strings. Same tokens, same order of
    extractors (eyecite's own list order, where eyecite's set order varies by process).
    """
    from eyecite.models import Token, TokenExtractor
    from eyecite.tokenizers import EXTRACTORS, AhocorasickTokenizer

    index_of = {id(extractor): at for at, extractor in enumerate(EXTRACTORS)}

    class WindowedTokenizer(AhocorasickTokenizer):
        def __post_init__(self) -> None:
            # Not the parent's: its filters map strings to extractors but lose the string.
            import ahocorasick

            self.unfiltered = [e for e in EXTRACTORS if not e.strings]
            self.filters = []
            for insensitive in (False, True):
                grouped: dict[str, list[int]] = {}
                for extractor in EXTRACTORS:
                    if extractor.strings and bool(extractor.flags & re.I) is insensitive:
                        for string in extractor.strings:
                            key = _SPACES.sub("", string)
                            key = key.lower() if insensitive else key
                            group = grouped.setdefault(key, [])
                            if not group or group[-1] != index_of[id(extractor)]:
                                group.append(index_of[id(extractor)])
                automaton = ahocorasick.Automaton()
                short = []
                for number, key in enumerate(grouped):
                    if len(key) > _SHORT_STRING:
                        automaton.add_word(key, (number, len(key)))
                    else:
                        short.append((key, number))
                automaton.make_automaton()
                by_number = [tuple(group) for group in grouped.values()]
                self.filters.append((automaton, by_number, short))

        def extract_tokens(self, text: str) -> Generator[Token, None, None]:
            for extractor in self.unfiltered:
                anchor = _anchor(extractor.regex)
                if anchor is None:
                    yield from map(extractor.get_token, extractor.compiled_regex.finditer(text))
                    continue
                spans = [
                    (max(0, found.start() - _WINDOW), min(len(text), found.end() + _WINDOW))
                    for found in anchor.finditer(text)
                ]
                yield from _scan(extractor, text, spans)
            for at, spans in sorted(self.windows(text).items()):
                yield from _scan(EXTRACTORS[at], text, spans)

        def windows(self, text: str) -> dict[int, list[tuple[int, int]]]:
            """The spans of ``text`` each selected extractor (by index) runs over."""
            return {at: _merged(spans) for at, spans in _windows(text, self.filters).items()}

    def _windows(text: str, filters: list[Any]) -> dict[int, list[tuple[int, int]]]:
        """Per extractor (by index), character windows around its strings' occurrences.

        The strings are found in the text without whitespace (as eyecite does, so that
        'N. Y. S. 2d' selects 'N.Y.S.2d'); windows are merged per string there, and only
        their ends are mapped back to positions in the text."""
        words = text.split()  # str.split and re's \s agree on what whitespace is
        # offsets[i]: where word i starts in the text without whitespace; starts[i]: in text
        offsets = list(accumulate(map(len, words), initial=0))
        lead = len(text) - len(text.lstrip())
        gaps = _SPACES.findall(text, lead, len(text.rstrip()))
        starts = list(map(add, offsets, accumulate(map(len, gaps), initial=lead)))
        stripped = "".join(words)
        total = len(stripped)

        def position(at: int) -> int:
            """Where character ``at`` of the stripped text is in the text."""
            if at >= total:
                return len(text)
            word = bisect.bisect_right(offsets, at) - 1
            return int(starts[word] + at - offsets[word])

        lowered = stripped.lower()
        windows: dict[int, list[tuple[int, int]]] = {}
        everywhere = [(0, len(text))]
        for (automaton, members, short), haystack in zip(filters, (stripped, lowered), strict=True):
            if len(haystack) != total:  # lower() changed a length: scan the whole text
                for group in members:
                    for at in group:
                        windows[at] = everywhere
                continue
            for key_text, key in short:  # 'v', 're', 'Mt': found all over, as in eyecite
                if key_text in haystack:
                    for at in members[key]:
                        windows[at] = everywhere
            by_key: dict[int, list[list[int]]] = {}
            for last, (key, length) in automaton.iter(haystack):
                low, high = last + 1 - length - _WINDOW, last + 1 + _WINDOW
                spans = by_key.get(key)
                if spans is None:
                    by_key[key] = [[low, high]]
                elif low <= spans[-1][1]:
                    spans[-1][1] = high
                else:
                    spans.append([low, high])
            for key, spans in by_key.items():
                mapped = [(position(max(0, low)), position(high)) for low, high in spans]
                for at in members[key]:
                    if windows.get(at) is not everywhere:
                        windows.setdefault(at, []).extend(mapped)
        return windows

    def _scan(extractor: TokenExtractor, text: str, spans: list[tuple[int, int]]) -> list[Token]:
        spans = _merged(spans)
        if spans == [(0, len(text))]:
            return [extractor.get_token(match) for match in extractor.compiled_regex.finditer(text)]
        regex = extractor.compiled_regex
        tokens = []
        for low, high in spans:
            for match in regex.finditer(text, low, high):
                if match.end() - match.start() > _LONGEST:
                    return [extractor.get_token(m) for m in extractor.compiled_regex.finditer(text)]
                tokens.append(extractor.get_token(match))
        return tokens

    return WindowedTokenizer()


# eyecite's few extractors without prefilter strings, by what each of their matches must
# hold; any other such extractor runs over the whole text.
_ANCHORS = (
    # the S.W. reporter ('123 S.W.2d 456', 'S. W. 2d', 'SW2d')
    (re.compile(r"\(\?P<reporter>S\\\.\?-\? \?\(\?:W\|w\)"), r"S\.?-? ?[Ww]"),
    # state codes by subject: 'Cal. <Subject> Code §', 'N.Y. <Subject> Law §', 'Tex. ...'
    (
        re.compile(
            r"^\(\?:\^\|\[\^a-zA-Z0-9\]\)\(\(\?P<reporter>(?P<literal>(?:[A-Za-z]|\\\.)+)\\?\s"
        ),
        "",
    ),
    # '___ A.3d ___' and the like: a run of blanks, a reporter, a run of blanks
    (re.compile(r"^\(\[_—–-\]\+\\s\("), r"[_—–-]\s"),
)


@cache
def _anchor(regex: str) -> re.Pattern[str] | None:
    for shape, anchor in _ANCHORS:
        found = shape.search(regex)
        if found:
            literal = found.groupdict().get("literal")
            return re.compile(f"{literal} " if literal else anchor)
    return None


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and overlapping ones joined (the two filters' hits come apart)."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


# eyecite's own functions that _eyecite() replaced, by name (for tests and benchmarks).
_STOCK: dict[str, Any] = {}


def _indexed_court_by_paren() -> Any:
    """eyecite.helpers.get_court_by_paren, with courts-db's citation strings normalised once
    instead of on every call (it re-normalises all 2,800 of them for each parenthetical,
    about a tenth of eyecite's time on US opinions). Same answers: the first court whose
    normalised string equals the parenthetical's, else the last one it is a prefix of."""
    import regex
    from courts_db import courts

    strings = [
        (regex.sub(r"[^\w]", "", court["citation_string"]).lower(), court["id"]) for court in courts
    ]
    exact: dict[str, str] = {}
    for string, court_id in strings:
        exact.setdefault(string, str(court_id))

    def get_court_by_paren(paren_string: str) -> str | None:
        court_str = regex.sub(r"[^\w]", "", paren_string).lower()
        if not court_str:
            return None
        if court_str in exact:
            return exact[court_str]
        court_code = None
        for string, court_id in strings:
            if string.startswith(court_str):
                court_code = court_id
        return court_code

    return get_court_by_paren


@cache
def _eyecite() -> tuple[Any, Any]:
    import eyecite.helpers
    from eyecite import get_citations, resolve_citations

    logging.getLogger("eyecite.helpers").addFilter(_DropOverlapNoise())
    _STOCK.setdefault("get_court_by_paren", eyecite.helpers.get_court_by_paren)
    eyecite.helpers.get_court_by_paren = _indexed_court_by_paren()
    tokenizer = _windowed_tokenizer()

    def citations(text: str) -> Any:
        return get_citations(text, tokenizer=tokenizer)

    return citations, resolve_citations


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
    citations = get_citations(text)
    if not citations:
        return
    try:
        resolutions = resolve_citations(citations)
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

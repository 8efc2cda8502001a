"""One citation read from text, with its instrument, its pinpoint and every coarser form.

A family's normaliser returns :class:`Cite` values (or a plain string where the whole
instrument is cited); :func:`lexstream.shared.legal.patterns.find_pattern_citations` turns
them into :class:`Found`, which carries the match's span as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick


@dataclass(frozen=True, slots=True)
class Cite:
    """The normal forms of one citation: full, instrument alone, pinpoint alone, coarser."""

    normalized: str
    instrument: str | None = None
    pinpoint: str | None = None
    coarser: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Found:
    raw: str
    normalized: str
    kind: str
    start: int
    end: int
    instrument: str | None = None
    pinpoint: str | None = None
    coarser: tuple[str, ...] = ()

    @property
    def keys(self) -> list[str]:
        """Every form a ``cites`` query may match: full, each coarser pinpoint, instrument."""
        return list(
            dict.fromkeys((self.normalized, *self.coarser, self.instrument or self.normalized))
        )


def whole(instrument: str) -> Cite:
    """A citation of the whole instrument (no pinpoint)."""
    return Cite(instrument, instrument, None, ())


def pinned(instrument: str, pieces: Sequence[str], *, before: bool, sep: str) -> Cite:
    """A citation of ``instrument`` at the pinpoint spelled by ``pieces`` (coarsest first,
    e.g. ['§ 823', ' Abs. 1', ' S. 2'] or ['Art. 6', '(1)', '(f)']), placed before the
    instrument ('§ 823 Abs. 1 BGB') or after it ('Regulation (EU) 2016/679, Art. 6(1)')."""
    if not pieces:
        return whole(instrument)
    points = ["".join(pieces[:depth]) for depth in range(len(pieces), 0, -1)]
    forms = [
        f"{point}{sep}{instrument}" if before else f"{instrument}{sep}{point}" for point in points
    ]
    return Cite(forms[0], instrument, points[0], tuple(forms[1:]))


# A paragraph of a judgment cited next to it: '[2020] UKSC 12 at [42]', ', para 42',
# ', paragraph 42', 'Rn. 42', ', point 42', ', apartado 42', 'r.o. 4.2' -> 'para 42'.
CASE_PIN = (
    r"(?:,?\s*(?:at\s+)?(?:\[(?P<pin_bracket>\d{1,3})\](?!\s+(?:\d+\s+)?(?-i:[A-Z]{2}))"
    r"|(?:paras?\.?|paragraphs?|Rn\.|Rz\.|Randnr\.|Randnummer|points?|punto|apartado|punt"
    r"|considérant|r\.o\.|rov\.)\s*(?P<pin_number>\d{1,4})(?![\d/:-]|\.\d)))?"
)


def case_cite(instrument: str, match: re.Match[str]) -> Cite:
    """The case alone, or at the paragraph written next to it ('C-131/12, para 80')."""
    paragraph = match.group("pin_bracket") or match.group("pin_number")
    if not paragraph:
        return whole(instrument)
    return pinned(instrument, [f"para {int(paragraph)}"], before=False, sep=", ")


_Trie = dict[str, "_Trie"]


def trie_pattern(words: list[str]) -> str:
    """One regular expression for a set of words, factored by common prefixes, so that the
    engine tries one branch per character rather than every word at every position.
    Spaces in a word match any run of whitespace."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        ends = "" in node
        branches = []
        for char in sorted(key for key in node if key):
            atom = r"\s+" if char == " " else re.escape(char)
            branches.append(atom + build(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return build(trie)


# A family is only run near the literal words it cannot match without ('BGH', 'Regulation',
# 'ILCS'): finding those is far cheaper than running dozens of patterns over every position
# of a long text. The words of every family are found together, in one Aho-Corasick pass
# over the text and one over its folded form (pyahocorasick), not one str.find pass per word.
MAX_WINDOWS = 2000
_WORDS: set[tuple[bool, str]] = set()
_automata: dict[bool, Any] = {}
_last: tuple[str, str, dict[tuple[bool, str], list[int]]] | None = None


def _automaton(folded: bool) -> Any:
    automaton = _automata.get(folded)
    if automaton is None:
        automaton = ahocorasick.Automaton()
        for is_folded, word in _WORDS:
            if is_folded == folded:
                automaton.add_word(word, (folded, word))
        automaton.make_automaton()
        _automata[folded] = automaton
    return automaton


def _hits(text: str, folded_text: str) -> dict[tuple[bool, str], list[int]]:
    """Start offsets of every registered needle in ``text`` (exact) and ``folded_text``;
    kept for the last text, since each family asks about the same one in turn."""
    global _last
    if _last is not None and _last[0] is text and _last[1] is folded_text:
        return _last[2]
    hits: dict[tuple[bool, str], list[int]] = {}
    for folded, haystack in ((False, text), (True, folded_text)):
        automaton = _automaton(folded)
        if automaton.kind == ahocorasick.EMPTY:
            continue
        for end, key in automaton.iter(haystack):
            hits.setdefault(key, []).append(end - len(key[1]) + 1)
    _last = (text, folded_text, hits)
    return hits


@dataclass(frozen=True, slots=True)
class Needles:
    """Literal words near which a family's matches begin: ``exact`` as printed, ``folded``
    in lower case; a match begins at most ``back`` characters before one and ends at most
    ``ahead`` characters after it."""

    exact: tuple[str, ...] = ()
    folded: tuple[str, ...] = ()
    back: int = 40
    ahead: int = 400

    def __post_init__(self) -> None:
        new = {(False, w) for w in self.exact} | {(True, w) for w in self.folded}
        if not new <= _WORDS:
            global _last
            _WORDS.update(new)
            _automata.clear()
            _last = None


def windows(text: str, folded_text: str, needles: Needles | None) -> list[tuple[int, int]]:
    """Merged (start, end) spans of ``text`` around every needle; the whole text where the
    family has no needles or they are everywhere."""
    if needles is None or not (needles.exact or needles.folded):
        return [(0, len(text))]
    found = _hits(text, folded_text)
    hits: list[int] = []
    for folded, words in ((False, needles.exact), (True, needles.folded)):
        for word in words:
            hits.extend(found.get((folded, word), ()))
            if len(hits) > MAX_WINDOWS:
                return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    for hit in sorted(hits):
        start, end = max(0, hit - needles.back), min(len(text), hit + needles.ahead)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def scan(
    pattern: re.Pattern[str], text: str, spans: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    """Matches of ``pattern`` beginning in each span (lookbehinds see the text before it)."""
    for start, end in spans:
        yield from pattern.finditer(text, start, end)

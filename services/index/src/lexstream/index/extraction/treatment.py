"""How a citing sentence treats the case it cites: followed, applied, distinguished, not
followed, overruled or doubted, with the sentence as evidence. Rules only, no model.

The cues are data (lexstream/index/data/treatment_cues.json: each with its language, the
side of the citation it stands on, an example it must match and where the phrasing comes
from). A cue stands either *before* the case it treats ('applying Smith v Jones [2001]
UKHL 1', 'im Anschluss an BGH, VI ZR 211/12', 'in navolging van HR 1 januari 2020') or
*after* it ('[2001] UKHL 1 was not followed', 'C-131/12 is distinguishable'); the stretch
between cue and citation must be short and must not hold a clause break or another case,
so that 'the test applied in X' or 'X applied section 3' give X no signal. A cue inside a
party's submission, a question or a hypothesis ('counsel invited us to overrule X',
'whether X should be followed') gives none either: the signal is what a court did.

Only case citations are given a signal (precedents are what is followed or overruled;
a statute 'applies' in another sense). Signals whose precision on the labelled test half
(bench/research/treatment_eval.py, bench/research/treatment_labels.tsv) is below 0.9 are
still returned, with ``shown=False``: a caller displays only SHOWN_SIGNALS.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lexstream.index.extraction.models import Citation, Treatment
from lexstream.index.extraction.text import MAX_CITATION_CHARS, MAX_EYECITE_CHARS
from lexstream.index.extraction.us_citations import find_us_citations
from lexstream.shared.legal.citations import settle_overlaps
from lexstream.shared.legal.found import Found
from lexstream.shared.legal.patterns import find_pattern_citations

SIGNALS = ("followed", "applied", "distinguished", "not_followed", "overruled", "doubted")

# Signals with precision >= 0.9 over >= 3 predictions on the test half of
# bench/research/treatment_labels.tsv, as printed by
# `uv run --frozen python bench/research/treatment_eval.py`. At the last run (242 test
# mentions, 197 sentences): applied 5/5 (recall 5/13); followed 4/5 (0.80); not_followed
# 0/1; distinguished, overruled, doubted: no test predictions. A signal is added here only
# when that script says so; the small counts are why the others stay hidden.
SHOWN_SIGNALS: frozenset[str] = frozenset({"applied"})

# Citation families that name a decision (the only ones given a signal).
CASE_KINDS = frozenset(
    {
        "us_case",
        "ecli",
        "eu_case",
        "uk_neutral",
        "uk_report",
        "de_case",
        "de_report",
        "fr_case",
        "fr_report",
        "es_case",
        "es_report",
        "it_case",
        "it_report",
        "nl_case",
        "nl_report",
    }
)

# A sentence longer than this is cut to a window around the citation (long CJEU sentences
# run on for a page; the evidence should fit in a tooltip).
MAX_SENTENCE_CHARS = 900
WINDOW_CHARS = 400

# --- sentences ----------------------------------------------------------------------------

# Words that end with a full stop without ending the sentence, lower case, without it:
# 'v. Smith', 'No. 44/2001', 'para. 42', 'Art. 6', 'Abs. 1', 'Rn. 12', 'p. 16', 'cf. X'.
_ABBREVIATION_WORDS = """
    v vs no nos para paras p pp s ss art arts abs nr nrn rn rz rdnr cf e.g i.e eg ie etc
    ltd co inc corp re plc mr mrs ms dr prof st sr jr ch ed eds vol cl sch reg regs r rr fn n
    seq al ibid id op cit supp app civ crim cir ct dist div fam ord admin comm pat bros dept
    gov govt assn nat intl ass jud lit bd rev stat ann sec secs ex et al aff affd
    bgh bverfg bverwg bag bfh bsg olg lg ag urt beschl az vgl s.o s.u ua u.a z.b d.h bzw
    ca ch.d j jj lj ljj mr.j hh hhj sir cass civ.1 com soc crim ass.plén req
    art.º núm arts sts stc ats sr sra dña dº jur"""
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_STOP = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9ÀÁÂÄÇÈÉÊÍÑÓÖÚÜ§])")
_TOKEN_BEFORE = re.compile(r"(\S+)$")
_DOTTED = re.compile(r"^(?:[A-Za-z]{1,4}\.)+[A-Za-z]{0,4}$")
# A line break ends a sentence after closing punctuation, before a numbered paragraph or
# list item, and after a short line (a heading); elsewhere it is a wrapped line (PDF text).
_BREAK = re.compile(r"\n")
_LINE_ENDS = frozenset('.!?:;"”’')
_NEXT_LINE_ITEM = re.compile(r"\s*(?:\[?\d{1,4}[\].)]\s|\(\w{1,4}\)\s|[-•*–]\s|\n)")
_SHORT_LINE = 60


@dataclass(frozen=True, slots=True)
class Sentences:
    """The sentence boundaries of one text, looked up by offset."""

    text: str
    starts: tuple[int, ...]

    def around(self, start: int, end: int) -> tuple[int, int]:
        """(start, end) of the sentence holding text[start:end], cut to a window of
        WINDOW_CHARS either side of it where the sentence is longer than
        MAX_SENTENCE_CHARS, and stripped of surrounding white space."""
        index = bisect.bisect_right(self.starts, start) - 1
        left = self.starts[index] if index >= 0 else 0
        right = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        right = max(right, end)
        if right - left > MAX_SENTENCE_CHARS:
            left = max(left, start - WINDOW_CHARS)
            right = min(right, end + WINDOW_CHARS)
        while left < right and self.text[left].isspace():
            left += 1
        while right > left and self.text[right - 1].isspace():
            right -= 1
        return left, right


def split_sentences(text: str) -> Sentences:
    """Sentence boundaries of legal text: a full stop (or ! ?) before a capital, a digit,
    a quote or '§', unless it ends an abbreviation ('v.', 'No.', 'Art.', 'U.S.', an
    initial); a line break after closing punctuation, before a numbered paragraph or list
    item, or after a short line."""
    starts = [0]
    for match in _STOP.finditer(text):
        token = _TOKEN_BEFORE.search(text, max(0, match.start() - 24), match.start())
        word = token.group(1).lstrip("([\"'“‘") if token else ""
        if _is_abbreviation(word):
            continue
        starts.append(match.end())
    for match in _BREAK.finditer(text):
        position = match.start()
        line_start = text.rfind("\n", 0, position) + 1
        line = text[line_start:position].rstrip()
        if (
            not line
            or line[-1] in _LINE_ENDS
            or len(line) < _SHORT_LINE
            or _NEXT_LINE_ITEM.match(text, position + 1)
        ):
            starts.append(position + 1)
    return Sentences(text, tuple(sorted(set(starts))))


def _is_abbreviation(word: str) -> bool:
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial: 'J. Smith', 'Smith J.' (rare at a sentence end)
    # 'U.S.', 'S.Ct.', 'e.g.': a word with a full stop inside it ('DRC.' has none).
    return word.lower() in _ABBREVIATIONS or ("." in word and bool(_DOTTED.match(word + ".")))


# --- mentions -----------------------------------------------------------------------------


def citation_mentions(text: str, citations: Sequence[Citation]) -> list[tuple[Citation, Found]]:
    """Every occurrence in ``text`` of the given citations (find_citations keeps the first
    only, with a count), in text order, read by the same citation families."""
    by_key = {citation.normalized: citation for citation in citations}
    if not by_key:
        return []
    scanned = text[:MAX_CITATION_CHARS]
    found = list(find_pattern_citations(scanned))
    if any(citation.kind.startswith("us_") for citation in citations):
        found.extend(find_us_citations(scanned[:MAX_EYECITE_CHARS]))
    return [
        (by_key[item.normalized], item)
        for item in settle_overlaps(found)
        if item.normalized in by_key
    ]


# --- cues ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cue:
    signal: str
    language: str
    side: str  # 'before' the citation it treats or 'after' it
    pattern: re.Pattern[str]
    example: str


@cache
def _settings() -> dict[str, Any]:
    raw = resources.files("lexstream.index.data").joinpath("treatment_cues.json")
    loaded: dict[str, Any] = json.loads(raw.read_text(encoding="utf-8"))
    return loaded


@cache
def cues() -> tuple[Cue, ...]:
    """The cue lexicon, longest patterns first within a side (so 'not followed' is read
    before 'followed')."""
    loaded = []
    for entry in _settings()["cues"]:
        if entry["signal"] not in SIGNALS or entry["side"] not in {"before", "after"}:
            raise ValueError(f"bad treatment cue: {entry}")
        loaded.append(
            Cue(
                signal=entry["signal"],
                language=entry["lang"],
                side=entry["side"],
                pattern=re.compile(entry["pattern"], re.IGNORECASE),
                example=entry["example"],
            )
        )
    return tuple(loaded)


@dataclass(frozen=True, slots=True)
class _Gaps:
    """What may stand between a cue and the case it treats (treatment_cues.json 'gaps')."""

    before_max: int
    after_max: int
    before_stopwords: re.Pattern[str]
    before_removable: re.Pattern[str]
    before_bad_start: re.Pattern[str]
    after_allowed: re.Pattern[str]
    blockers: re.Pattern[str]
    negations: re.Pattern[str]


@cache
def _gaps() -> _Gaps:
    gaps = _settings()["gaps"]
    return _Gaps(
        before_max=int(gaps["before_max"]),
        after_max=int(gaps["after_max"]),
        before_stopwords=re.compile(gaps["before_stopwords"], re.IGNORECASE),
        before_removable=re.compile(gaps["before_removable"], re.IGNORECASE),
        before_bad_start=re.compile(gaps["before_bad_start"], re.IGNORECASE),
        after_allowed=re.compile(gaps["after_allowed"]),
        blockers=re.compile(_settings()["blockers"], re.IGNORECASE),
        negations=re.compile(_settings()["negations"], re.IGNORECASE),
    )


def _before_gap_ok(gap: str) -> bool:
    """'applying the principles set out in R v Okedare ' -> True; ' in Smith ' (the test
    applied in Smith), ' when resolving ... in ' or a gap with a clause break -> False."""
    rules = _gaps()
    if rules.before_bad_start.match(gap):
        return False
    stripped = rules.before_removable.sub(" ", gap)
    if len(stripped) > rules.before_max or any(mark in stripped for mark in ";:()[]"):
        return False
    return not rules.before_stopwords.search(stripped)


def _after_gap_ok(gap: str) -> bool:
    """', ' or ', at pp.150-151, per Astbury J ' -> True; ' the House of Lords ' -> False."""
    rules = _gaps()
    return len(gap) <= rules.after_max and bool(rules.after_allowed.match(gap))


def _list_gap_ok(gap: str) -> bool:
    """Cases listed together after one cue: 'applying X and Y', 'applying X; Y'."""
    rules = _gaps()
    stripped = rules.before_removable.sub(" ", gap)
    return len(gap) <= 100 and ":" not in stripped and not rules.before_stopwords.search(stripped)


_BLOCKER_REACH = 70
_NEGATION_REACH = 25


@dataclass(frozen=True, slots=True)
class _Hit:
    cue: Cue
    start: int
    end: int


def _cue_hits(sentence: str, offset: int) -> list[_Hit]:
    """Non-overlapping cue matches of a sentence, longest first, with absolute offsets."""
    matches: list[_Hit] = []
    for cue in cues():
        for match in cue.pattern.finditer(sentence):
            matches.append(_Hit(cue, offset + match.start(), offset + match.end()))
    matches.sort(key=lambda hit: (-(hit.end - hit.start), hit.start))
    kept: list[_Hit] = []
    for hit in matches:
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda hit: hit.start)


def _blocked(text: str, sentence_start: int, hit: _Hit) -> bool:
    """A cue in a submission, question or hypothesis, or negated ('did not apply X')."""
    rules = _gaps()
    before = text[max(sentence_start, hit.start - _BLOCKER_REACH) : hit.start]
    near = text[max(sentence_start, hit.start - _NEGATION_REACH) : hit.start]
    return bool(rules.blockers.search(before) or rules.negations.search(near))


def _treated(
    text: str,
    hit: _Hit,
    spans: Sequence[tuple[int, int]],
) -> list[int]:
    """Indexes (into ``spans``, the case mentions of the sentence) of the cases ``hit``
    treats: the nearest on the cue's side if the stretch between them is a permitted gap,
    and the cases listed right after it ('X and Y', 'X; Y')."""
    if hit.cue.side == "before":
        after = [i for i, (start, _) in enumerate(spans) if start >= hit.end]
        if not after or not _before_gap_ok(text[hit.end : spans[after[0]][0]]):
            return []
        treated = [after[0]]
        for i in after[1:]:
            if not _list_gap_ok(text[spans[treated[-1]][1] : spans[i][0]]):
                break
            treated.append(i)
        return treated
    before = [i for i, (_, end) in enumerate(spans) if end <= hit.start]
    if not before or not _after_gap_ok(text[spans[before[-1]][1] : hit.start]):
        return []
    return [before[-1]]


def find_treatments(
    text: str,
    citations: Sequence[Citation],
    mentions: Iterable[tuple[Citation, Found]] | None = None,
) -> list[Treatment]:
    """The treatment signals of ``text`` (the cleaned text find_citations read) for its
    case citations, one per mention and signal, in text order. ``mentions`` defaults to
    :func:`citation_mentions`; pass it where the caller has them already."""
    pairs = list(citation_mentions(text, citations) if mentions is None else mentions)
    sentences = split_sentences(text)
    by_sentence: dict[tuple[int, int], list[tuple[Citation, Found]]] = {}
    for citation, found in pairs:
        if citation.kind in CASE_KINDS:
            by_sentence.setdefault(sentences.around(found.start, found.end), []).append(
                (citation, found)
            )
    treatments: list[Treatment] = []
    for (start, end), in_sentence in by_sentence.items():
        in_sentence.sort(key=lambda pair: pair[1].start)
        spans = _merged_spans([found for _, found in in_sentence])
        seen: set[tuple[int, str]] = set()
        if text[start:end].rstrip("\"'”’)] ").endswith("?"):
            continue  # a question states no treatment
        for hit in _cue_hits(text[start:end], start):
            if _blocked(text, start, hit):
                continue
            for index in _treated(text, hit, [span for span, _ in spans]):
                for position in spans[index][1]:
                    citation, found = in_sentence[position]
                    if (found.start, hit.cue.signal) in seen:
                        continue
                    seen.add((found.start, hit.cue.signal))
                    treatments.append(_treatment(text, citation, found, hit, start, end))
    treatments.sort(key=lambda t: (t.start, t.signal))
    return treatments


def _merged_spans(found: Sequence[Found]) -> list[tuple[tuple[int, int], list[int]]]:
    """Mentions whose spans touch or overlap (a case name's neutral citation and its
    report, '[2001] UKHL 1, [2002] 1 AC 1'), as one span with the mentions it covers."""
    merged: list[tuple[tuple[int, int], list[int]]] = []
    for index, item in enumerate(found):
        if merged and item.start <= merged[-1][0][1] + 2:
            (start, end), members = merged[-1]
            merged[-1] = ((start, max(end, item.end)), [*members, index])
        else:
            merged.append(((item.start, item.end), [index]))
    return merged


def _treatment(
    text: str, citation: Citation, found: Found, hit: _Hit, start: int, end: int
) -> Treatment:
    return Treatment(
        signal=hit.cue.signal,
        shown=hit.cue.signal in SHOWN_SIGNALS,
        normalized=citation.normalized,
        authority_id=citation.authority_id,
        raw=found.raw,
        start=found.start,
        end=found.end,
        sentence=text[start:end],
        sentence_start=start,
        sentence_end=end,
        cue=text[hit.start : hit.end],
        cue_start=hit.start,
        cue_end=hit.end,
        language=hit.cue.language,
    )


__all__ = [
    "CASE_KINDS",
    "SHOWN_SIGNALS",
    "SIGNALS",
    "Cue",
    "Sentences",
    "citation_mentions",
    "cues",
    "find_treatments",
    "split_sentences",
]

"""Judgments into headings and numbered paragraphs.

Candidates are the lines that start with a paragraph number in one of three styles: '[50]'
(UK), '50.' (UK, ECHR, most courts) and '50 ' (the Court of Justice's EUR-Lex text). A
judgment quotes numbered text (articles, earlier judgments, the questions referred), so the
numbers are read as a sequence: the style giving the longest run of consecutive numbers is
the judgment's, and in that style a candidate is a paragraph only if it is the next number
(a short gap is allowed when the number after it follows). A '1' after a run, followed by
'2', starts a new series (a second judgment in the same document). Headings are the short
lines just above a paragraph that do not end a sentence. Without numbered paragraphs (most
US opinions) the text is cut into blocks at blank lines, or where a line ending a sentence
is clearly shorter than the lines around it, and headings are the outline lines ('II.',
'A. Standard of Review', 'DISCUSSION').
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lexstream.index.extraction import structure_patterns as p
from lexstream.index.extraction.structure_models import page_at
from lexstream.shared.legal.structure import Heading, Paragraph

_STYLES = ((p.PARA_BRACKET, "bracket"), (p.PARA_DOTTED, "dotted"), (p.PARA_BARE, "bare"))
_MAX_GAP = 3
_LOOKAHEAD = 40
_LIST = 15
_MIN_NUMBERED = 3
_MAX_HEADING_CHARS = 100
_MAX_HEADING_WORDS = 14
_HEADINGS_ABOVE = 3
_SHORT_PARAGRAPH = 120
_SENTENCE_END = (".", ":", ";", "?", "!", ")", "”", '"', "’", "'", "]")
_BOILERPLATE_MIN_PAGES = 3


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str
    index: int


@dataclass(frozen=True)
class Candidate:
    line: Line
    number: int
    style: str
    text_start: int


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    offset = 0
    for index, raw in enumerate(text.splitlines(keepends=True)):
        body = raw.rstrip("\r\n")
        lines.append(Line(offset, offset + len(body), body, index))
        offset += len(raw)
    return lines


def boilerplate(pages: Sequence[str]) -> frozenset[str]:
    """Running headers and footers: lines seen near the top or bottom of most pages."""
    if len(pages) < _BOILERPLATE_MIN_PAGES:
        return frozenset()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        counts.update(set(lines[:4] + lines[-3:]))
    needed = max(_BOILERPLATE_MIN_PAGES, len(pages) // 2)
    return frozenset(line for line, count in counts.items() if count >= needed)


def _candidates(lines: Sequence[Line]) -> list[Candidate]:
    found: list[Candidate] = []
    for line in lines:
        for pattern, style in _STYLES:
            match = pattern.match(line.text)
            if match is not None:
                found.append(Candidate(line, int(match["num"]), style, line.start + match.end()))
                break
    return found


def _sequence(candidates: Sequence[Candidate]) -> list[tuple[int, Candidate]]:
    """(series, candidate) for the candidates read as consecutive paragraph numbers. A new
    series that the old one resumes after (a numbered list inside paragraph 28, then 29)
    was a list, not a judgment: it is dropped again."""
    chosen: list[tuple[int, Candidate]] = []
    series, last = 1, 0
    # The series left by a restart: (series, its last number, len(chosen) at the restart).
    earlier: list[tuple[int, int, int]] = []
    for index, candidate in enumerate(candidates):
        number = candidate.number
        ahead = candidates[index + 1 : index + 1 + _LOOKAHEAD]
        if number != last + 1:
            for position in range(len(earlier) - 1, -1, -1):
                old_series, old_last, kept = earlier[position]
                resumes = (old_last > last and number == old_last + 1) or (
                    old_last > last
                    and old_last < number <= old_last + 2
                    and any(c.number == number + 1 for c in ahead[:5])
                )
                if resumes:
                    if len(chosen) - kept <= _LIST:
                        del chosen[kept:]
                    series, last = old_series, old_last
                    del earlier[position:]
                    break
        if number == last + 1:
            accept = True
        elif last < number <= last + _MAX_GAP:
            # A gap only where the number after it follows and the missing one does not
            # ('3 April 2025' above paragraph 1 is a date, not paragraph 3).
            accept = any(c.number == number + 1 for c in ahead[:5]) and not any(
                c.number == last + 1 for c in ahead[:10]
            )
        elif number == 1 and last >= _MIN_NUMBERED:
            following = [c.number for c in ahead]
            accept = 2 in following and 3 in following and (last + 1) not in following[:3]
            if accept:
                earlier.append((series, last, len(chosen)))
                series = max(s for s, _ in chosen) + 1
        elif number == last and chosen and _short(chosen[-1][1], candidate):
            chosen.pop()  # the first was a numbered heading ('1. Introduction')
            accept = True
        else:
            accept = False
        if accept:
            chosen.append((series, candidate))
            last = number
    return chosen


def _short(first: Candidate, second: Candidate) -> bool:
    return second.line.start - first.line.start <= _SHORT_PARAGRAPH


def _heading_like(line: Line, skip: frozenset[str]) -> bool:
    text = " ".join(line.text.split())
    return text not in skip and heading_text(_plain(text))


def _plain(text: str) -> str:
    """A heading without its Markdown emphasis ('***European Union law***')."""
    return " ".join(text.split()).strip("*_ ")


_LEADING_MARKER = re.compile(r"^(?:\(\w{1,4}\)|[A-Z0-9]{1,5}\.)\s+")


def heading_text(text: str) -> bool:
    """Whether a short line reads as a heading: 'The facts', 'Lord Justice Dyson :',
    '(1) The nature of the issue', 'II. DISCUSSION'; not a quotation ('‘Article 6'), a
    line of a list ('(c) has been the subject of determination by a court, or') or the
    last line of a sentence."""
    if not text or len(text) > _MAX_HEADING_CHARS or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    bare = text.rstrip("’”'\")] ")
    if bare.endswith((",", ";", ".", " or", " and")) and not _OUTLINE_WORDS.match(text):
        return False
    rest = _LEADING_MARKER.sub("", text)
    return bool(rest) and (rest[0].isupper() or rest[0].isdigit())


def _ends_sentence(line: Line | None) -> bool:
    return line is None or not line.text.strip() or line.text.rstrip().endswith(_SENTENCE_END)


def judgment_from_text(
    text: str, page_starts: Sequence[int], pages: Sequence[str]
) -> tuple[list[Heading], list[Paragraph]]:
    """Headings and paragraphs of a judgment's text (``pages`` joined as ``text``)."""
    lines = split_lines(text)
    skip = boilerplate(pages)
    candidates = _candidates(lines)
    best: list[tuple[int, Candidate]] = []
    for _, style in _STYLES:
        chosen = _sequence([c for c in candidates if c.style == style])
        if len(chosen) > len(best):
            best = chosen
    if len(best) < _MIN_NUMBERED:
        headings, paragraphs = _unnumbered(lines, skip, page_starts)
    else:
        headings, paragraphs = _numbered(lines, best, skip, page_starts)
    return headings, [
        paragraph.model_copy(update={"text": _body(text, paragraph, skip)})
        for paragraph in paragraphs
    ]


def _body(text: str, paragraph: Paragraph, skip: frozenset[str]) -> str:
    """A paragraph's text without its number and the running headers it spans."""
    lines = text[paragraph.text_start : paragraph.end].splitlines()
    return " ".join(
        " ".join(line.split()) for line in lines if " ".join(line.split()) not in skip
    ).strip()


def _numbered(
    lines: Sequence[Line],
    chosen: Sequence[tuple[int, Candidate]],
    skip: frozenset[str],
    page_starts: Sequence[int],
) -> tuple[list[Heading], list[Paragraph]]:
    starts = {candidate.line.index for _, candidate in chosen}
    heading_lines: dict[int, Line] = {}
    for _, candidate in chosen:
        above: list[Line] = []
        index = candidate.line.index - 1
        while index >= 0 and len(above) < _HEADINGS_ABOVE and index not in starts:
            line = lines[index]
            index -= 1
            if not line.text.strip() or " ".join(line.text.split()) in skip:
                continue
            if not _heading_like(line, skip):
                break
            above.append(line)
        # The topmost heading must begin a block: the line before it ends a sentence.
        while above:
            top = above[-1]
            previous = _previous_content(lines, top.index, skip)
            if previous is None or _ends_sentence(previous) or previous.index in starts:
                break
            above.pop()
        for line in above:
            heading_lines[line.index] = line
    headings = [
        Heading(
            id=f"h:{position}",
            text=_plain(line.text),
            page=page_at(page_starts, line.start),
            start=line.start,
            end=line.end,
        )
        for position, line in enumerate(sorted(heading_lines.values(), key=lambda x: x.start), 1)
    ]
    boundaries = sorted({c.line.start for _, c in chosen} | {h.start for h in headings if h.start})
    text_end = lines[-1].end if lines else 0
    # The longest series is the judgment (plain 'para:<n>' ids); the others, numbered lists
    # or annexes before or after it, or further judgments, are 'op:<k>' in their order.
    sizes = Counter(series for series, _ in chosen)
    main = max(sizes, key=lambda series: (sizes[series], -series))
    others = sorted(series for series in sizes if series != main)
    names = {main: 1} | {series: position for position, series in enumerate(others, 2)}
    paragraphs: list[Paragraph] = []
    heading_index = 0
    current_heading: str | None = None
    for raw_series, candidate in chosen:
        series = names[raw_series]
        start = candidate.line.start
        while heading_index < len(headings) and (headings[heading_index].start or 0) < start:
            current_heading = headings[heading_index].text
            heading_index += 1
        following = [b for b in boundaries if b > start]
        end = following[0] if following else text_end
        paragraphs.append(
            Paragraph(
                id=f"para:{candidate.number}"
                if series == 1
                else f"op:{series}/para:{candidate.number}",
                number=str(candidate.number),
                heading=current_heading,
                page=page_at(page_starts, start),
                start=start,
                end=end,
                text_start=candidate.text_start,
            )
        )
    return headings, paragraphs


def _previous_content(lines: Sequence[Line], index: int, skip: frozenset[str]) -> Line | None:
    index -= 1
    while index >= 0:
        line = lines[index]
        if line.text.strip() and " ".join(line.text.split()) not in skip:
            return line
        index -= 1
    return None


def _unnumbered(
    lines: Sequence[Line], skip: frozenset[str], page_starts: Sequence[int]
) -> tuple[list[Heading], list[Paragraph]]:
    content = [
        line for line in lines if line.text.strip() and " ".join(line.text.split()) not in skip
    ]
    if not content:
        return [], []
    typical = statistics.median(len(line.text.strip()) for line in content)
    blank_separated = any(not line.text.strip() for line in lines)
    headings: list[Heading] = []
    blocks: list[tuple[int, int, int]] = []  # start, text start, end
    block_start: Line | None = None
    previous: Line | None = None
    after_heading = False
    for line in lines:
        text = " ".join(line.text.split())
        if not text or text in skip:
            if blank_separated and not text and block_start is not None and previous is not None:
                blocks.append((block_start.start, block_start.start, previous.end))
                block_start = None
            continue
        # All-capital lines before any text are the caption ('UNITED STATES COURT OF
        # APPEALS'), not headings; outline headings ('I.', 'A. The Claim') are always.
        caps_only = not _OUTLINE_WORDS.match(text) and not p.US_HEADING.match(text)
        if (
            _outline_heading(text)
            and (_ends_sentence(previous) or after_heading)
            and (blocks or block_start is not None or not caps_only)
        ):
            if block_start is not None and previous is not None:
                blocks.append((block_start.start, block_start.start, previous.end))
                block_start = None
            headings.append(
                Heading(
                    id=f"h:{len(headings) + 1}",
                    text=text,
                    page=page_at(page_starts, line.start),
                    start=line.start,
                    end=line.end,
                )
            )
            previous, after_heading = line, True
            continue
        after_heading = False
        if block_start is None:
            block_start = line
        previous = line
        if not blank_separated and text.endswith(_SENTENCE_END) and len(text) < 0.7 * typical:
            blocks.append((block_start.start, block_start.start, line.end))
            block_start = None
    if block_start is not None and previous is not None:
        blocks.append((block_start.start, block_start.start, previous.end))
    paragraphs: list[Paragraph] = []
    heading_index, current = 0, None
    for position, (start, text_start, end) in enumerate(blocks, 1):
        while heading_index < len(headings) and (headings[heading_index].start or 0) < start:
            current = headings[heading_index].text
            heading_index += 1
        paragraphs.append(
            Paragraph(
                id=f"p:{position}",
                heading=current,
                page=page_at(page_starts, start),
                start=start,
                end=end,
                text_start=text_start,
            )
        )
    return headings, paragraphs


_OUTLINE_WORDS = re.compile(r"^[IVXL]{1,6}\.?$|^[A-H]\.$")


def _outline_heading(text: str) -> bool:
    """'II.', 'IV. DISCUSSION', 'A. Standard of Review', 'BACKGROUND' (not a sentence)."""
    if len(text) > _MAX_HEADING_CHARS or text.endswith((",", ";")):
        return False
    if _OUTLINE_WORDS.match(text):
        return True
    found = p.US_HEADING.match(text)
    if found is not None and found["rest"] and not found["rest"].rstrip().endswith("."):
        rest = found["rest"].strip()
        return rest[0].isupper() and len(rest.split()) <= _MAX_HEADING_WORDS
    return bool(p.CAPS_HEADING.match(text)) and len(text.split()) <= 8

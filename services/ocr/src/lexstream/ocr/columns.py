"""Reading order of two-column pages, from the word boxes of a text layer.

A PDF's text comes in the order its producer drew it; a two-column page drawn line by line
across both columns reads "left line 1, right line 1, left line 2...". A gutter (a vertical
band in the middle of the page that no word of the body crosses, with full lines of text on
both sides) marks two columns; the page is then read band by band: lines that cross the
gutter (a title, a heading over both columns) stay where they are, and between them the left
column is read before the right one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lexstream.shared.artifacts import WordBox

#: The gutter lies in the middle band of the page (a share of its width, from the left).
_GUTTER_BAND = (0.3, 0.7)
#: At least this wide (a share of the page width): a word space is narrower.
_MIN_GUTTER = 0.015
#: Lines that may reach into the gutter (a share of all lines): a ragged column's longest.
_GUTTER_SLACK = 0.05
#: Lines with words on each side, and words a line on each side (median): a two-column
#: table's cells are short, a column of prose is not.
_MIN_SIDE_LINES = 5
_MIN_SIDE_WORDS = 4
#: At most this share of the lines may cross the gutter (titles, headings over both).
_MAX_CROSSING = 0.3


@dataclass(frozen=True)
class _Line:
    words: list[WordBox]
    top: float

    @property
    def left(self) -> int:
        return min(w.left for w in self.words)

    @property
    def right(self) -> int:
        return max(w.left + w.width for w in self.words)


def lines_of(words: Sequence[WordBox]) -> list[list[WordBox]]:
    """Words grouped into lines (a word joins the line whose middle height it shares),
    top to bottom, each left to right."""
    lines: list[list[WordBox]] = []
    for word in sorted(words, key=lambda w: (w.top + w.height / 2, w.left)):
        middle = word.top + word.height / 2
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(middle - (ref.top + ref.height / 2)) <= max(ref.height, word.height) / 2:
                last.append(word)
                continue
        lines.append([word])
    return [sorted(line, key=lambda w: w.left) for line in lines]


def find_gutter(words: Sequence[WordBox], page_width: float) -> tuple[float, float] | None:
    """The gutter between two columns, as (left, right) in the words' units, or None."""
    if not words or page_width <= 0:
        return None
    lines = lines_of(words)
    if len(lines) < 2 * _MIN_SIDE_LINES:
        return None
    bins = 200
    scale = bins / page_width
    cover = [0] * bins
    for line in lines:
        seen: set[int] = set()
        for word in line:
            start = max(0, int(word.left * scale))
            end = min(bins - 1, int((word.left + word.width) * scale))
            seen.update(range(start, end + 1))
        for b in seen:
            cover[b] += 1
    low, high = int(_GUTTER_BAND[0] * bins), int(_GUTTER_BAND[1] * bins)
    allowed = _MAX_CROSSING * len(lines)
    best: tuple[int, int] | None = None
    run_start: int | None = None
    for b in range(low, high + 1):
        free = cover[b] <= allowed and b < high
        if free and run_start is None:
            run_start = b
        elif not free and run_start is not None:
            if best is None or b - run_start > best[1] - best[0]:
                best = (run_start, b)
            run_start = None
    if best is None:
        return None
    # the gutter proper: the stretch of the free run around its emptiest point where few
    # lines reach (a ragged column's longest lines reach into it)
    floor = min(cover[best[0] : best[1]])
    ceiling = floor + max(1, round(_GUTTER_SLACK * len(lines)))
    first = last = min(range(best[0], best[1]), key=lambda b: cover[b])
    while first > best[0] and cover[first - 1] <= ceiling:
        first -= 1
    while last < best[1] - 1 and cover[last + 1] <= ceiling:
        last += 1
    left, right = first / scale, (last + 1) / scale
    if right - left < _MIN_GUTTER * page_width:
        return None
    middle = (left + right) / 2
    left_lines = [line for line in lines if any(_right_of(w) <= middle for w in line)]
    right_lines = [line for line in lines if any(w.left >= middle for w in line)]
    if len(left_lines) < _MIN_SIDE_LINES or len(right_lines) < _MIN_SIDE_LINES:
        return None
    if _median([sum(_right_of(w) <= middle for w in ln) for ln in left_lines]) < _MIN_SIDE_WORDS:
        return None
    if _median([sum(w.left >= middle for w in ln) for ln in right_lines]) < _MIN_SIDE_WORDS:
        return None
    return left, right


def _right_of(word: WordBox) -> int:
    return word.left + word.width


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0


def reading_order(words: Sequence[WordBox], page_width: float) -> list[list[WordBox]] | None:
    """The page's lines in reading order when it has two columns, else None."""
    gutter = find_gutter(words, page_width)
    if gutter is None:
        return None
    middle = (gutter[0] + gutter[1]) / 2
    ordered: list[list[WordBox]] = []
    left: list[list[WordBox]] = []
    right: list[list[WordBox]] = []
    for line in lines_of(words):
        if _crosses(line, middle, gutter[1] - gutter[0]):
            ordered += left + right + [line]
            left, right = [], []
            continue
        lefts = [w for w in line if _right_of(w) <= middle]
        rights = [w for w in line if w.left >= middle]
        if lefts:
            left.append(lefts)
        if rights:
            right.append(rights)
    return ordered + left + right


def _crosses(line: Sequence[WordBox], middle: float, gutter: float) -> bool:
    """Whether a line runs across the gutter (a title over both columns): a word covers
    its middle, or the words either side of it are closer than half a gutter."""
    if any(w.left < middle < _right_of(w) for w in line):
        return True
    before = [w for w in line if _right_of(w) <= middle]
    after = [w for w in line if w.left >= middle]
    if not before or not after:
        return False
    return after[0].left - _right_of(before[-1]) < gutter / 2


def reorder_columns(
    text: str, words: Sequence[WordBox], page_width: float
) -> tuple[str, list[WordBox]] | None:
    """The page's text and words in reading order when it has two columns whose text is
    not already in that order; None where nothing changes."""
    lines = reading_order(words, page_width)
    if lines is None:
        return None
    ordered = [w for line in lines for w in line]
    if [w.text for w in ordered] == text.split():
        return None
    return "\n".join(" ".join(w.text for w in line) for line in lines), ordered

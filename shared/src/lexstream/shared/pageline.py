"""Page:line transcripts: the layout of a certified court transcript, from ``transcript.json``.

Pages of 25 numbered lines; each turn opens with its speaker's label in capitals
(``THE COURT:``), indented, and runs on at the left margin; a turn is the segments one
speaker says in a row. Page 1 is the caption page (case, court, date, appearances);
the testimony starts on page 2, line 1. Where a line falls depends on the transcript alone
(the caption page is one page whatever it holds), so "Tr. 12:4" stays put when the
document's metadata changes, and search can cite a hit by page and line
(:func:`cite`). Time marks (``[00:01:23]``, the turn's start) are optional and take no
line of their own.
"""

from __future__ import annotations

import bisect
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lexstream.shared.artifacts import Segment, Transcript

LINES_PER_PAGE = 25
LINE_CHARS = 62  # of text, after the line number (a 1-inch margin, 10-pitch Courier)
SPEAKER_INDENT = 10  # a turn's first line, where the label stands
FIRST_BODY_PAGE = 2


@dataclass(frozen=True)
class Caption:
    """What the caption page says, from the document's metadata where known."""

    case: str | None = None
    case_numbers: tuple[str, ...] = ()
    court: str | None = None
    date: str | None = None
    title: str = "TRANSCRIPT OF PROCEEDINGS"
    appearances: tuple[str, ...] = ()
    judges: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    start: float | None = None  # when its first word is said
    segments: tuple[int, ...] = ()  # ids of the segments whose first word is on it
    mark: str | None = None  # the turn's start, where a turn begins


@dataclass(frozen=True)
class TranscriptPage:
    number: int
    lines: tuple[Line, ...]


@dataclass
class _Turn:
    label: str
    segments: list[Segment] = field(default_factory=list)


def layout(transcript: Transcript, caption: Caption | None = None) -> list[TranscriptPage]:
    """The caption page, then the testimony in pages of :data:`LINES_PER_PAGE` lines."""
    body = list(_body_lines(transcript))
    pages = [TranscriptPage(1, tuple(_caption_lines(transcript, caption or Caption())))]
    for first in range(0, max(len(body), 1), LINES_PER_PAGE):
        chunk = body[first : first + LINES_PER_PAGE]
        pages.append(
            TranscriptPage(
                FIRST_BODY_PAGE + first // LINES_PER_PAGE,
                tuple(
                    Line(index + 1, line.text, line.start, line.segments, line.mark)
                    for index, line in enumerate(chunk)
                ),
            )
        )
    return pages


def to_text(pages: Sequence[TranscriptPage], *, time_marks: bool = False) -> str:
    """Plain text: each page headed by its number, pages apart by a form feed."""
    rendered = []
    for page in pages:
        rows = [f"{page.number:>{LINE_CHARS + 6}}", ""]
        for line in page.lines:
            margin = f"{line.mark or '':<11}" if time_marks and page.number > 1 else ""
            rows.append(f"{line.number:>2}  {margin}{line.text}".rstrip())
        rendered.append("\n".join(rows))
    return "\n\f".join(rendered) + "\n"


def cite(pages: Sequence[TranscriptPage], seconds: float) -> str | None:
    """``"12:4"``: the page and line where what is said at ``seconds`` is written."""
    located = [
        (line.start, page.number, line.number)
        for page in pages
        if page.number >= FIRST_BODY_PAGE
        for line in page.lines
        if line.start is not None
    ]
    if not located:
        return None
    index = max(0, bisect.bisect_right([start for start, _, _ in located], seconds) - 1)
    _, page, line = located[index]
    return f"{page}:{line}"


def segment_citations(pages: Sequence[TranscriptPage]) -> dict[int, str]:
    """Each segment's first page:line, by segment id (for a search index)."""
    found: dict[int, str] = {}
    for page in pages:
        for line in page.lines:
            for segment in line.segments:
                found.setdefault(segment, f"{page.number}:{line.number}")
    return found


def label_of(segment: Segment) -> str:
    """The speaker label as the transcript prints it: capitals, ``SPEAKER`` where unknown."""
    return (segment.speaker or "speaker").upper()


def timestamp(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


def _turns(segments: Sequence[Segment]) -> Iterator[_Turn]:
    """Segments in order, one speaker's consecutive ones joined into a turn."""
    turn: _Turn | None = None
    for segment in sorted(segments, key=lambda segment: (segment.start, segment.id)):
        if not segment.text.strip():
            continue
        label = label_of(segment)
        if turn is None or turn.label != label:
            if turn is not None:
                yield turn
            turn = _Turn(label)
        turn.segments.append(segment)
    if turn is not None:
        yield turn


def _tokens(segment: Segment) -> list[tuple[str, float, int]]:
    """The segment's words with when each is said (the segment's start where not known).

    Whisper's word pieces that carry no leading space ("un" "-amplified") are one word.
    """
    if not segment.words:
        return [(word, segment.start, segment.id) for word in segment.text.split()]
    tokens: list[tuple[str, float, int]] = []
    for word in segment.words:
        text = word.word.strip()
        if not text:
            continue
        if tokens and not word.word[:1].isspace():
            previous, start, _ = tokens[-1]
            tokens[-1] = (previous + text, start, segment.id)
        else:
            tokens.append((text, word.start, segment.id))
    return tokens


def _body_lines(transcript: Transcript) -> Iterator[Line]:
    for turn in _turns(transcript.segments):
        tokens = [token for segment in turn.segments for token in _tokens(segment)]
        lead = " " * SPEAKER_INDENT + f"{turn.label}:  "
        mark = timestamp(turn.segments[0].start)
        yield from _wrap(tokens, lead, mark)


def _wrap(tokens: list[tuple[str, float, int]], lead: str, mark: str) -> Iterator[Line]:
    """Words filled into lines of :data:`LINE_CHARS`, the first after ``lead``."""
    text = lead
    start: float | None = None
    opened: list[int] = []  # segments whose first word is on this line
    seen: set[int] = set()
    opening = True
    for word, word_start, segment in tokens:
        word = word[: LINE_CHARS - 1]
        gap = "" if text.endswith(" ") or not text else " "
        if len(text) + len(gap) + len(word) > LINE_CHARS and start is not None:
            yield Line(0, text.rstrip(), start, tuple(opened), mark if opening else None)
            opening = False
            text, gap, start, opened = "", "", None, []
        text += gap + word
        if start is None:
            start = word_start
        if segment not in seen:
            seen.add(segment)
            opened.append(segment)
    if start is not None:
        yield Line(0, text.rstrip(), start, tuple(opened), mark if opening else None)


def _caption_lines(transcript: Transcript, caption: Caption) -> Iterator[Line]:
    """The caption page: court, case, title, date, appearances; at most 25 lines."""
    rows: list[str] = []

    def centred(text: str) -> None:
        for part in textwrap.wrap(_capitals(text), LINE_CHARS - 4) or [""]:
            rows.append(part.center(LINE_CHARS).rstrip())

    rows.append("")
    centred(caption.court or "")
    rows.append("")
    if caption.case:
        centred(caption.case)
    for case_number in caption.case_numbers[:2]:
        centred(f"Case No. {case_number}")
    rows.append("")
    centred(caption.title)
    if caption.judges:
        centred("Before " + ", ".join(caption.judges[:2]))
    if caption.date:
        centred(caption.date)
    centred(f"Recording {transcript.document_id}, {_duration(transcript.duration)}")
    rows.append("")
    appearances = list(caption.appearances) or _appearances(transcript)
    if appearances:
        rows.append("APPEARANCES:")
        for entry in appearances:
            for index, part in enumerate(textwrap.wrap(entry, LINE_CHARS - 8)):
                rows.append((" " * (4 if index == 0 else 8)) + part)
    witnesses = _witnesses(transcript)
    if witnesses:
        rows.append("")
        rows.append("WITNESSES:")
        rows.extend(f"    {witness}" for witness in witnesses)
    kept = rows[:LINES_PER_PAGE]
    for number, row in enumerate(kept + [""] * (LINES_PER_PAGE - len(kept)), start=1):
        yield Line(number, row)


def _appearances(transcript: Transcript) -> list[str]:
    """Counsel and interpreters the transcript names: "For the plaintiff: MS. HALE (Margaret
    Hale)"; the court stands in the caption, witnesses in their own list."""
    counsel, others = [], []
    for entry in transcript.speakers:
        name = f" ({entry.name})" if entry.name and entry.name.upper() not in entry.label else ""
        if entry.role and entry.role.startswith("counsel for "):
            party = entry.role.removeprefix("counsel ").capitalize()
            counsel.append(f"{party}: {entry.label}{name}")
        elif entry.role == "the interpreter":
            others.append(f"Interpreter: {entry.name or entry.label}")
    return counsel + others


def _witnesses(transcript: Transcript) -> list[str]:
    """Witnesses by name: as labelled, else as they stated it for the record (a proposal)."""
    stated = {
        proposal.speaker: proposal.name
        for proposal in transcript.speaker_proposals
        if proposal.rule == "name for the record" and proposal.name
    }
    named = []
    for entry in transcript.speakers:
        if entry.role != "the witness":
            continue
        if entry.name:
            named.append(entry.name)
        elif entry.speaker in stated:
            named.append(f"{stated[entry.speaker]} (as stated for the record)")
    return named


def _capitals(text: str) -> str:
    """A caption line in capitals, "v." as courts print it: ``HALE v. OKAFOR``."""
    return re.sub(r"\bV\.?(?=\s)", "v.", text.upper())


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

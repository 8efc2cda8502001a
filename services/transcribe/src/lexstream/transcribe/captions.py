"""Caption files from a transcript: WebVTT (with speaker voice tags) and SRT.

Whisper segments can run for half a minute; captions are cut at word boundaries into
cues a reader can follow (at most two lines of 42 characters and 7 seconds).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass

from lexstream.shared.artifacts import Segment, Transcript

MAX_LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 7.0


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    speaker: str | None


def to_webvtt(transcript: Transcript) -> str:
    """A WebVTT document; a cue with a known speaker carries a ``<v speaker>`` voice tag."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues(transcript), start=1):
        text = _vtt_escape(_wrap(cue.text))
        if cue.speaker:
            text = f"<v {_vtt_escape(cue.speaker)}>{text}"
        timing = f"{_timestamp(cue.start, '.')} --> {_timestamp(cue.end, '.')}"
        blocks.append(f"{number}\n{timing}\n{text}")
    return "\n\n".join(blocks) + "\n"


def to_srt(transcript: Transcript) -> str:
    """A SubRip document; a known speaker is named at the start of the cue ("channel-1: ...")."""
    blocks = []
    for number, cue in enumerate(cues(transcript), start=1):
        text = f"{cue.speaker}: {cue.text}" if cue.speaker else cue.text
        timing = f"{_timestamp(cue.start, ',')} --> {_timestamp(cue.end, ',')}"
        blocks.append(f"{number}\n{timing}\n{_wrap(text)}")
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def cues(transcript: Transcript) -> list[Cue]:
    """The transcript's segments cut into caption-sized cues, in time order."""
    found = [cue for segment in transcript.segments for cue in _segment_cues(segment)]
    return sorted(found, key=lambda cue: cue.start)


def _segment_cues(segment: Segment) -> Iterator[Cue]:
    text = segment.text.strip()
    if not text:
        return
    if not segment.words or _fits(segment.start, segment.end, text):
        yield Cue(segment.start, max(segment.end, segment.start + 0.001), text, segment.speaker)
        return
    words = segment.words
    first = 0
    for last in range(len(words)):
        candidate = "".join(word.word for word in words[first : last + 1]).strip()
        if last > first and not _fits(words[first].start, words[last].end, candidate):
            yield _cue_of(segment, first, last - 1)
            first = last
    yield _cue_of(segment, first, len(words) - 1)


def _cue_of(segment: Segment, first: int, last: int) -> Cue:
    words = segment.words[first : last + 1]
    text = "".join(word.word for word in words).strip()
    start, end = words[0].start, words[-1].end
    return Cue(start, max(end, start + 0.001), text, segment.speaker)


def _fits(start: float, end: float, text: str) -> bool:
    return end - start <= MAX_CUE_S and len(text) <= MAX_LINE_CHARS * MAX_LINES


def _wrap(text: str) -> str:
    lines = textwrap.wrap(text, width=MAX_LINE_CHARS)
    return "\n".join(lines) if len(lines) <= MAX_LINES else text


def _vtt_escape(text: str) -> str:
    # "&", "<" and ">" would open entities or tags; escaping ">" also rules out "-->".
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _timestamp(seconds: float, decimal_mark: str) -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or ``HH:MM:SS,mmm`` (SRT)."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_mark}{millis:03d}"

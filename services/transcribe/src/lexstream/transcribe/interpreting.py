"""Interpreted hearings: each turn and the interpretation that follows it, paired.

In consecutive interpretation a speaker says a turn in one language and the interpreter
then says it in another ("¿Dónde estaba usted?" ... "Where were you?"). Rules over the
merged, labelled transcript (segments in spoken order, each with its language):

- a *turn* is a run of consecutive segments of one speaker in one language;
- the interpreter is the speaker the channel map or the recording labels so
  (``THE INTERPRETER``, role "the interpreter"); where none is, a speaker nobody labelled
  who speaks two languages, each of whose turns follows another speaker's turn in another
  language, is taken for the interpreter and labelled so (source "recording");
- a turn of the interpreter that follows another speaker's turn in another language is
  that turn's interpretation: the two become a pair of segment ids in ``pairs``.

So that search in either language finds both, the index service indexes each pair's text
in the other language beside each of its segments.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from lexstream.shared.artifacts import InterpretedPair, Segment, SpeakerLabel, Transcript

INTERPRETER_LABEL = "THE INTERPRETER"
INTERPRETER_ROLE = "the interpreter"
# The engine's own ids, which no map or rule has replaced by a label.
_UNLABELLED = re.compile(r"^(?:channel|speaker)-\d+$")
# Of an unlabelled speaker's turns, the share that must follow another language's turn.
_FOLLOWING_SHARE = 0.8


@dataclass(frozen=True)
class _Turn:
    speaker: str | None
    language: str | None
    segments: tuple[Segment, ...]


def turns(segments: Sequence[Segment]) -> list[_Turn]:
    """Runs of consecutive segments of one speaker in one language."""
    runs: list[list[Segment]] = []
    for segment in segments:
        last = runs[-1][-1] if runs else None
        if last is not None and (last.speaker, last.language) == (
            segment.speaker,
            segment.language,
        ):
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return [_Turn(run[0].speaker, run[0].language, tuple(run)) for run in runs]


def _interprets(before: _Turn, after: _Turn) -> bool:
    return (
        after.speaker is not None
        and before.speaker != after.speaker
        and before.language is not None
        and after.language is not None
        and before.language != after.language
    )


def labelled_interpreters(transcript: Transcript) -> set[str]:
    """The labels of the speakers the map or the recording names as the interpreter."""
    named = {
        entry.label
        for entry in transcript.speakers
        if entry.role == INTERPRETER_ROLE or entry.label == INTERPRETER_LABEL
    }
    spoken = {s.speaker for s in transcript.segments if s.speaker == INTERPRETER_LABEL}
    return named | spoken


def inferred_interpreter(spoken: Sequence[_Turn]) -> str | None:
    """An unlabelled speaker who speaks two languages and whose turns (two at least) nearly
    all follow another speaker's turn in another language; the one with most such turns."""
    following: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    languages: dict[str, set[str]] = defaultdict(set)
    for index, turn in enumerate(spoken):
        if turn.speaker is None or not _UNLABELLED.match(turn.speaker):
            continue
        total[turn.speaker] += 1
        if turn.language:
            languages[turn.speaker].add(turn.language)
        if index > 0 and _interprets(spoken[index - 1], turn):
            following[turn.speaker] += 1
    candidates = [
        speaker
        for speaker, count in following.items()
        if count >= 2 and count >= _FOLLOWING_SHARE * total[speaker] and len(languages[speaker]) > 1
    ]
    return max(candidates, key=lambda speaker: (following[speaker], speaker), default=None)


def pair_interpretations(transcript: Transcript) -> Transcript:
    """The transcript with its interpreted turns paired (``pairs``), and the interpreter
    labelled where only the pattern of the turns says who it is."""
    interpreters = labelled_interpreters(transcript)
    spoken = turns(transcript.segments)
    if not interpreters:
        found = inferred_interpreter(spoken)
        if found is None:
            return transcript
        transcript = _label_interpreter(transcript, found)
        interpreters = {INTERPRETER_LABEL}
        spoken = turns(transcript.segments)
    pairs = [
        InterpretedPair(
            original=[segment.id for segment in before.segments],
            interpretation=[segment.id for segment in after.segments],
            original_language=before.language or "",
            interpretation_language=after.language or "",
            interpreter=after.speaker or "",
        )
        for before, after in itertools.pairwise(spoken)
        if after.speaker in interpreters
        and before.speaker not in interpreters
        and _interprets(before, after)
    ]
    return transcript.model_copy(update={"pairs": pairs})


def _label_interpreter(transcript: Transcript, speaker: str) -> Transcript:
    segments = [
        segment.model_copy(update={"speaker": INTERPRETER_LABEL})
        if segment.speaker == speaker
        else segment
        for segment in transcript.segments
    ]
    label = SpeakerLabel(
        speaker=speaker, label=INTERPRETER_LABEL, role=INTERPRETER_ROLE, source="recording"
    )
    return transcript.model_copy(
        update={"segments": segments, "speakers": [*transcript.speakers, label]}
    )

"""Synthesised hearings (espeak-ng voices, one channel per role) through the engine: segment
times against the script's, the order of turns across channels, and who said what."""

from __future__ import annotations

import shutil
import statistics

import pytest
from bench.transcribe.hearing import (
    CHANNEL_MAP,
    PEOPLE,
    Hearing,
    attribution,
    examination,
    render,
    start_errors,
)

from lexstream.shared.artifacts import Transcript
from lexstream.shared.pageline import layout, to_text
from lexstream.shared.speakers import parse_channel_map
from lexstream.transcribe.captions import to_srt, to_webvtt
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.labels import label_speakers, spell_name

pytestmark = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")),
    reason="the hearings are synthesised with espeak-ng and sox (Debian packages)",
)


def transcribe(transcriber: Transcriber, hearing: Hearing) -> Transcript:
    return transcriber.transcribe(hearing.path, document_id=hearing.name, media_type="audio/wav")


@pytest.fixture(scope="module")
def questions(transcriber: Transcriber) -> tuple[Hearing, Transcript]:
    """Counsel on channel 1 asks, the witness on channel 2 answers in a word or two."""
    hearing = examination()
    return hearing, transcribe(transcriber, hearing)


@pytest.fixture(scope="module")
def hearing(transcriber: Transcriber) -> tuple[Hearing, Transcript]:
    """Four microphones: the court, both counsel, the witness; an objection overlaps."""
    rendered = render()
    return rendered, transcribe(transcriber, rendered)


def test_segments_start_at_their_first_word(questions: tuple[Hearing, Transcript]) -> None:
    # A channel's speech is transcribed with the silence between its turns left out; a
    # segment that ran from one answer into the next started 4.8 s before the second answer
    # (at the first), and every first word was stamped at VAD's padded start (0.3-0.45 s early).
    hearing, transcript = questions

    errors = [abs(error) for error in start_errors(hearing, transcript)]

    assert statistics.median(errors) <= 0.15, errors
    assert max(errors) <= 0.5, errors
    for segment in transcript.segments:
        assert segment.words
        assert segment.start == segment.words[0].start
        assert segment.end == segment.words[-1].end


def test_the_channels_merge_in_the_order_the_turns_were_spoken(
    questions: tuple[Hearing, Transcript],
) -> None:
    hearing, transcript = questions

    order = [segment.speaker for segment in transcript.segments]
    turns = [
        speaker for index, speaker in enumerate(order) if index == 0 or order[index - 1] != speaker
    ]

    # every answer follows its question: counsel, witness, counsel, witness, ...
    assert turns == [f"channel-{turn.channel + 1}" for turn in hearing.turns]
    starts = [segment.start for segment in transcript.segments]
    assert starts == sorted(starts)


def test_a_channel_map_names_every_segment_in_court_style(
    hearing: tuple[Hearing, Transcript],
) -> None:
    rendered, transcript = hearing

    labelled = label_speakers(transcript, parse_channel_map(CHANNEL_MAP))

    right, total = attribution(rendered, labelled)
    assert right == total
    assert total >= len(rendered.turns)
    assert {segment.speaker for segment in labelled.segments} == {
        "THE COURT",
        "MS. HALE",
        "MR. OKAFOR",
        "THE WITNESS",
    }
    errors = [abs(error) for error in start_errors(rendered, labelled)]
    assert statistics.median(errors) <= 0.15, errors
    assert max(errors) <= 0.5, errors
    assert "<v THE COURT>" in to_webvtt(labelled)
    assert "\nTHE WITNESS: " in to_srt(labelled)
    text = to_text(layout(labelled))
    assert "THE COURT:  We are on the record" in text
    assert "MR. OKAFOR:  Objection" in text


def test_overlapping_speech_stays_two_turns(hearing: tuple[Hearing, Transcript]) -> None:
    rendered, transcript = hearing
    answer, objection = rendered.turns[10], rendered.turns[11]
    assert objection.start < answer.end  # the script overlaps them

    witness = [s for s in transcript.segments if s.speaker == "channel-4"]
    counsel = [s for s in transcript.segments if s.speaker == "channel-3"]
    interrupted = next(s for s in witness if s.start < objection.start < s.end)
    interrupting = next(s for s in counsel if abs(s.start - objection.start) < 0.5)

    assert "objection" in interrupting.text.lower()
    assert "objection" not in interrupted.text.lower()
    position = transcript.segments.index
    assert position(interrupted) < position(interrupting)


def test_without_a_map_the_hearing_names_its_speakers(
    hearing: tuple[Hearing, Transcript],
) -> None:
    rendered, transcript = hearing

    # the matter's documents name the people, as the transcribe service reads them
    labelled = label_speakers(transcript, None, PEOPLE)

    by_id = {entry.speaker: entry.label for entry in labelled.speakers}
    assert by_id["channel-1"] == "THE COURT"  # "We are on the record", "call your first witness"
    assert by_id["channel-2"] == "MS. HALE"  # "Margaret Hale for the plaintiff", "Ms. Hale"
    assert by_id["channel-4"] == "THE WITNESS"  # sworn: "I do."
    right, total = attribution(rendered, labelled)
    # the defendant's counsel is named only if Whisper hears "Okafor": not asserted
    assert right >= total - sum(s.speaker == "channel-3" for s in transcript.segments)


def test_without_the_matters_names_the_labels_are_spelled_as_heard(
    hearing: tuple[Hearing, Transcript],
) -> None:
    # Whisper spells Hale "Hale" on some CPUs and "Hail" on others (the numeric path rounds
    # differently); without the matter's names the label is the name as heard.
    _, transcript = hearing

    by_id = {entry.speaker: entry for entry in label_speakers(transcript, None).speakers}

    assert by_id["channel-1"].label == "THE COURT"
    counsel = by_id["channel-2"]
    title, _, surname = counsel.label.partition(" ")
    assert title == "MS."
    assert spell_name(surname.title(), ["Hale"]) == "Hale", counsel.label
    assert counsel.name is not None
    assert surname.title() in counsel.name
    assert by_id["channel-4"].label == "THE WITNESS"

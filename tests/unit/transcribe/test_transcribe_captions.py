"""WebVTT and SRT from a transcript."""

from __future__ import annotations

import re

from lexstream.shared.artifacts import Segment, Transcript, Word
from lexstream.transcribe.captions import MAX_CUE_S, to_srt, to_webvtt

VTT_TIMING = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$")
SRT_TIMING = re.compile(r"^\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}$")


def transcript(*segments: Segment) -> Transcript:
    return Transcript(
        document_id="d",
        media_type="audio/wav",
        duration=4000.0,
        segments=list(segments),
        model="base-offline",
        device="cpu",
        compute_type="int8",
    )


HEARING = transcript(
    Segment(id=0, start=0.0, end=2.5, text=" Counsel, you may proceed.", speaker="channel-1"),
    Segment(id=1, start=3661.25, end=3663.0, text=" Objection <sustained> & noted", speaker=None),
)


def test_webvtt_has_header_timings_and_voice_tags() -> None:
    assert to_webvtt(HEARING) == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:02.500\n<v channel-1>Counsel, you may proceed.\n\n"
        "2\n01:01:01.250 --> 01:01:03.000\nObjection &lt;sustained&gt; &amp; noted\n"
    )


def test_srt_numbers_cues_with_comma_milliseconds() -> None:
    assert to_srt(HEARING) == (
        "1\n00:00:00,000 --> 00:00:02,500\nchannel-1: Counsel, you may proceed.\n\n"
        "2\n01:01:01,250 --> 01:01:03,000\nObjection <sustained> & noted\n"
    )


def test_long_segments_are_cut_at_words_into_readable_cues() -> None:
    words = [
        Word(start=i * 0.5, end=i * 0.5 + 0.4, word=f" word{i}", probability=0.9) for i in range(40)
    ]
    long_segment = Segment(
        id=0, start=0.0, end=20.0, text="".join(w.word for w in words), words=words
    )

    vtt = to_webvtt(transcript(long_segment))
    srt = to_srt(transcript(long_segment))

    blocks = vtt.strip().split("\n\n")[1:]
    assert len(blocks) > 2
    cue_words: list[str] = []
    for block in blocks:
        lines = block.split("\n")
        assert VTT_TIMING.match(lines[1])
        start, end = (_seconds(part) for part in lines[1].split(" --> "))
        assert 0 < end - start <= MAX_CUE_S
        assert len(lines) - 2 <= 2
        assert all(len(line) <= 42 for line in lines[2:])
        cue_words.extend(" ".join(lines[2:]).split())
    assert cue_words == [w.word.strip() for w in words]
    assert all(SRT_TIMING.match(block.split("\n")[1]) for block in srt.strip().split("\n\n"))


def test_empty_transcript_gives_empty_captions() -> None:
    assert to_webvtt(transcript()) == "WEBVTT\n"
    assert to_srt(transcript()) == ""


def _seconds(timestamp: str) -> float:
    hours, minutes, seconds = timestamp.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)

"""A segment's start when Whisper stamps its first word in the silence a window left out."""

from __future__ import annotations

import numpy as np

from lexstream.transcribe.audio import SAMPLE_RATE
from lexstream.transcribe.engine import _Piece, _to_segments, _WindowText
from lexstream.transcribe.windows import SpeechChunk, SpeechWindow

S = SAMPLE_RATE


def _tone(track: np.ndarray, start_s: float, end_s: float) -> None:
    t = np.arange(int((end_s - start_s) * S)) / S
    track[int(start_s * S) : int(start_s * S) + t.size] = 0.5 * np.sin(2 * np.pi * 220 * t)


def test_an_answer_stamped_in_the_left_out_silence_starts_where_its_sound_does() -> None:
    # one channel: a question at 0-2 s, an answer at 10.4-12 s (its chunk, VAD-padded, from
    # 10 s). In the window they are 0-2 s and 2-4 s; Whisper stamped the answer's first word
    # from 1.3 s, in the question's chunk: mapped with the answer's chunk, 9.3 s, more than
    # the half second the onset is looked for in before its sound at 10.4 s
    track = np.zeros(13 * S, np.float32)
    _tone(track, 0.2, 1.8)
    _tone(track, 10.4, 11.8)
    window = SpeechWindow((SpeechChunk(0, 2 * S), SpeechChunk(10 * S, 12 * S)))
    question = _Piece(0.2, 1.8, " Was it late?", -0.2, ((0.2, 1.8, " Was it late?", 0.9),))
    answer = _Piece(
        1.3,
        3.8,
        " About five hundred.",
        -0.2,
        ((1.3, 2.9, " About", 0.9), (2.9, 3.8, " five hundred.", 0.9)),
    )

    segments = list(_to_segments(_WindowText(window, "en", [question, answer]), "channel-2", track))

    assert [s.text for s in segments] == ["Was it late?", "About five hundred."]
    assert abs(segments[1].start - 10.4) <= 0.05, segments[1].start
    assert segments[1].words[1].start == 10.9  # the other words keep Whisper's times

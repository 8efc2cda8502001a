"""Speech windows: the units a recording is transcribed in.

Voice-activity detection finds the stretches of speech; they are packed, silence
removed, into windows of at most one Whisper context (30 s). Each window is one encoder
pass and is transcribed in the language detected for it, so a recording that switches
language is transcribed in each language rather than translated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from faster_whisper.vad import SpeechTimestampsMap, VadOptions, get_speech_timestamps

from lexstream.transcribe.audio import SAMPLE_RATE, FloatArray

WHISPER_WINDOW_S = 30.0
# Shorter pauses than Silero's default (2 s) give finer chunks, so a window whose language
# is uncertain can be split where one speaker stops and the interpreter starts.
_VAD_MIN_SILENCE_MS = 500
# Onsets are looked for in frames of 10 ms, in the half second after a word's stamped start:
# Whisper stamps the first word of a speech chunk at the chunk's start, which VAD pads by
# 400 ms (0.3-0.45 s early on the synthesised hearings).
_ONSET_FRAME = SAMPLE_RATE // 100
_ONSET_SEARCH_S = 0.5
# A frame is speech when its RMS reaches this share of the loudest frame of the word.
_ONSET_LEVEL = 0.25


@dataclass(frozen=True)
class SpeechChunk:
    """A stretch of speech, in samples of the original track."""

    start: int
    end: int

    @property
    def samples(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class SpeechWindow:
    """Speech chunks of one track, joined without the silence between them."""

    chunks: tuple[SpeechChunk, ...]

    @property
    def speech_s(self) -> float:
        return sum(chunk.samples for chunk in self.chunks) / SAMPLE_RATE

    def audio(self, track: FloatArray) -> FloatArray:
        return np.concatenate([track[chunk.start : chunk.end] for chunk in self.chunks])

    def split(self) -> list[SpeechWindow]:
        """One window per chunk."""
        return [SpeechWindow((chunk,)) for chunk in self.chunks]

    def clock(self) -> WindowClock:
        return WindowClock(self)


class WindowClock:
    """Maps times within a window's joined audio back to times in the recording."""

    def __init__(self, window: SpeechWindow) -> None:
        self._map = SpeechTimestampsMap(
            [{"start": chunk.start, "end": chunk.end} for chunk in window.chunks], SAMPLE_RATE
        )

    def span(self, start: float, end: float) -> tuple[float, float]:
        """Both ends of a word or segment, resolved in the chunk that holds its middle."""
        _, original_start, original_end = self.locate(start, end)
        return original_start, original_end

    def locate(self, start: float, end: float) -> tuple[int, float, float]:
        """The chunk that holds the middle of a word, and the word's ends in the recording.

        Words of one window in different chunks were spoken with silence between them that
        the window left out: where that silence was, the other channels may have spoken.
        """
        chunk_index = self._map.get_chunk_index((start + end) / 2)
        return (
            chunk_index,
            float(self._map.get_original_time(start, chunk_index)),
            float(self._map.get_original_time(end, chunk_index)),
        )


def find_speech(track: FloatArray, max_chunk_s: float = WHISPER_WINDOW_S) -> list[SpeechChunk]:
    """Stretches of speech in a one-channel 16 kHz track (none for silence or noise)."""
    options = VadOptions(
        max_speech_duration_s=max_chunk_s, min_silence_duration_ms=_VAD_MIN_SILENCE_MS
    )
    return [
        SpeechChunk(int(found["start"]), int(found["end"]))
        for found in get_speech_timestamps(track, options, sampling_rate=SAMPLE_RATE)
    ]


def pack_windows(
    chunks: list[SpeechChunk], max_window_s: float = WHISPER_WINDOW_S
) -> list[SpeechWindow]:
    """Pack consecutive chunks greedily into windows of at most ``max_window_s`` of speech."""
    limit = int(max_window_s * SAMPLE_RATE)
    return [SpeechWindow(tuple(group)) for group in _greedy_groups(chunks, limit)]


def _greedy_groups(chunks: list[SpeechChunk], limit: int) -> Iterator[list[SpeechChunk]]:
    group: list[SpeechChunk] = []
    size = 0
    for chunk in chunks:
        if group and size + chunk.samples > limit:
            yield group
            group, size = [], 0
        group.append(chunk)
        size += chunk.samples
    if group:
        yield group


def speech_onset(track: FloatArray, start: float, end: float) -> float:
    """Where the sound of a word stamped ``start``-``end`` begins, between the two.

    The first 10 ms frame of the half second from ``start`` that is at least a quarter as
    loud as the loudest frame there; ``start`` itself where there is nothing to hear.
    """
    first = max(0, int(start * SAMPLE_RATE))
    last = min(track.shape[0], int((start + _ONSET_SEARCH_S) * SAMPLE_RATE))
    frames = (last - first) // _ONSET_FRAME
    if frames < 2:
        return start
    level = frame_levels(track[first : first + frames * _ONSET_FRAME])
    peak = float(level.max())
    if peak <= 0.0:
        return start
    onset = int(np.argmax(level >= _ONSET_LEVEL * peak))
    return round(min(end, start + onset * _ONSET_FRAME / SAMPLE_RATE), 3)


def frame_levels(track: FloatArray) -> npt.NDArray[np.float64]:
    """The RMS of each whole 10 ms frame of ``track``."""
    frames = track.shape[0] // _ONSET_FRAME
    framed = track[: frames * _ONSET_FRAME].reshape(frames, _ONSET_FRAME)
    level: npt.NDArray[np.float64] = np.sqrt(np.mean(np.square(framed, dtype=np.float64), axis=1))
    return level

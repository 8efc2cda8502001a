"""Speaker attribution: the interface, and attribution by recording channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from lexstream.shared.artifacts import Segment
from lexstream.transcribe.audio import SAMPLE_RATE, FloatArray


def channel_speaker(channel_index: int) -> str:
    """The speaker label of a 0-based channel: ``channel-1``, ``channel-2``, ..."""
    return f"channel-{channel_index + 1}"


class Diarizer(Protocol):
    """Assigns a ``speaker`` to transcript segments.

    ``audio`` is ``samples[channel, index]`` at 16 kHz, as decoded; segment times are in
    seconds from the start. Returns the segments (copies) with ``speaker`` set. A
    model-based diarizer (pyannote and the like) implements this for one-channel audio.
    """

    def assign_speakers(self, audio: FloatArray, segments: Sequence[Segment]) -> list[Segment]: ...


class ChannelDiarizer:
    """Attributes each segment to the channel that is loudest, for that channel, while it is spoken.

    For recordings with one microphone per party (courtrooms, telephone lines) the
    channel is the speaker. The engine transcribes such channels one by one and labels
    them directly, which also copes with parties talking over each other; this class
    labels segments that came from a downmix or another source. Loudness is measured
    against each channel's own average, so a hot microphone does not win every segment;
    where two channels speak at the same moment the attribution is a guess.
    """

    def assign_speakers(self, audio: FloatArray, segments: Sequence[Segment]) -> list[Segment]:
        return [
            segment.model_copy(update={"speaker": channel_speaker(self._loudest(audio, segment))})
            for segment in segments
        ]

    @staticmethod
    def _loudest(audio: FloatArray, segment: Segment) -> int:
        spans = [(word.start, word.end) for word in segment.words] or [(segment.start, segment.end)]
        energy = np.zeros(audio.shape[0], dtype=np.float64)
        for start, end in spans:
            first = max(0, int(start * SAMPLE_RATE))
            last = min(audio.shape[1], max(first + 1, int(end * SAMPLE_RATE)))
            energy += np.mean(np.square(audio[:, first:last], dtype=np.float64), axis=1)
        channel_level = np.mean(np.square(audio, dtype=np.float64), axis=1) + 1e-12
        return int(np.argmax(energy / channel_level))

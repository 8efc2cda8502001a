"""Decoding recordings (audio or video files) into 16 kHz float samples with PyAV."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from lexstream.transcribe.errors import InputErrorCode, TranscriptionInputError

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
"""Whisper's sampling rate; every decoded recording is resampled to it."""

# Container durations are estimates (VBR MP3s without a header are the usual culprits), so
# the early check allows some slack; the decoded sample count is checked exactly.
_DURATION_ESTIMATE_SLACK = 1.05
# A channel quieter than this (RMS, full scale = 1.0) carries nothing worth transcribing.
_SILENT_CHANNEL_RMS = 1e-4
# Channels that correlate more than this carry the same signal (a mono source on two tracks,
# or one room picked up by two microphones): they are transcribed once, downmixed.
_SAME_SIGNAL_CORRELATION = 0.7
_CHANNEL_SAMPLE_POINTS = 4_000_000
# A recording with damaged packets is refused when less than this share of its declared
# length could be decoded: a truncated upload should be re-sent, not half-transcribed.
_MIN_DECODED_FRACTION = 0.5

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class DecodedAudio:
    """A recording as ``samples[channel, index]`` at :data:`SAMPLE_RATE`."""

    samples: FloatArray

    @property
    def duration(self) -> float:
        return float(self.samples.shape[1]) / SAMPLE_RATE

    @property
    def channel_count(self) -> int:
        return int(self.samples.shape[0])

    def downmix(self, channels: list[int] | None = None) -> FloatArray:
        """One track: the mean of ``channels`` (all when ``None``)."""
        chosen = self.samples if channels is None else self.samples[channels]
        if chosen.shape[0] == 1:
            return np.ascontiguousarray(chosen[0])
        mixed: FloatArray = chosen.mean(axis=0, dtype=np.float32)
        return mixed


def decode_audio(path: Path, *, max_duration_s: float | None = None) -> DecodedAudio:
    """Decode the first audio stream of ``path``, keeping its channels apart.

    Raises :class:`TranscriptionInputError` when the file is empty, cannot be decoded,
    holds no audio stream, or is longer than ``max_duration_s``.
    """
    if path.stat().st_size == 0:
        raise TranscriptionInputError(
            "The file is empty (0 bytes).",
            InputErrorCode.EMPTY_FILE,
        )
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise _no_audio_stream(container)
            _check_declared_duration(container, max_duration_s)
            samples = _decode_stream(container, max_duration_s)
    except av.error.FFmpegError as error:
        raise TranscriptionInputError(
            f"The file could not be decoded as audio or video ({error.strerror}); "
            "it may be corrupted or in an unsupported format.",
            InputErrorCode.UNDECODABLE,
        ) from error
    if samples.shape[1] == 0:
        raise TranscriptionInputError(
            "No audio could be decoded from the file; it may be corrupted or truncated.",
            InputErrorCode.UNDECODABLE,
        )
    return DecodedAudio(samples)


def distinct_channels(audio: DecodedAudio) -> list[int]:
    """Indices of the channels that carry their own signal.

    A channel that is silent is dropped; of channels that carry the same signal only the
    first is kept. Two or more results mean one speaker (or group) per channel, as in a
    court or telephone recording with a microphone per track.
    """
    # A sample of a few million points decides as well as hours of audio would, in
    # bounded memory.
    sampled = audio.samples[:, :: max(1, audio.samples.shape[1] // _CHANNEL_SAMPLE_POINTS)]
    rms = np.sqrt(np.mean(np.square(sampled, dtype=np.float64), axis=1))
    audible = [index for index in range(audio.channel_count) if rms[index] > _SILENT_CHANNEL_RMS]
    kept: list[int] = []
    for index in audible:
        if all(
            _correlation(sampled[index], sampled[other]) < _SAME_SIGNAL_CORRELATION
            for other in kept
        ):
            kept.append(index)
    return kept


def _correlation(first: FloatArray, second: FloatArray) -> float:
    first64 = first.astype(np.float64) - float(first.mean())
    second64 = second.astype(np.float64) - float(second.mean())
    denominator = float(np.sqrt(np.dot(first64, first64) * np.dot(second64, second64)))
    if denominator == 0.0:
        return 1.0
    return abs(float(np.dot(first64, second64)) / denominator)


def _no_audio_stream(container: av.container.InputContainer) -> TranscriptionInputError:
    if container.streams.video:
        message = "The file is a video without an audio track; there is nothing to transcribe."
    else:
        message = "The file holds no audio stream; there is nothing to transcribe."
    return TranscriptionInputError(
        message,
        InputErrorCode.NO_AUDIO_STREAM,
    )


def _too_long(duration_s: float, max_duration_s: float) -> TranscriptionInputError:
    return TranscriptionInputError(
        f"The recording lasts {_hms(duration_s)}, longer than the allowed maximum of "
        f"{_hms(max_duration_s)}.",
        InputErrorCode.TOO_LONG,
    )


def _check_declared_duration(
    container: av.container.InputContainer, max_duration_s: float | None
) -> None:
    """Refuse an over-long recording before spending time decoding it."""
    declared_s = _declared_s(container)
    if max_duration_s is None or declared_s is None:
        return
    if declared_s > max_duration_s * _DURATION_ESTIMATE_SLACK:
        raise _too_long(declared_s, max_duration_s)


def _decode_stream(
    container: av.container.InputContainer, max_duration_s: float | None
) -> FloatArray:
    stream = container.streams.audio[0]
    # Planar float keeps channels apart; layout None keeps the source layout.
    resampler = av.AudioResampler(format="fltp", layout=None, rate=SAMPLE_RATE)
    max_samples = None if max_duration_s is None else int(max_duration_s * SAMPLE_RATE)
    blocks: list[FloatArray] = []
    decoded = good_packets = bad_packets = 0
    # Packet by packet, so a damaged stretch costs that stretch and not the rest.
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            bad_packets += 1
            continue
        good_packets += 1
        for frame in frames:
            frame.pts = None  # resampling needs no timestamps; broken ones would stop it
            for resampled in resampler.resample(frame):
                blocks.append(resampled.to_ndarray().astype(np.float32, copy=False))
                decoded += blocks[-1].shape[1]
        if max_samples is not None and decoded > max_samples:
            raise _too_long(decoded / SAMPLE_RATE, max_samples / SAMPLE_RATE)
    for resampled in resampler.resample(None):
        blocks.append(resampled.to_ndarray().astype(np.float32, copy=False))
    samples = np.concatenate(blocks, axis=1) if blocks else np.zeros((1, 0), dtype=np.float32)
    if max_samples is not None and samples.shape[1] > max_samples:
        raise _too_long(samples.shape[1] / SAMPLE_RATE, max_samples / SAMPLE_RATE)
    if bad_packets:
        decoded_s = samples.shape[1] / SAMPLE_RATE
        _check_damage(decoded_s, _declared_s(container), good_packets, bad_packets)
    return samples


def _check_damage(
    decoded_s: float, declared_s: float | None, good_packets: int, bad_packets: int
) -> None:
    """Refuse a recording mostly lost to corruption; accept one with a damaged stretch."""
    mostly_lost = bad_packets > good_packets or (
        declared_s is not None and decoded_s < declared_s * _MIN_DECODED_FRACTION
    )
    if mostly_lost and decoded_s > 0:
        of_declared = f" of its {_hms(declared_s)}" if declared_s else ""
        raise TranscriptionInputError(
            f"The file is corrupted or truncated: only {_hms(decoded_s)}{of_declared} of audio "
            f"could be decoded ({bad_packets} damaged packets).",
            InputErrorCode.UNDECODABLE,
        )
    logger.warning("skipped %d damaged audio packets; %.1f s decoded", bad_packets, decoded_s)


def _declared_s(container: av.container.InputContainer) -> float | None:
    return None if container.duration is None else float(container.duration / av.time_base)


def _hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

"""Recordings that cannot be transcribed fail with a reason a person can read."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from tests.samples import sample

from lexstream.transcribe.engine import InputErrorCode, Transcriber, TranscriptionInputError


def failure(
    transcriber: Transcriber, path: Path, max_duration_s: float | None = None
) -> TranscriptionInputError:
    with pytest.raises(TranscriptionInputError) as caught:
        transcriber.transcribe(
            path, document_id="d", media_type="audio/mpeg", max_duration_s=max_duration_s
        )
    return caught.value


def test_zero_length_file(transcriber: Transcriber, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")

    error = failure(transcriber, empty)

    assert error.code is InputErrorCode.EMPTY_FILE
    assert error.reason == "The file is empty (0 bytes)."


def test_random_bytes(transcriber: Transcriber, tmp_path: Path) -> None:
    noise = tmp_path / "noise.mp3"
    noise.write_bytes(np.random.default_rng(7).bytes(64 * 1024))

    error = failure(transcriber, noise)

    assert error.code is InputErrorCode.UNDECODABLE
    assert "corrupted" in error.reason


def test_mp3_whose_body_is_corrupted(transcriber: Transcriber, tmp_path: Path) -> None:
    original = (sample("audio/multilingual.mp3")).read_bytes()
    damaged = tmp_path / "damaged.mp3"
    # Keep the ID3 tag and the first frames; the rest is garbage.
    damaged.write_bytes(original[:4096] + np.random.default_rng(1).bytes(len(original) - 4096))

    error = failure(transcriber, damaged)

    assert error.code is InputErrorCode.UNDECODABLE
    assert error.reason.startswith(
        "The file is corrupted or truncated: only 0:00:01 of its 0:01:00"
    )


def test_video_without_an_audio_track(transcriber: Transcriber, tmp_path: Path) -> None:
    video = tmp_path / "silent-film.mp4"
    with av.open(str(video), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(10):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), index * 20, dtype=np.uint8), format="rgb24"
            )
            frame.time_base = Fraction(1, 10)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))

    error = failure(transcriber, video)

    assert error.code is InputErrorCode.NO_AUDIO_STREAM
    assert error.reason == (
        "The file is a video without an audio track; there is nothing to transcribe."
    )


def test_longer_than_the_maximum_duration(transcriber: Transcriber) -> None:
    error = failure(transcriber, sample("audio/jfk.flac"), max_duration_s=5.0)

    assert error.code is InputErrorCode.TOO_LONG
    assert error.reason == (
        "The recording lasts 0:00:11, longer than the allowed maximum of 0:00:05."
    )

"""Errors of the transcription domain."""

from __future__ import annotations

from enum import StrEnum


class InputErrorCode(StrEnum):
    """Why a recording cannot be transcribed: stable codes for metrics and dashboards."""

    EMPTY_FILE = "empty-file"
    UNDECODABLE = "undecodable"
    NO_AUDIO_STREAM = "no-audio-stream"
    TOO_LONG = "too-long"


class TranscriptionInputError(Exception):
    """The recording itself is at fault; retrying cannot help (a permanent error).

    ``reason`` is a sentence a person can read (it becomes the document's failure
    reason); ``code`` is a stable short code.
    """

    def __init__(self, reason: str, code: InputErrorCode) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code

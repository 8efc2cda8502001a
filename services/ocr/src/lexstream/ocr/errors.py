"""The two ways text recovery fails: the file's fault, or the deployment's.

A leaf module: every extractor and the Tesseract engine raise these, and the stage maps them
to a permanent (DLQ, ``documents.failed``) or a transient (retry) error.
"""

from __future__ import annotations


class ExtractionError(Exception):
    """The input cannot be turned into text and it is the file's fault (permanent).

    ``reason`` is written for a person: it ends up in ``documents.failed``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str]]:
        # Raised inside OCR worker processes: keep it picklable with its reason.
        return (type(self), (self.reason,))


class ExtractorUnavailableError(RuntimeError):
    """A tool an extractor needs (LibreOffice, Tesseract data) is missing: not the file's fault."""

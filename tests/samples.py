"""The public sample files (court documents, statutes, recordings), read where they are.

They live beside the project in ``../shared/data`` and are never copied into the repository.
One setting, ``LEXSTREAM_SAMPLE_DATA``, names that folder (default ``../shared/data``,
relative to the repository root). A test that needs a sample which is not there is skipped
with a reason naming the setting; every other test runs as usual.

Files the project makes itself (synthetic PDFs, espeak-ng speech, hostile files) are not
samples: they stay in ``tests/fixtures`` or are generated at test time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

VARIABLE = "LEXSTREAM_SAMPLE_DATA"
REPO_ROOT = Path(__file__).resolve().parents[1]

# The samples the suites use, by their path under the sample folder.
FEDERAL_CIRCUIT_PDF = "legal/us/FederalCircuit-09-1361.pdf"
SCANNED_COURT_PDF = "legal/us/fisc_image_based_snippet.pdf"
GERMAN_GAZETTE_PDF = "legal/de/bgbl-1_2024_107.pdf"
JFK_FLAC = "audio/jfk.flac"
MULTILINGUAL_MP3 = "audio/multilingual.mp3"
STEREO_WAV = "audio/stereo_diarization.wav"


def sample_root() -> Path:
    """The folder holding the public samples (``LEXSTREAM_SAMPLE_DATA``)."""
    configured = os.environ.get(VARIABLE)
    root = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return root if root.is_absolute() else (REPO_ROOT / root)


def _present(relative: str, found: Callable[[Path], bool], what: str) -> Path:
    """``relative`` under the sample folder where ``found`` says it is there; skips the
    calling test (or module) otherwise, naming ``what`` was missing and the setting."""
    path = sample_root() / relative
    if not found(path):
        pytest.skip(
            f"{what} {relative!r} not found under {sample_root()}: "
            f"set {VARIABLE} to the folder holding the shared sample data",
            allow_module_level=True,
        )
    return path


def sample(relative: str) -> Path:
    """The path of one public sample; skips the calling test when it is not there."""
    return _present(relative, Path.is_file, "public sample")


def sample_dir(relative: str) -> Path:
    """A folder of public samples; skips the calling test when it is not there."""
    return _present(relative, Path.is_dir, "public sample folder")


class SampleFolder:
    """Public samples found by file name in a few folders: ``folder / "name.pdf"``.

    The OCR and format tests name documents by file name alone; each name is looked up in
    the given folders of the sample data, and a missing one skips the test.
    """

    def __init__(self, *folders: str) -> None:
        self.folders = folders

    def __truediv__(self, name: str) -> Path:
        for folder in self.folders:
            path = sample_root() / folder / name
            if path.is_file():
                return path
        return sample(f"{self.folders[0]}/{name}")


# The documents the OCR, e-mail, office and HTML tests read by name.
LEGAL_DOCUMENTS = SampleFolder("legal/us", "legal/de", "legal/uk")

"""Fixtures shared by the extraction tests: the labelled legal documents as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.samples import sample_dir

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "legal"


@pytest.fixture(scope="session")
def authored_text() -> dict[str, str]:
    """The authored documents of tests/fixtures/legal/authored, by relative path."""
    root = FIXTURES / "authored"
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in root.rglob("*.txt")
    }


@pytest.fixture(scope="session")
def real_text() -> dict[str, str]:
    """Real plain-text documents from the public samples (LEXSTREAM_SAMPLE_DATA)."""
    root = sample_dir("legal")
    return {
        "us/scotus_fisher_v_ut_slip.txt": (root / "us/scotus_fisher_v_ut_slip.txt").read_text(
            encoding="utf-8"
        ),
        "us/bva_A25084404.txt": (root / "us/bva_A25084404.txt").read_bytes().decode("cp1252"),
        "us/nc_statute_163-230.2.txt": (root / "us/nc_statute_163-230.2.txt").read_text(
            encoding="utf-8"
        ),
    }

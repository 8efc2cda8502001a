"""No public sample file is committed to the project: they are read from LEXSTREAM_SAMPLE_DATA."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from tests.samples import REPO_ROOT, sample_dir


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_no_tracked_file_is_a_copy_of_a_public_sample() -> None:
    samples = sample_dir(".")
    by_digest = {
        _sha256(path): path.relative_to(samples).as_posix()
        for path in samples.rglob("*")
        if path.is_file()
    }
    assert len(by_digest) > 100, f"expected the shared sample set under {samples}"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    copies = {
        name.decode(): by_digest[digest]
        for name in tracked
        if name
        and (REPO_ROOT / name.decode()).is_file()
        and (digest := _sha256(REPO_ROOT / name.decode())) in by_digest
    }
    assert copies == {}, f"copies of public samples are committed: {copies}"

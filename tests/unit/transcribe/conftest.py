"""One Transcriber (offline base model, CPU, int8) shared by the whole session."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexstream.transcribe.engine import Transcriber


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def transcriber(model_cache: Path) -> Transcriber:
    # The default model must load with the Hugging Face hub out of reach.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        return Transcriber(device="cpu", cpu_threads=2, cache_dir=model_cache)

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from lexstream.shared.settings import CommonSettings


class TranscribeSettings(CommonSettings):
    uses_elasticsearch = False  # production asks no search credentials of it
    service_name: str = "transcribe"
    health_port: int = 8092
    model: str = Field(
        default="base-offline",
        description="faster-whisper model: a name (large-v3) or a local folder; "
        "'base-offline' is the base model shipped on PyPI",
    )
    model_cache_dir: Path = Path.home() / ".cache" / "lexstream" / "models"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"
    batch_size: int = 16
    cpu_threads: int = 0
    max_duration_s: float = Field(default=6 * 3600, description="longest accepted recording")
    work_dir: Path | None = None

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from lexstream.shared.settings import CommonSettings


class IngestSettings(CommonSettings):
    service_name: str = "ingest"
    http_host: str = "127.0.0.1"
    http_port: int = 8081
    max_upload_bytes: int = Field(default=2 * 1024**3, description="largest accepted file")
    spool_dir: Path | None = Field(default=None, description="temp folder for uploads in flight")
    inline_max_bytes: int = Field(
        default=8 * 1024 * 1024, description="largest content_base64 accepted on the topic"
    )

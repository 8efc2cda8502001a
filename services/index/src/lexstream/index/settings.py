from __future__ import annotations

from pydantic import Field

from lexstream.shared.settings import CommonSettings


class IndexSettings(CommonSettings):
    service_name: str = "index"
    health_port: int = 8093
    max_content_chars: int = Field(
        default=5_000_000, description="longer text is truncated in the index (and it is recorded)"
    )

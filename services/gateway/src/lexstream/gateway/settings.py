from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from lexstream.shared.settings import CommonSettings


class GatewaySettings(CommonSettings):
    service_name: str = "gateway"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    ingest_url: str = "http://127.0.0.1:8081"
    ingest_timeout_s: float = 600.0
    bootstrap_admin_key: SecretStr | None = Field(
        default=None, description="admin API key for local runs (refused outside development)"
    )
    max_upload_bytes: int = 2 * 1024**3
    presign_expiry_s: int = Field(default=300, ge=10, le=3600)
    max_page_size: int = 100

    @model_validator(mode="after")
    def _bootstrap_key_only_in_development(self) -> Self:
        if self.bootstrap_admin_key is not None and self.environment != "development":
            raise ValueError("LEXSTREAM_BOOTSTRAP_ADMIN_KEY is for local development only")
        if (
            self.bootstrap_admin_key is not None
            and len(self.bootstrap_admin_key.get_secret_value()) < 16
        ):
            raise ValueError("LEXSTREAM_BOOTSTRAP_ADMIN_KEY must be at least 16 characters")
        return self

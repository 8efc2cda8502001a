"""Settings shared by every service: one pydantic-settings class, ``LEXSTREAM_`` prefix.

Each service subclasses :class:`CommonSettings` and builds it in its app factory, never at
import time. Defaults point at the local stack on loopback; secrets have working defaults only
in development.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_S3_ACCESS_KEY = "lexstream"
LOCAL_S3_SECRET_KEY = "lexstream-secret"


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEXSTREAM_", extra="ignore", frozen=True)

    environment: Literal["development", "staging", "production"] = "development"
    service_name: str = "lexstream"
    tenant: str = Field(default="default", description="tenant for documents without one")
    log_level: str = "INFO"

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="lexstream", description="prefix of every topic name")
    kafka_max_poll_interval_ms: int = 30 * 60 * 1000
    kafka_partitions: int = Field(
        default=3, description="partitions of topics this service creates"
    )
    kafka_replication_factor: int = Field(default=1, description="3 in production clusters")

    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = LOCAL_S3_ACCESS_KEY
    s3_secret_key: SecretStr = SecretStr(LOCAL_S3_SECRET_KEY)
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    originals_bucket: str = "lexstream-originals"
    derived_bucket: str = "lexstream-derived"

    elasticsearch_url: str = "http://127.0.0.1:9200"
    elasticsearch_timeout_s: float = 30.0
    index_prefix: str = Field(default="lexstream", description="prefix of index and alias names")

    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP endpoint, e.g. http://collector:4318; unset = no export",
    )

    health_host: str = "127.0.0.1"
    health_port: int = 8090
    retry_attempts: int = Field(default=5, description="attempts for a transient failure")
    retry_max_wait_s: float = 10.0

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Self:
        if self.environment != "development" and (
            self.s3_secret_key.get_secret_value() == LOCAL_S3_SECRET_KEY
        ):
            raise ValueError(
                "LEXSTREAM_S3_SECRET_KEY must be set outside development "
                "(the local default is refused)"
            )
        return self

"""Settings shared by every service: one pydantic-settings class, ``LEXSTREAM_`` prefix.

Each service subclasses :class:`CommonSettings` and builds it in its app factory, never at
import time. Defaults point at the local stack on loopback; secrets have working defaults only
in development. In production a service refuses to start unless Kafka, Elasticsearch and S3
are reached over TLS with credentials (docs/security.md, "Transport security and service
credentials"). Validation errors never echo what was given (``hide_input_in_errors``): a
rejected value may be a secret, and the error ends up in a log.
"""

from __future__ import annotations

from typing import ClassVar, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, FilePath, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL_S3_ACCESS_KEY = "lexstream"
LOCAL_S3_SECRET_KEY = "lexstream-secret"
# The SCRAM password of the local stack's secured Kafka listener (deploy/local/stack.sh).
LOCAL_KAFKA_SASL_PASSWORD = "lexstream-scram-secret"
# Secrets no deployment outside development may use: the local defaults and the usual fillers.
PLACEHOLDER_SECRETS = frozenset(
    {
        LOCAL_S3_SECRET_KEY,
        LOCAL_KAFKA_SASL_PASSWORD,
        "changeme",
        "change-me",
        "changethis",
        "password",
        "secret",
    }
)

#: shortest service token (``LEXSTREAM_INGEST_TOKEN``) accepted outside development
MIN_SERVICE_TOKEN_CHARS = 32

KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"]


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LEXSTREAM_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    # Whether this service talks to Elasticsearch: only then does production require its
    # credentials and TLS (a service without it should not hold search credentials).
    uses_elasticsearch: ClassVar[bool] = True

    environment: Literal["development", "staging", "production"] = "development"
    service_name: str = "lexstream"
    tenant: str = Field(default="default", description="tenant for documents without one")
    log_level: str = "INFO"

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="lexstream", description="prefix of every topic name")
    kafka_max_poll_interval_ms: int = 30 * 60 * 1000
    kafka_heartbeat_interval_ms: int = Field(
        default=1000,
        description="a consumer learns of a rebalance at its next heartbeat (aiokafka: 3 s)",
    )
    kafka_partitions: int = Field(
        default=3, description="partitions of topics this service creates"
    )
    kafka_replication_factor: int = Field(default=1, description="3 in production clusters")
    kafka_security_protocol: KafkaSecurityProtocol = Field(
        default="PLAINTEXT", description="SASL_SSL or SSL (mutual TLS) in production"
    )
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_file: FilePath | None = Field(
        default=None, description="PEM CA bundle for the brokers; unset = the system store"
    )
    kafka_ssl_cert_file: FilePath | None = Field(
        default=None, description="PEM client certificate (mutual TLS), may hold the key too"
    )
    kafka_ssl_key_file: FilePath | None = None
    kafka_ssl_key_password: SecretStr | None = None

    s3_endpoint: str = "127.0.0.1:9000"
    s3_access_key: str = LOCAL_S3_ACCESS_KEY
    s3_secret_key: SecretStr = SecretStr(LOCAL_S3_SECRET_KEY)
    s3_secure: bool = Field(default=False, description="HTTPS to S3; required in production")
    s3_ca_file: FilePath | None = Field(
        default=None, description="PEM CA bundle for S3; unset = SSL_CERT_FILE or certifi"
    )
    s3_region: str = "us-east-1"
    originals_bucket: str = "lexstream-originals"
    derived_bucket: str = "lexstream-derived"

    elasticsearch_url: str = "http://127.0.0.1:9200"
    elasticsearch_timeout_s: float = 30.0
    elasticsearch_username: str | None = None
    elasticsearch_password: SecretStr | None = None
    elasticsearch_api_key: SecretStr | None = Field(
        default=None, description="instead of username and password (the encoded form)"
    )
    elasticsearch_ca_file: FilePath | None = Field(
        default=None, description="PEM CA bundle for an https URL; unset = certifi"
    )
    elasticsearch_verify_certs: bool = Field(
        default=True, description="false only for development; refused in production"
    )
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
    def _credentials_are_complete(self) -> Self:
        problems = []
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            problems.append(
                f"LEXSTREAM_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "LEXSTREAM_KAFKA_SASL_USERNAME and LEXSTREAM_KAFKA_SASL_PASSWORD"
            )
        if self.kafka_ssl_key_file and not self.kafka_ssl_cert_file:
            problems.append("LEXSTREAM_KAFKA_SSL_KEY_FILE needs LEXSTREAM_KAFKA_SSL_CERT_FILE")
        if bool(self.elasticsearch_username) != bool(self.elasticsearch_password):
            problems.append(
                "LEXSTREAM_ELASTICSEARCH_USERNAME and LEXSTREAM_ELASTICSEARCH_PASSWORD go together"
            )
        if self.elasticsearch_username and self.elasticsearch_api_key:
            problems.append(
                "set LEXSTREAM_ELASTICSEARCH_API_KEY or a username and password, not both"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @model_validator(mode="after")
    def _no_default_secrets_outside_development(self) -> Self:
        if self.environment == "development":
            return self
        if self.s3_secret_key.get_secret_value() == LOCAL_S3_SECRET_KEY:
            raise ValueError(
                "LEXSTREAM_S3_SECRET_KEY must be set outside development "
                "(the local default is refused)"
            )
        secrets = {
            "LEXSTREAM_S3_SECRET_KEY": self.s3_secret_key,
            "LEXSTREAM_KAFKA_SASL_PASSWORD": self.kafka_sasl_password,
            "LEXSTREAM_KAFKA_SSL_KEY_PASSWORD": self.kafka_ssl_key_password,
            "LEXSTREAM_ELASTICSEARCH_PASSWORD": self.elasticsearch_password,
            "LEXSTREAM_ELASTICSEARCH_API_KEY": self.elasticsearch_api_key,
        }
        placeholders = [
            name
            for name, secret in secrets.items()
            if secret is not None and secret.get_secret_value().lower() in PLACEHOLDER_SECRETS
        ]
        if placeholders:
            raise ValueError(
                f"{', '.join(placeholders)}: a placeholder or local default is refused "
                "outside development"
            )
        return self

    @model_validator(mode="after")
    def _production_transport_is_secured(self) -> Self:
        """Production reaches Kafka, Elasticsearch and S3 over TLS, with credentials.

        The message names every missing setting at once and never a secret's value.
        """
        if self.environment != "production":
            return self
        missing = []
        if self.kafka_security_protocol not in ("SASL_SSL", "SSL"):
            missing.append(
                "LEXSTREAM_KAFKA_SECURITY_PROTOCOL must be SASL_SSL or SSL "
                f"(is {self.kafka_security_protocol})"
            )
        elif self.kafka_security_protocol == "SSL" and not self.kafka_ssl_cert_file:
            missing.append(
                "LEXSTREAM_KAFKA_SECURITY_PROTOCOL=SSL authenticates by client certificate: "
                "set LEXSTREAM_KAFKA_SSL_CERT_FILE"
            )
        if self.uses_elasticsearch:
            missing += self._elasticsearch_insecurities()
        if not self.s3_secure:
            missing.append("LEXSTREAM_S3_SECURE must be true")
        if missing:
            raise ValueError("production refuses insecure transport: " + "; ".join(missing))
        return self

    def require_service_token(self, token: SecretStr | None, *, refused_because: str) -> None:
        """Refuse a missing, short or placeholder ``LEXSTREAM_INGEST_TOKEN`` outside development.

        Ingest and the gateway hold the one token to the same rule; ``refused_because`` says
        what this service would do wrong without it. The message never echoes the token.
        """
        if self.environment == "development":
            return
        value = token.get_secret_value() if token else ""
        if len(value) < MIN_SERVICE_TOKEN_CHARS or value.lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"LEXSTREAM_INGEST_TOKEN must be set outside development (at least "
                f"{MIN_SERVICE_TOKEN_CHARS} characters, not a placeholder): {refused_because}"
            )

    def _elasticsearch_insecurities(self) -> list[str]:
        missing = []
        if urlsplit(self.elasticsearch_url).scheme != "https":
            missing.append("LEXSTREAM_ELASTICSEARCH_URL must be https://")
        if not self.elasticsearch_verify_certs:
            missing.append("LEXSTREAM_ELASTICSEARCH_VERIFY_CERTS=false is refused")
        if not (self.elasticsearch_api_key or self.elasticsearch_password):
            missing.append(
                "LEXSTREAM_ELASTICSEARCH_API_KEY (or LEXSTREAM_ELASTICSEARCH_USERNAME and "
                "LEXSTREAM_ELASTICSEARCH_PASSWORD) must be set"
            )
        return missing

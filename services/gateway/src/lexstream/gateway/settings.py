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
    search_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="timeout of one Elasticsearch call (seconds)"
    )
    bootstrap_admin_key: SecretStr | None = Field(
        default=None, description="admin API key for local runs (refused outside development)"
    )
    max_upload_bytes: int = 2 * 1024**3
    max_json_bytes: int = Field(default=64 * 1024, description="largest JSON request body")
    presign_expiry_s: int = Field(default=300, ge=10, le=900)
    max_page_size: int = 100

    # OpenID Connect bearer tokens (unset issuer = bearer tokens are refused)
    oidc_issuer: str | None = Field(default=None, description="expected `iss` of bearer tokens")
    oidc_audience: str | None = Field(default=None, description="expected `aud` of bearer tokens")
    oidc_jwks_url: str | None = Field(
        default=None, description="JWKS URL; default <issuer>/.well-known/jwks.json"
    )
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    oidc_leeway_s: int = Field(default=60, ge=0, le=300, description="allowed clock skew")
    oidc_subject_claim: str = "sub"
    oidc_tenant_claim: str = "tenant"
    oidc_roles_claim: str = "roles"
    oidc_admin_role: str = "lexstream-admin"

    # caches of the identity and grant look-ups; writes through this gateway clear them at once
    auth_cache_ttl_s: float = Field(default=5.0, ge=0, le=60)
    last_used_interval_s: float = Field(
        default=60.0, ge=0, description="how often an API key's last-used time is written"
    )

    # per-caller rate limit: a token bucket
    rate_limit_per_s: float = Field(default=50.0, gt=0)
    rate_limit_burst: int = Field(default=100, ge=1)

    audit_flush_interval_s: float = Field(default=0.5, gt=0)

    @model_validator(mode="after")
    def _bootstrap_key_only_in_development(self) -> Self:
        if self.bootstrap_admin_key is not None and self.environment != "development":
            raise ValueError("LEXSTREAM_BOOTSTRAP_ADMIN_KEY is for local development only")
        if (
            self.bootstrap_admin_key is not None
            and len(self.bootstrap_admin_key.get_secret_value()) < 16
        ):
            raise ValueError("LEXSTREAM_BOOTSTRAP_ADMIN_KEY must be at least 16 characters")
        if self.oidc_issuer and not self.oidc_audience:
            raise ValueError("LEXSTREAM_OIDC_AUDIENCE is required when an issuer is configured")
        bad = set(self.oidc_algorithms) - {"RS256", "ES256", "RS384", "ES384", "PS256"}
        if bad:
            raise ValueError(f"unsupported OIDC algorithms: {sorted(bad)}")
        return self

    @property
    def jwks_url(self) -> str | None:
        if self.oidc_jwks_url:
            return self.oidc_jwks_url
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/") + "/.well-known/jwks.json"
        return None

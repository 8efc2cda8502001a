from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from lexstream.shared.settings import CommonSettings


class GatewaySettings(CommonSettings):
    service_name: str = "gateway"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    ingest_url: str = "http://127.0.0.1:8081"
    ingest_timeout_s: float = 600.0
    ingest_token: SecretStr | None = Field(
        default=None,
        description="service credential sent to ingest's internal API (Authorization: Bearer); "
        "the same LEXSTREAM_INGEST_TOKEN ingest is given",
    )
    search_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="timeout of one Elasticsearch call (seconds)"
    )
    bootstrap_admin_key: SecretStr | None = Field(
        default=None, description="admin API key for local runs (refused outside development)"
    )
    max_upload_bytes: int = 2 * 1024**3
    max_json_bytes: int = Field(default=64 * 1024, description="largest JSON request body")
    # slow clients (app.py BodyReadTimeout, __main__.py): a body that stalls gets 408, an idle
    # kept-alive connection is closed, a connection that never finishes its headers too
    body_read_timeout_s: float = Field(
        default=30.0, gt=0, le=600, description="longest wait for the next piece of a body"
    )
    http_keep_alive_s: int = Field(default=5, ge=1, le=120, description="idle keep-alive")
    http_header_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="longest time to receive a request's headers"
    )
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

    # what one caller's searches may cost (limits.py; docs/security.md, "Query cost")
    # 1: under the hostile-mix benchmark (bench/search/README.md) another caller's p50 rose
    # least with 1 (2.0-2.6x; 5.7x with 2, 4.0x with 4, 2-core machine). It holds for every
    # caller of a replica: raise it where callers search in parallel and the cluster has room.
    search_in_flight_per_caller: int = Field(
        default=1, ge=1, le=64, description="searches one caller may have running at once"
    )
    hybrid_search: bool = Field(
        default=True,
        description="fuse a kNN over passage vectors with the lexical query "
        "(LEXSTREAM_HYBRID_SEARCH=false: lexical only, and no embedding model in memory)",
    )
    # linear: on the relevance benchmark's test half nDCG@10 0.687 against 0.599 for rrf (the
    # weight chosen on the dev half; bench/search/README.md)
    search_fusion: Literal["linear", "rrf"] = Field(
        default="linear", description="how hybrid search fuses the lexical and kNN rankings"
    )
    search_lexical_weight: float = Field(
        default=0.2, ge=0.0, le=1.0, description="the lexical ranking's share of a linear blend"
    )
    search_query_timeout_s: float = Field(
        default=5.0, gt=0, le=60, description="Elasticsearch's own time limit for one search"
    )
    query_max_terms: int = Field(default=64, ge=1, le=1024, description="words in one `q`")
    query_max_fuzzy_terms: int = Field(default=3, ge=0, le=50, description="`word~N` in one `q`")
    query_max_prefix_terms: int = Field(default=5, ge=0, le=50, description="`pre*` in one `q`")
    query_min_prefix_chars: int = Field(default=2, ge=1, le=10, description="before a `*`")
    query_max_slop: int = Field(default=20, ge=0, le=100, description='N of `"a b"~N`')
    query_fuzzy_max_expansions: int = Field(default=20, ge=1, le=50)

    # batch search (batch.py, batch_jobs.py): what one job may ask and how many run at once
    batch_max_queries: int = Field(default=1000, ge=1, le=10_000, description="rows of a list")
    batch_max_hits: int = Field(default=100, ge=1, le=1000, description="hits kept per query")
    batch_query_concurrency: int = Field(
        default=2, ge=1, le=16, description="queries of one job searched at once"
    )
    batch_jobs_per_replica: int = Field(
        default=2, ge=1, le=64, description="jobs one gateway runs at once; more wait, queued"
    )
    batch_jobs_per_caller: int = Field(
        default=3, ge=1, le=100, description="unfinished jobs per caller; one more is a 429"
    )
    batch_stale_after_s: float = Field(
        default=60.0, gt=0, description="a job whose gateway wrote no progress this long failed"
    )

    # failed authentications per client address, checked before any key look-up
    auth_failures_per_s: float = Field(default=1.0, gt=0)
    auth_failure_burst: int = Field(default=50, ge=1)

    # the audit trail (audit.py): a bounded backlog in memory, drained off the request path
    audit_flush_interval_s: float = Field(default=0.5, gt=0)
    audit_max_backlog: int = Field(
        default=100_000, ge=1, description="entries held at most; beyond it requests get 503"
    )
    audit_ready_max_backlog: int = Field(
        default=5_000, ge=1, description="readiness turns not-ready above this backlog"
    )
    audit_ready_max_delay_s: float = Field(
        default=30.0, gt=0, description="not-ready when waiting entries made no progress this long"
    )
    audit_publish_timeout_s: float = Field(default=10.0, gt=0, description="one Kafka batch")
    audit_read_wait_s: float = Field(
        default=2.0, ge=0, description="how long GET /v1/audit waits for entries just recorded"
    )
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list,
        description="CIDRs of reverse proxies whose X-Forwarded-For is believed (comma-separated)",
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated_networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            return [ip_network(part, strict=False) for part in parts if part]
        return value

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

    @model_validator(mode="after")
    def _ingest_token_outside_development(self) -> Self:
        """Without the token every upload would end in ingest's 401: refuse to start instead
        (ingest refuses to start without it likewise; issue 13, finding 7)."""
        self.require_service_token(
            self.ingest_token, refused_because="ingest's upload API refuses the gateway without it"
        )
        return self

    @property
    def jwks_url(self) -> str | None:
        if self.oidc_jwks_url:
            return self.oidc_jwks_url
        if self.oidc_issuer:
            return self.oidc_issuer.rstrip("/") + "/.well-known/jwks.json"
        return None

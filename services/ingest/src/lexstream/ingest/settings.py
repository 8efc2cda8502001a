from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from lexstream.shared.settings import CommonSettings


class ImapAccountSetting(BaseModel):
    """One mailbox ingest polls: each folder's new messages go into its matter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str
    port: int = Field(default=993, ge=1, le=65535)
    user: str
    password: SecretStr
    folders: dict[str, str] = Field(
        min_length=1, description='IMAP folder -> matter id, e.g. {"Smith v Jones": "M-1"}'
    )
    ssl: bool = Field(default=True, description="IMAPS (TLS); false for a loopback test server")
    batch: int = Field(default=200, ge=1, description="most messages taken per folder and poll")


class IngestSettings(CommonSettings):
    uses_elasticsearch = True  # it reads the matters registry (lexstream.shared.matters)
    service_name: str = "ingest"
    http_host: str = "127.0.0.1"
    http_port: int = 8081
    max_upload_bytes: int = Field(default=2 * 1024**3, description="largest accepted file")
    spool_dir: Path | None = Field(default=None, description="temp folder for uploads in flight")
    io_threads: int = Field(
        default=32, ge=1, description="threads for blocking S3 calls (uploads in flight)"
    )
    put_while_receiving: bool = Field(
        default=False,
        description="put an upload that declares its sha256 (Repr-Digest) to S3 while it "
        "arrives instead of after; pays off only where ingest and S3 have cores to spare "
        "(bench/ingest: slower on a 2-core machine running both)",
    )
    inline_max_bytes: int = Field(
        default=8 * 1024 * 1024, description="largest content_base64 accepted on the topic"
    )
    adopt_buckets: list[str] = Field(
        default_factory=list,
        description="buckets whose objects are adopted in place (by reference) instead of "
        "copied into the originals bucket",
    )
    s3_events_topic: str | None = Field(
        default=None,
        description="topic MinIO publishes bucket notifications to "
        "(default <prefix>.storage.events.v1)",
    )
    inbox_buckets: list[str] = Field(
        default_factory=list,
        description="buckets whose object-created events become documents (empty: any bucket "
        "but the originals and derived ones)",
    )
    upstream_buckets: list[str] = Field(
        default_factory=list,
        description="buckets an upstream submission's object_uri may name, besides the inbox "
        "and adopt buckets; the originals and derived buckets are never accepted",
    )
    ingest_token: SecretStr | None = Field(
        default=None,
        description="service credential the gateway sends to the internal upload API "
        "(Authorization: Bearer); required outside development",
    )
    matter_cache_ttl_s: float = Field(
        default=5.0, ge=0, description="how long a matter's existence and status are cached"
    )
    claim_lease_s: float = Field(
        default=120.0,
        gt=0,
        description="how long a submission claimed by another replica is waited for before "
        "it is taken over (that replica died half-way)",
    )
    zip_max_depth: int = Field(
        default=3, ge=0, description="containers nested deeper than this are not expanded"
    )
    zip_max_members: int = Field(default=1000, ge=1, description="most files in one ZIP")
    zip_max_total_bytes: int = Field(
        default=2 * 1024**3, ge=1, description="largest expanded size of one ZIP"
    )
    zip_max_ratio: float = Field(
        default=100.0, gt=1, description="largest expanded/compressed ratio of a ZIP or member"
    )
    zip_ratio_min_bytes: int = Field(
        default=1024 * 1024,
        description="members smaller than this are not held to the ratio (tiny files compress "
        "well legitimately)",
    )

    imap_accounts: list[ImapAccountSetting] = Field(
        default_factory=list,
        description="mailboxes to poll (JSON list in LEXSTREAM_IMAP_ACCOUNTS); each new message "
        "becomes an .eml document in its folder's matter, marked $LexstreamIngested, resumable "
        "by UID (state under _ingest/imap/ in the derived bucket)",
    )
    imap_poll_interval_s: float = Field(
        default=60.0, gt=0, description="seconds between two polls of each mailbox"
    )

    @model_validator(mode="after")
    def _token_outside_development(self) -> Self:
        self.require_service_token(
            self.ingest_token, refused_because="the upload API takes documents into any matter"
        )
        return self

    def object_buckets(self) -> frozenset[str]:
        """Buckets whose objects a submission may name: never lexstream's own."""
        named = {*self.upstream_buckets, *self.inbox_buckets, *self.adopt_buckets}
        return frozenset(named - {self.originals_bucket, self.derived_bucket})

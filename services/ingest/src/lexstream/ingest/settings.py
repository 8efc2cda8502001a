from __future__ import annotations

from pathlib import Path

from pydantic import Field

from lexstream.shared.settings import CommonSettings


class IngestSettings(CommonSettings):
    uses_elasticsearch = False  # production asks no search credentials of it
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
        description="buckets whose object-created events become documents (empty: any bucket)",
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

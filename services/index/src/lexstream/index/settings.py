from __future__ import annotations

from pydantic import Field

from lexstream.shared.settings import CommonSettings


class IndexSettings(CommonSettings):
    service_name: str = "index"
    health_port: int = 8093
    max_content_chars: int = Field(
        default=5_000_000, description="longer text is truncated in the index (and it is recorded)"
    )
    max_page_chars: int = Field(
        default=1_000_000,
        description="longer pages are truncated (Elasticsearch highlights at most 1M characters)",
    )
    max_nested: int = Field(
        default=9_000,
        description="pages or segments kept per document (Elasticsearch's nested limit is 10,000)",
    )
    batch_max_docs: int = Field(
        default=100, ge=1, description="events consumed and written in one batch at most"
    )
    batch_timeout_ms: int = Field(
        default=200, ge=1, description="how long a batch waits to fill before it is written"
    )
    bulk_max_bytes: int = Field(
        default=16 * 1024 * 1024, ge=1024, description="upper bound of one _bulk request body"
    )
    bulk_retry_attempts: int = Field(
        default=6, ge=1, description="attempts for items Elasticsearch rejects with 429/5xx"
    )
    bulk_retry_max_wait_s: float = Field(default=10.0, description="cap of the bulk backoff")
    prepare_concurrency: int = Field(
        default=8, ge=1, description="text.json reads and extractions in flight per batch"
    )
    embeddings: bool = Field(
        default=True,
        description="embed passages for hybrid search (LEXSTREAM_EMBEDDINGS=false turns it "
        "off: search is then lexical only); on 2 cores it costs ~32 passages/s, added after "
        "a batch is searchable by its words, and doubles the index size per page",
    )

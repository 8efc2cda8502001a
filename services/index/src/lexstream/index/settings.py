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
    # Near-duplicate groups (lexstream.index.neardup, neardup_groups); like Purview's
    # similarityThreshold and minWords. A change of threshold or shingle size changes the band
    # keys' scheme: documents signed before it group again after ``rerun --all``.
    near_duplicates: bool = Field(
        default=True, description="sign documents and group near-duplicates"
    )
    near_duplicate_threshold: float = Field(
        default=0.5,
        gt=0.0,
        lt=1.0,
        description="estimated Jaccard similarity of word shingles at or above which two "
        "documents are near-duplicates",
    )
    near_duplicate_min_words: int = Field(
        default=50, ge=1, description="shorter texts (normalised words) get no signature"
    )
    near_duplicate_shingle_words: int = Field(
        default=3, ge=1, le=10, description="words per shingle"
    )
    near_duplicate_max_candidates: int = Field(
        default=50, ge=1, le=1000, description="LSH candidates verified per document"
    )
    near_duplicate_max_group: int = Field(
        default=1000, ge=1, le=10_000, description="members moved at most by one group merge"
    )

"""Every event of the pipeline (v1) and the topic names.

Events are frozen, carry references (never bytes) and are keyed by ``document_id`` so one
document's events stay in order within a topic. A version only grows by optional fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lexstream.shared.ids import new_event_id

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


class Topics:
    """Topic names ``<prefix>.<domain>.<event>.v<N>``; the prefix is configuration."""

    def __init__(self, prefix: str = "lexstream") -> None:
        self.prefix = prefix

    def _name(self, domain: str, event: str, version: int = 1) -> str:
        return f"{self.prefix}.{domain}.{event}.v{version}"

    @property
    def submitted(self) -> str:
        return self._name("documents", "submitted")

    @property
    def stored(self) -> str:
        return self._name("documents", "stored")

    @property
    def ocr_requested(self) -> str:
        return self._name("ocr", "requested")

    @property
    def transcribe_requested(self) -> str:
        return self._name("transcribe", "requested")

    @property
    def text_extracted(self) -> str:
        return self._name("text", "extracted")

    @property
    def transcript_ready(self) -> str:
        return self._name("transcript", "ready")

    @property
    def progress(self) -> str:
        return self._name("documents", "progress")

    @property
    def indexed(self) -> str:
        return self._name("documents", "indexed")

    @property
    def failed(self) -> str:
        return self._name("documents", "failed")

    @property
    def moved(self) -> str:
        return self._name("documents", "moved")

    @property
    def s3_events(self) -> str:
        return self._name("storage", "events")

    @property
    def audit(self) -> str:
        return self._name("audit", "events")

    @staticmethod
    def dlq(topic: str) -> str:
        return f"{topic}.dlq"

    def all(self) -> list[str]:
        return [
            self.submitted,
            self.stored,
            self.ocr_requested,
            self.transcribe_requested,
            self.text_extracted,
            self.transcript_ready,
            self.progress,
            self.indexed,
            self.failed,
            self.moved,
            self.s3_events,
            self.audit,
        ]


class Stage(StrEnum):
    INGEST = "ingest"
    OCR = "ocr"
    TRANSCRIBE = "transcribe"
    INDEX = "index"


class DocumentStatus(StrEnum):
    RECEIVED = "received"
    STORED = "stored"
    EXTRACTING = "extracting"
    TRANSCRIBING = "transcribing"
    INDEXED = "indexed"
    FAILED = "failed"


class ObjectRef(BaseModel):
    """A claim check: where the bytes are."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def parse(cls, uri: str) -> ObjectRef:
        if not uri.startswith("s3://"):
            raise ValueError(f"not an s3:// URI: {uri!r}")
        bucket, _, key = uri.removeprefix("s3://").partition("/")
        if not bucket or not key:
            raise ValueError(f"an s3:// URI needs a bucket and a key: {uri!r}")
        return cls(bucket=bucket, key=key)


class Hints(BaseModel):
    """What the submitter told us; extraction may confirm or override it."""

    model_config = ConfigDict(frozen=True)

    language: str | None = Field(default=None, description="ISO 639-1 language hint")
    jurisdiction: str | None = Field(default=None, description="jurisdiction path hint, e.g. EU/DE")
    initial_prompt: str | None = Field(
        default=None, description="text that primes transcription (names, terms of the matter)"
    )
    hotwords: str | None = Field(
        default=None, description="words transcription should favour (parties, counsel)"
    )
    channels: str | None = Field(
        default=None,
        description="who speaks on which channel of a recording: '1:the court,2:Ms. Hale'",
    )


class Provenance(BaseModel):
    """Where a document came from."""

    model_config = ConfigDict(frozen=True)

    intake: Literal["http", "topic", "s3-event", "imap", "container", "attachment"]
    source: str | None = Field(default=None, description="upstream system name")
    external_id: str | None = Field(default=None, description="the upstream system's id")
    uploader: str | None = None
    received_at: datetime = Field(default_factory=utcnow)


class Event(BaseModel):
    """The envelope every pipeline event carries."""

    model_config = ConfigDict(frozen=True)

    event_type: ClassVar[str] = "event"

    event_id: str = Field(default_factory=new_event_id)
    schema_version: int = Field(default=SCHEMA_VERSION, description="version of this event schema")
    occurred_at: datetime = Field(default_factory=utcnow)
    document_id: str
    tenant: str = "default"
    matter_id: str | None = None
    parent_document_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_schema_version(cls, data: Any) -> Any:
        if isinstance(data, dict):
            version = data.get("schema_version", SCHEMA_VERSION)
            if version != SCHEMA_VERSION:
                raise ValueError(f"unsupported schema_version {version!r} (this service reads 1)")
        return data

    @property
    def type(self) -> str:
        return self.event_type

    def envelope(self) -> dict[str, str | None]:
        """The fields an event about the same document carries on (for follow-up events)."""
        return {
            "document_id": self.document_id,
            "tenant": self.tenant,
            "matter_id": self.matter_id,
            "parent_document_id": self.parent_document_id,
        }

    def model_dump_event(self) -> dict[str, Any]:
        payload = self.model_dump(mode="json")
        payload["event_type"] = self.event_type
        return payload


class DocumentStored(Event):
    event_type: ClassVar[str] = "documents.stored"

    original: ObjectRef
    sha256: str
    size: int
    media_type: str = Field(description="media type sniffed from the bytes")
    declared_media_type: str | None = None
    filename: str
    hints: Hints = Hints()
    provenance: Provenance
    route: Literal["ocr", "transcribe", "container"] = Field(
        description="where the document goes next; a container (ZIP) is expanded by ingest"
    )
    duplicate_of: str | None = Field(
        default=None,
        description="set when a submission with an external id of its own brought bytes the "
        "matter already holds: it is that document (the same id as document_id), announced "
        "with the submission's provenance so its submitter learns the id; nothing is "
        "processed again",
    )


class ExtractionRequested(Event):
    """Shared shape of ``ocr.requested`` and ``transcribe.requested``."""

    original: ObjectRef
    media_type: str
    filename: str
    hints: Hints = Hints()


class OcrRequested(ExtractionRequested):
    event_type: ClassVar[str] = "ocr.requested"


class TranscribeRequested(ExtractionRequested):
    event_type: ClassVar[str] = "transcribe.requested"


class TextExtracted(Event):
    event_type: ClassVar[str] = "text.extracted"

    text: ObjectRef = Field(description="text.json in the derived bucket")
    media_type: str
    filename: str
    pages: int
    language: str | None = None
    hints: Hints = Hints()
    extractor: str
    warnings: list[str] = Field(default_factory=list)


class TranscriptReady(Event):
    event_type: ClassVar[str] = "transcript.ready"

    transcript: ObjectRef = Field(description="transcript.json in the derived bucket")
    vtt: ObjectRef
    srt: ObjectRef
    media_type: str
    filename: str
    duration: float
    language: str | None = None
    hints: Hints = Hints()
    model: str
    device: str


class DocumentProgress(Event):
    """A stage started or made progress (shown in the status record)."""

    event_type: ClassVar[str] = "documents.progress"

    stage: Stage
    status: DocumentStatus
    fraction: float | None = Field(default=None, ge=0.0, le=1.0)
    detail: str | None = None
    service_version: str | None = None


class DocumentIndexed(Event):
    event_type: ClassVar[str] = "documents.indexed"

    index: str
    extractor_version: str


class DocumentFailed(Event):
    event_type: ClassVar[str] = "documents.failed"

    stage: Stage
    reason: str = Field(description="why, in words a person can read")
    error_type: str
    filename: str | None = None
    provenance: Provenance | None = None


class DocumentMoved(Event):
    """A document was moved to another matter through the gateway, after its access checks.

    The index owns the status record and the search documents, so it applies the move: to
    the document and to its attachments (children), and from then on keeps the new matter
    when an older event about the document is replayed.
    """

    event_type: ClassVar[str] = "documents.moved"

    matter_id: str = Field(description="the matter the document moves to")
    from_matter_id: str | None = Field(
        default=None, description="the matter it leaves (none: it had no matter)"
    )
    moved_by: str = Field(description="the subject who moved it, as the audit trail names it")


class DocumentSubmitted(BaseModel):
    """The upstream contract on ``lexstream.documents.submitted.v1`` (no envelope of ours)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    source: str = Field(min_length=1, description="the upstream system")
    external_id: str = Field(min_length=1, description="the upstream system's id for the file")
    filename: str = Field(min_length=1)
    object_uri: str | None = Field(default=None, description="s3://bucket/key of the bytes")
    content_base64: str | None = Field(default=None, description="the bytes, for small files")
    matter_id: str | None = None
    tenant: str | None = None
    jurisdiction: str | None = None
    language: str | None = None
    media_type: str | None = Field(default=None, description="declared media type")
    uploader: str | None = Field(default=None, description="who submitted it upstream")
    parent_document_id: str | None = Field(
        default=None,
        description="set by lexstream itself for a file found inside another document "
        "(an e-mail attachment handed back by ocr): it becomes a child document",
    )

    @model_validator(mode="after")
    def _exactly_one_payload(self) -> DocumentSubmitted:
        if (self.object_uri is None) == (self.content_base64 is None):
            raise ValueError("a submission needs exactly one of object_uri or content_base64")
        return self


class StorageEventNotification(BaseModel):
    """An S3 bucket notification (MinIO's Kafka target, AWS's event format) on the storage
    events topic. It is the object store's format, not ours: only ``ObjectCreated:*`` records
    are read (bucket name, object key, etag, ``x-amz-meta-*`` user metadata)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    EventName: str | None = Field(default=None, description="e.g. s3:ObjectCreated:Put")
    Key: str | None = Field(default=None, description="<bucket>/<object key>")
    Records: list[dict[str, Any]] = Field(
        description="event records: eventName, s3.bucket.name, s3.object.key/eTag/userMetadata"
    )


class AuditRecorded(BaseModel):
    """One audit entry: who searched, viewed or downloaded what, when and from where.

    The gateway writes each to its audit index and to the audit topic (at least once: a
    consumer counts entries by ``event_id``); ``GET /v1/audit`` answers them.
    """

    model_config = ConfigDict(frozen=True)

    event_id: str
    at: str = Field(
        json_schema_extra={"format": "date-time"}, description="ISO 8601 time of the request"
    )
    tenant: str
    subject: str | None = None
    key_id: str | None = Field(default=None, description="the API key, when one was used")
    action: str = Field(description="search, view, text, transcript, download, move, ...")
    document_id: str | None = None
    matter_id: str | None = None
    status_code: int
    client_ip: str | None = Field(default=None, description="the client, via trusted proxies")
    peer_ip: str | None = Field(default=None, description="the connection's own address")
    forwarded_for: str | None = None
    user_agent: str | None = None
    query: dict[str, Any] | None = Field(default=None, description="the request's parameters")
    hits: int | None = None

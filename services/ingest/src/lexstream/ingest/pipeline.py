"""The one pipeline behind every intake path: dedup, store by content, route, announce.

Nothing here knows HTTP or which topic a submission came from; callers hand over a file on
local disk with its sha256 and what the submitter said about it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from lexstream.ingest.filenames import sanitize_filename
from lexstream.ingest.sniff import route_for, sniff_media_type
from lexstream.shared import __version__
from lexstream.shared.events import (
    DocumentFailed,
    DocumentStored,
    Event,
    Hints,
    ObjectRef,
    OcrRequested,
    Provenance,
    Stage,
    Topics,
    TranscribeRequested,
)
from lexstream.shared.ids import new_document_id
from lexstream.shared.storage import ObjectStore, derived_key, original_key

log = logging.getLogger(__name__)

Publish = Callable[[str, Event], Awaitable[None]]


@dataclass(frozen=True)
class Submission:
    """A file on local disk and what its submitter said about it."""

    path: Path
    sha256: str
    size: int
    filename: str | None
    provenance: Provenance
    tenant: str
    matter_id: str | None = None
    declared_media_type: str | None = None
    hints: Hints = field(default_factory=Hints)
    parent_document_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    document_id: str
    status: str  # "stored", "duplicate" or "failed"
    reason: str | None = None


def _key_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


class IngestPipeline:
    def __init__(self, store: ObjectStore, topics: Topics, publish: Publish) -> None:
        self.store = store
        self.topics = topics
        self.publish = publish

    def _submission_ref(self, sub: Submission) -> ObjectRef | None:
        if not sub.provenance.external_id:
            return None
        digest = _key_hash(sub.tenant, sub.provenance.source, sub.provenance.external_id)
        return ObjectRef(bucket=self.store.derived, key=f"_ingest/submissions/{digest}.json")

    def _content_ref(self, sub: Submission) -> ObjectRef:
        digest = _key_hash(sub.tenant, sub.matter_id, sub.sha256, sub.parent_document_id)
        return ObjectRef(bucket=self.store.derived, key=f"_ingest/content/{digest}.json")

    async def _existing(self, ref: ObjectRef | None) -> str | None:
        if ref is None or not await self.store.exists(ref):
            return None
        record = await self.store.get_json(ref)
        document_id = record.get("document_id") if isinstance(record, dict) else None
        return document_id if isinstance(document_id, str) else None

    async def ingest(self, sub: Submission) -> Outcome:
        """Store and route one submission; the same submission twice gives the same id."""
        submission_ref = self._submission_ref(sub)
        content_ref = self._content_ref(sub)
        for ref in (submission_ref, content_ref):
            existing = await self._existing(ref)
            if existing:
                log.info("duplicate submission", extra={"document_id": existing})
                return Outcome(existing, "duplicate")

        document_id = new_document_id()
        filename = sanitize_filename(sub.filename)
        envelope = {
            "document_id": document_id,
            "tenant": sub.tenant,
            "matter_id": sub.matter_id,
            "parent_document_id": sub.parent_document_id,
        }
        if sub.size == 0:
            return await self._fail(
                sub, envelope, filename, "the file is empty (0 bytes)", "EmptyFile"
            )

        media_type = sniff_media_type(sub.path)
        route = route_for(media_type)
        original = ObjectRef(bucket=self.store.originals, key=original_key(sub.sha256))
        if not await self.store.exists(original):
            await self.store.put_file(
                original,
                sub.path,
                content_type=media_type,
                metadata={"sniffed-media-type": media_type, "sha256": sub.sha256},
            )
        record = {
            **envelope,
            "filename": filename,
            "original": original.uri,
            "sha256": sub.sha256,
            "size": sub.size,
            "media_type": media_type,
            "declared_media_type": sub.declared_media_type,
            "media_type_mismatch": bool(
                sub.declared_media_type and sub.declared_media_type != media_type
            ),
            "provenance": sub.provenance.model_dump(mode="json"),
            "ingest_version": __version__,
        }
        await self.store.put_json(
            ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "document.json")),
            record,
        )
        if route is None:
            reason = f"unsupported media type {media_type} (detected from the content)"
            return await self._fail(sub, envelope, filename, reason, "UnsupportedMediaType")

        stored = DocumentStored(
            **envelope,
            original=original,
            sha256=sub.sha256,
            size=sub.size,
            media_type=media_type,
            declared_media_type=sub.declared_media_type,
            filename=filename,
            hints=sub.hints,
            provenance=sub.provenance,
            route=route,
        )
        await self.publish(self.topics.stored, stored)
        request_type = OcrRequested if route == "ocr" else TranscribeRequested
        request = request_type(
            **envelope, original=original, media_type=media_type, filename=filename, hints=sub.hints
        )
        topic = self.topics.ocr_requested if route == "ocr" else self.topics.transcribe_requested
        await self.publish(topic, request)
        # Written last: a retry after a failed publish must not find a half-announced document.
        await self._remember(document_id, submission_ref, content_ref)
        return Outcome(document_id, "stored")

    async def _remember(
        self, document_id: str, submission_ref: ObjectRef | None, content_ref: ObjectRef
    ) -> None:
        for ref in (submission_ref, content_ref):
            if ref is not None:
                await self.store.put_json(ref, {"document_id": document_id})

    async def _fail(
        self,
        sub: Submission,
        envelope: dict[str, str | None],
        filename: str,
        reason: str,
        error_type: str,
    ) -> Outcome:
        document_id = envelope["document_id"]
        assert document_id is not None
        failed = DocumentFailed(
            document_id=document_id,
            tenant=sub.tenant,
            matter_id=sub.matter_id,
            parent_document_id=sub.parent_document_id,
            stage=Stage.INGEST,
            reason=reason,
            error_type=error_type,
            filename=filename,
            provenance=sub.provenance,
        )
        await self.publish(self.topics.failed, failed)
        await self._remember(document_id, self._submission_ref(sub), self._content_ref(sub))
        return Outcome(document_id, "failed", reason)

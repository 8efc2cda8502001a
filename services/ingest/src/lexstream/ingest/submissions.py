"""The topic intake stage: upstream submissions, S3 bucket events and stored containers.

Each method takes a decoded message and ends in the one pipeline (:mod:`.pipeline`): fetch the
bytes a submission names (an S3 object or inline base64) into a spool file, then store and
route them. Nothing here knows Kafka; the handlers (:mod:`.handlers`) decode and call in, and
the stage runner turns a :class:`PermanentError` into the DLQ and a failure event.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any, Literal

from pydantic import ValidationError

from lexstream.ingest.intake import parse_s3_event, spool_base64, spool_object, submission_from_s3
from lexstream.ingest.pipeline import IngestPipeline, Submission
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import DocumentStored, DocumentSubmitted, Hints, ObjectRef, Provenance
from lexstream.shared.kafka import describe_validation_error
from lexstream.shared.storage import ObjectStore, sha256_file

log = logging.getLogger(__name__)

Intake = Literal["topic", "s3-event", "attachment"]


def _str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


class SubmissionStage:
    def __init__(self, settings: IngestSettings, store: ObjectStore, pipeline: IngestPipeline):
        self.settings = settings
        self.store = store
        self.pipeline = pipeline

    async def submitted(self, data: Any) -> None:
        """An upstream submission (or an e-mail attachment that ocr hands back). One that is
        invalid but names ``source`` + ``external_id`` still ends as a failed document."""
        if not isinstance(data, dict):
            raise PermanentError(
                "a submission must be a JSON object", error_type="InvalidSubmission"
            )
        try:
            sub = DocumentSubmitted.model_validate(data)
        except ValidationError as exc:
            reason = describe_validation_error(DocumentSubmitted, exc)
            if _str(data, "source") and _str(data, "external_id"):
                await self.pipeline.fail(self._unreadable(data), None, reason, "InvalidSubmission")
            raise PermanentError(reason, error_type="InvalidSubmission") from exc
        await self.ingest_reference(sub, "attachment" if sub.parent_document_id else "topic")

    def _unreadable(self, data: dict[str, Any]) -> Submission:
        """A submission readable enough to name a document, with no file."""
        return Submission(
            path=None,
            sha256="",
            size=0,
            filename=_str(data, "filename"),
            provenance=Provenance(
                intake="topic",
                source=_str(data, "source"),
                external_id=_str(data, "external_id"),
                uploader=_str(data, "uploader"),
            ),
            tenant=_str(data, "tenant") or self.settings.tenant,
            matter_id=_str(data, "matter_id"),
            parent_document_id=_str(data, "parent_document_id"),
        )

    async def s3_event(self, data: Any) -> None:
        """A bucket notification: each object created in an inbox bucket is a document. Every
        record is tried; the first permanent failure is raised after the others."""
        first_error: PermanentError | None = None
        own = {self.settings.originals_bucket, self.settings.derived_bucket}
        for record in parse_s3_event(data):
            inboxes = self.settings.inbox_buckets
            if (inboxes and record.bucket not in inboxes) or record.bucket in own:
                log.info("s3 event for a bucket that is no inbox", extra={"bucket": record.bucket})
                continue
            try:
                await self.ingest_reference(submission_from_s3(record), "s3-event")
            except PermanentError as exc:
                first_error = first_error or exc
        if first_error is not None:
            raise first_error

    async def stored(self, event: DocumentStored) -> None:
        """Expand a stored container (ZIP) into child documents; other documents are not ours,
        nor is a later submission of a stored container's bytes (``duplicate_of``)."""
        if event.route == "container" and event.duplicate_of is None:
            await self.pipeline.expand(event)

    async def _check_object(self, meta: Submission, ref: ObjectRef) -> None:
        """Only objects of the configured upstream, inbox and adopt buckets are read, never
        lexstream's own: an object_uri into the derived bucket copied another matter's text
        into a matter of the sender's choice (issue 13, finding 7). The one exception is an
        e-mail attachment ocr hands back (``<parent>/attachments/...`` in the derived bucket),
        accepted for that parent only and into the parent's own tenant and matter."""
        if ref.bucket in self.settings.object_buckets():
            return
        parent = meta.parent_document_id
        if (
            parent
            and ref.bucket == self.settings.derived_bucket
            and ref.key.startswith(f"{parent}/attachments/")
        ):
            record = await self.pipeline.document_record(parent)
            if record and (record.get("tenant"), record.get("matter_id")) == (
                meta.tenant,
                meta.matter_id,
            ):
                return
            raise PermanentError(
                f"object_uri {ref.uri}: an attachment goes to its parent's tenant and matter",
                error_type="ForbiddenObjectUri",
            )
        raise PermanentError(
            f"object_uri {ref.uri} is not in a bucket ingest accepts submissions from "
            "(LEXSTREAM_UPSTREAM_BUCKETS, LEXSTREAM_INBOX_BUCKETS or LEXSTREAM_ADOPT_BUCKETS)",
            error_type="ForbiddenObjectUri",
        )

    async def ingest_reference(self, sub: DocumentSubmitted, intake: Intake) -> None:
        """A submission by reference or inline: fetch the bytes, then the one pipeline."""
        depth = 0
        if sub.parent_document_id:
            depth = await self.pipeline.parent_depth(sub.parent_document_id) + 1
        meta = Submission(
            path=None,
            sha256="",
            size=0,
            filename=sub.filename,
            provenance=Provenance(
                intake=intake, source=sub.source, external_id=sub.external_id, uploader=sub.uploader
            ),
            tenant=sub.tenant or self.settings.tenant,
            matter_id=sub.matter_id,
            declared_media_type=sub.media_type,
            hints=Hints(language=sub.language, jurisdiction=sub.jurisdiction),
            parent_document_id=sub.parent_document_id,
            depth=depth,
        )
        adopted: ObjectRef | None = None
        settings = self.settings
        try:
            await self.pipeline.admit(meta.tenant, meta.matter_id)
            if sub.content_base64 is not None:
                path, sha256, size = await asyncio.to_thread(
                    spool_base64, sub.content_base64, settings.spool_dir, settings.inline_max_bytes
                )
            else:
                assert sub.object_uri is not None
                try:
                    ref = ObjectRef.parse(sub.object_uri)
                except ValueError as exc:
                    raise PermanentError(str(exc), error_type="InvalidObjectUri") from exc
                if intake != "s3-event":  # an inbox event was checked against the inboxes
                    await self._check_object(meta, ref)
                path = await spool_object(self.store, ref, settings.spool_dir)
                sha256 = await asyncio.to_thread(sha256_file, path)
                size = path.stat().st_size
                if ref.bucket in settings.adopt_buckets:
                    adopted = ref
        except PermanentError as exc:
            await self.pipeline.fail(meta, None, exc.reason, exc.error_type)
            raise
        try:
            await self.pipeline.ingest(
                replace(meta, path=path, sha256=sha256, size=size, adopted=adopted)
            )
        finally:
            path.unlink(missing_ok=True)

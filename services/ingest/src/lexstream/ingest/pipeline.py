"""The one pipeline behind every intake path: dedup, store by content, route, announce.

Nothing here knows HTTP or which topic a submission came from; callers hand over a file on
local disk with its sha256 and what the submitter said about it.

Idempotence: two small records in the derived bucket remember which document a submission
became - one keyed by ``tenant + source + external_id`` (+ parent and member for children),
one by ``tenant + matter + sha256`` (+ parent). They are written *pending* before the first
event is published and final after the last, so a retry after a failure half-way finds the
pending record and does the work again under the same document id (the original is
content-addressed, so storing it twice is one object; every handler is idempotent by document
id). A record of a *failed* document does not short-circuit either: the same submission again
(a DLQ replay after the missing object was uploaded, say) is processed again under the same
document id.

Concurrent duplicates: two submissions with the same idempotence record arriving at the same
instant (a client retrying before its first request answered, two uploads of one file into one
matter) are taken one after the other within a process (a lock per record key), so the second
finds the first's pending record and answers with its document id. Across several ingest
replicas the records are still written last-writer-wins (S3 has no compare-and-set that every
S3-API server honours); the pipeline's handlers are idempotent by document id either way.

Containers: a ZIP is checked against the limits when it arrives (central directory) and
stored with route ``container``; ingest's own consumer of ``documents.stored`` expands it
(:meth:`IngestPipeline.expand`): each file becomes a child document with
``parent_document_id``, and the container itself gets a small ``text.json`` listing its
files, announced as ``text.extracted``, so that it ends ``indexed`` and is found by the names
of its files.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lexstream.ingest.containers import (
    ContainerError,
    ExtractedMember,
    ZipLimits,
    extract_members,
    inspect_zip,
)
from lexstream.ingest.filenames import sanitize_filename
from lexstream.ingest.sniff import route_for, sniff_media_type
from lexstream.shared import __version__
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import (
    DocumentFailed,
    DocumentStored,
    Event,
    Hints,
    ObjectRef,
    OcrRequested,
    Provenance,
    Stage,
    TextExtracted,
    Topics,
    TranscribeRequested,
)
from lexstream.shared.ids import new_document_id
from lexstream.shared.storage import ObjectStore, derived_key, original_key

log = logging.getLogger(__name__)

Publish = Callable[[str, Event], Awaitable[None]]

CONTAINER_EXTRACTOR = f"lexstream-ingest/{__version__} container listing"
#: originals up to this size are put without a lookup first (one request instead of two)
PUT_WITHOUT_LOOKUP_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Submission:
    """A file on local disk (``path`` None: none could be obtained) and what was said about it."""

    path: Path | None
    sha256: str
    size: int
    filename: str | None
    provenance: Provenance
    tenant: str
    matter_id: str | None = None
    declared_media_type: str | None = None
    hints: Hints = field(default_factory=Hints)
    parent_document_id: str | None = None
    member: str | None = None
    depth: int = 0
    adopted: ObjectRef | None = None
    stored: bool = False  # already put to its content address (a digest-declared upload)


@dataclass(frozen=True)
class Outcome:
    document_id: str
    status: str  # "stored", "duplicate" or "failed"
    reason: str | None = None


def _key_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


class IngestPipeline:
    def __init__(
        self,
        store: ObjectStore,
        topics: Topics,
        publish: Publish,
        *,
        limits: ZipLimits | None = None,
        spool_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.topics = topics
        self.publish = publish
        self.limits = limits or ZipLimits()
        self.spool_dir = spool_dir
        self._claims: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def _claimed(self, keys: list[str]) -> AsyncIterator[None]:
        """Hold the lock of each idempotence record key (sorted: no lock-order deadlock)."""
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(set(keys)):
                lock, users = self._claims.get(key, (asyncio.Lock(), 0))
                self._claims[key] = (lock, users + 1)
                stack.callback(self._release, key)
                await stack.enter_async_context(lock)
            yield

    def _release(self, key: str) -> None:
        lock, users = self._claims[key]
        if users <= 1:
            del self._claims[key]
        else:
            self._claims[key] = (lock, users - 1)

    # -- idempotence records ---------------------------------------------------------------

    def _submission_ref(self, sub: Submission) -> ObjectRef | None:
        if not sub.provenance.external_id:
            return None
        digest = _key_hash(
            sub.tenant,
            sub.provenance.source,
            sub.provenance.external_id,
            sub.parent_document_id,
            sub.member,
        )
        return ObjectRef(bucket=self.store.derived, key=f"_ingest/submissions/{digest}.json")

    def _content_ref(self, sub: Submission) -> ObjectRef | None:
        if not sub.sha256:
            return None
        digest = _key_hash(sub.tenant, sub.matter_id, sub.sha256, sub.parent_document_id)
        return ObjectRef(bucket=self.store.derived, key=f"_ingest/content/{digest}.json")

    async def _existing(self, ref: ObjectRef | None) -> tuple[str, bool] | None:
        """The document id a record names and whether it must be redone under that id (it
        failed, or it is still pending: announced maybe only in part)."""
        record = None if ref is None else await self.store.get_json_if_exists(ref)
        if not isinstance(record, dict):
            return None
        document_id = record.get("document_id")
        if not isinstance(document_id, str):
            return None
        return document_id, bool(record.get("failed") or record.get("pending"))

    async def _remember(
        self, document_id: str, sub: Submission, *, failed: bool, pending: bool = False
    ) -> None:
        record: dict[str, Any] = {"document_id": document_id, "failed": failed}
        if pending:
            record["pending"] = True
        refs = [r for r in (self._submission_ref(sub), self._content_ref(sub)) if r is not None]
        await asyncio.gather(*(self.store.put_json(ref, record) for ref in refs))

    async def _resolve(self, sub: Submission) -> tuple[str, bool]:
        """(document id, is a duplicate): an existing good document wins, a failed one is redone."""
        reuse: str | None = None
        found = await asyncio.gather(
            self._existing(self._submission_ref(sub)), self._existing(self._content_ref(sub))
        )
        for existing in found:
            if existing is None:
                continue
            document_id, failed = existing
            if not failed:
                return document_id, True
            reuse = reuse or document_id
        return reuse or new_document_id(), False

    async def parent_depth(self, parent_document_id: str) -> int:
        """Depth of a document (0 for a top-level one) from its ``document.json``."""
        ref = ObjectRef(
            bucket=self.store.derived, key=derived_key(parent_document_id, "document.json")
        )
        if not await self.store.exists(ref):
            return 0
        record = await self.store.get_json(ref)
        depth = record.get("depth", 0) if isinstance(record, dict) else 0
        return depth if isinstance(depth, int) else 0

    # -- the pipeline ----------------------------------------------------------------------

    async def ingest(self, sub: Submission) -> Outcome:
        """Store and route one submission; the same submission twice gives the same id, also
        when both arrive at once."""
        refs = [r for r in (self._submission_ref(sub), self._content_ref(sub)) if r is not None]
        async with self._claimed([ref.key for ref in refs]):
            return await self._ingest(sub)

    async def _ingest(self, sub: Submission) -> Outcome:
        document_id, duplicate = await self._resolve(sub)
        if duplicate:
            log.info("duplicate submission", extra={"document_id": document_id})
            return Outcome(document_id, "duplicate")
        filename = sanitize_filename(sub.filename)
        if sub.path is None or sub.size == 0:
            return await self.fail(sub, document_id, "the file is empty (0 bytes)", "EmptyFile")

        media_type = await asyncio.to_thread(sniff_media_type, sub.path)
        route = route_for(media_type)
        original = sub.adopted or ObjectRef(
            bucket=self.store.originals, key=original_key(sub.sha256)
        )
        # A small original is put without asking first (same bytes, same key: a second put
        # changes nothing); a large one is looked up, so the same bytes are sent only once.
        if (
            sub.adopted is None
            and not sub.stored
            and (sub.size <= PUT_WITHOUT_LOOKUP_BYTES or not await self.store.exists(original))
        ):
            await self.store.put_file(
                original,
                sub.path,
                content_type=media_type,
                metadata={"sniffed-media-type": media_type, "sha256": sub.sha256},
            )
        mismatch = bool(sub.declared_media_type and sub.declared_media_type != media_type)
        record: dict[str, Any] = {
            "document_id": document_id,
            "tenant": sub.tenant,
            "matter_id": sub.matter_id,
            "parent_document_id": sub.parent_document_id,
            "member": sub.member,
            "depth": sub.depth,
            "filename": filename,
            "original": original.uri,
            "adopted": sub.adopted is not None,
            "sha256": sub.sha256,
            "size": sub.size,
            "media_type": media_type,
            "declared_media_type": sub.declared_media_type,
            "media_type_mismatch": mismatch,
            "route": route,
            "provenance": sub.provenance.model_dump(mode="json"),
            "ingest_version": __version__,
        }
        document_json = ObjectRef(
            bucket=self.store.derived, key=derived_key(document_id, "document.json")
        )
        if route is None:
            await self.store.put_json(document_json, record)
            reason = f"unsupported media type {media_type} (detected from the content)"
            if mismatch:
                reason += f"; it was declared as {sub.declared_media_type}"
            return await self.fail(sub, document_id, reason, "UnsupportedMediaType")
        if route == "container":
            try:
                await asyncio.to_thread(inspect_zip, sub.path, self.limits, depth=sub.depth)
            except ContainerError as exc:
                await self.store.put_json(document_json, record)
                return await self.fail(sub, document_id, exc.reason, exc.error_type)

        envelope = self._envelope(sub, document_id)
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
        # Claimed before anything is announced: if S3 or Kafka fails after the first event went
        # out, the client's retry finds this id and redoes the work under it (handlers are
        # idempotent by document id) instead of making a second document. Found by the S3
        # outage test (tests/reliability/test_faults.py).
        await asyncio.gather(
            self.store.put_json(document_json, record),
            self._remember(document_id, sub, failed=False, pending=True),
        )
        announcements = [self.publish(self.topics.stored, stored)]
        if route != "container":
            request_type = OcrRequested if route == "ocr" else TranscribeRequested
            request = request_type(
                **envelope,
                original=original,
                media_type=media_type,
                filename=filename,
                hints=sub.hints,
            )
            topic = (
                self.topics.ocr_requested if route == "ocr" else self.topics.transcribe_requested
            )
            announcements.append(self.publish(topic, request))
        await asyncio.gather(*announcements)  # different topics: no order between them
        # Written last: until then a retry redoes the announcement under the same id.
        await self._remember(document_id, sub, failed=False)
        return Outcome(document_id, "stored")

    @staticmethod
    def _envelope(sub: Submission, document_id: str) -> dict[str, Any]:
        return {
            "document_id": document_id,
            "tenant": sub.tenant,
            "matter_id": sub.matter_id,
            "parent_document_id": sub.parent_document_id,
        }

    async def fail(
        self, sub: Submission, document_id: str | None, reason: str, error_type: str
    ) -> Outcome:
        """Publish ``documents.failed`` for a submission (a document id is found or made)."""
        if document_id is None:
            document_id, duplicate = await self._resolve(sub)
            if duplicate:
                # the same submission already became a good document; nothing to fail
                return Outcome(document_id, "duplicate")
        failed = DocumentFailed(
            **self._envelope(sub, document_id),
            stage=Stage.INGEST,
            reason=reason,
            error_type=error_type,
            filename=sanitize_filename(sub.filename),
            provenance=sub.provenance,
        )
        await self.publish(self.topics.failed, failed)
        await self._remember(document_id, sub, failed=True)
        log.info(
            "document failed at ingest",
            extra={"document_id": document_id, "error_type": error_type, "reason": reason},
        )
        return Outcome(document_id, "failed", reason)

    # -- containers ------------------------------------------------------------------------

    async def expand(self, stored: DocumentStored) -> None:
        """Expand a stored container into child documents and index its listing."""
        depth = await self.parent_depth(stored.document_id)
        with tempfile.TemporaryDirectory(dir=self.spool_dir, prefix="ingest-zip-") as tmp:
            path = Path(tmp) / "container.zip"
            await self.store.download(stored.original, path)
            members: Iterator[ExtractedMember] = extract_members(
                path, self.limits, Path(tmp), depth=depth
            )
            rows: list[tuple[str, int, Outcome]] = []
            while True:
                member = await asyncio.to_thread(next, members, None)
                if member is None:
                    break
                try:
                    outcome = await self.ingest(
                        Submission(
                            path=member.path,
                            sha256=member.sha256,
                            size=member.size,
                            filename=member.info.name,
                            provenance=Provenance(
                                intake="container",
                                source=stored.provenance.source,
                                external_id=stored.provenance.external_id,
                                uploader=stored.provenance.uploader,
                            ),
                            tenant=stored.tenant,
                            matter_id=stored.matter_id,
                            hints=stored.hints,
                            parent_document_id=stored.document_id,
                            member=member.info.name,
                            depth=depth + 1,
                        )
                    )
                finally:
                    member.path.unlink(missing_ok=True)
                rows.append((member.info.name, member.size, outcome))
        await self._publish_listing(stored, rows)

    async def _publish_listing(
        self, stored: DocumentStored, rows: list[tuple[str, int, Outcome]]
    ) -> None:
        lines = [f"ZIP archive {stored.filename} with {len(rows)} files:"]
        for name, size, outcome in rows:
            note = f" - failed: {outcome.reason}" if outcome.status == "failed" else ""
            lines.append(f"{name} ({size} bytes, document {outcome.document_id}){note}")
        text = TextDocument(
            document_id=stored.document_id,
            media_type=stored.media_type,
            pages=[Page(number=1, text="\n".join(lines), method="plain")],
            extractor=CONTAINER_EXTRACTOR,
        )
        text_ref = ObjectRef(
            bucket=self.store.derived, key=derived_key(stored.document_id, "text.json")
        )
        await self.store.put_json(text_ref, text.model_dump(mode="json"))
        await self.store.put_json(
            ObjectRef(
                bucket=self.store.derived, key=derived_key(stored.document_id, "members.json")
            ),
            [
                {"name": n, "size": s, "document_id": o.document_id, "status": o.status}
                for n, s, o in rows
            ],
        )
        await self.publish(
            self.topics.text_extracted,
            TextExtracted(
                document_id=stored.document_id,
                tenant=stored.tenant,
                matter_id=stored.matter_id,
                parent_document_id=stored.parent_document_id,
                text=text_ref,
                media_type=stored.media_type,
                filename=stored.filename,
                pages=1,
                hints=stored.hints,
                extractor=CONTAINER_EXTRACTOR,
            ),
        )

"""The one pipeline behind every intake path: dedup, store by content, route, announce.

Nothing here knows HTTP or which topic a submission came from; callers hand over a file on
local disk with its sha256 and what the submitter said about it.

Idempotence: two small records in the derived bucket remember which document a submission
became - one keyed by ``tenant + matter + source + external_id`` (+ parent and member for
children), one by ``tenant + matter + sha256`` (+ parent). The matter is in both keys: the same
external id or the same bytes in another matter is another document, and a duplicate is only
ever reported within the submitter's matter (issue 13, finding 2: without it, an editor of
matter B learned A's document id and, where A's document had failed, B's bytes were processed
into A's document).

Claims: a record is first written *pending* by a create-only put (S3 ``If-None-Match: *``), so
of several ingest replicas receiving the same submission at the same instant exactly one
creates it and does the work; the others find its pending record, wait until it is final
(``claim_lease_s`` at most) and answer "duplicate" with its document id. Within one process a
lock per record key does the same without asking S3. A pending record is redone under the same
document id when its claim was abandoned (the attempt failed half-way: S3 or Kafka down) or its
lease ran out (the replica died); a record of a *failed* document is redone too (a DLQ replay
after the missing object was uploaded, say). The original is content-addressed and every
handler is idempotent by document id, so redoing is safe.

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
import logging
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
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
from lexstream.shared.deletion import (
    content_record_key,
    deleted_documents,
    submission_record_key,
)
from lexstream.shared.errors import PermanentError
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
from lexstream.shared.holds import HoldGuard
from lexstream.shared.ids import new_document_id
from lexstream.shared.matters import MatterLookup
from lexstream.shared.storage import ObjectStore, derived_key, original_key

log = logging.getLogger(__name__)

Publish = Callable[[str, Event], Awaitable[None]]

CONTAINER_EXTRACTOR = f"lexstream-ingest/{__version__} container listing"
#: originals up to this size are put without a lookup first (one request instead of two)
PUT_WITHOUT_LOOKUP_BYTES = 1024 * 1024
#: members expanded between two looks for the container's deletion (its tombstone)
DELETION_CHECK_MEMBERS = 20


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


class MatterRefused(PermanentError):
    """A submission into a matter that does not exist or is archived: nothing is stored."""

    def __init__(self, matter_id: str, status: str | None) -> None:
        if status is None:
            super().__init__(f"matter {matter_id} does not exist", error_type="UnknownMatter")
        else:
            super().__init__(
                f"matter {matter_id} is archived and takes no new documents",
                error_type="ArchivedMatter",
            )
        self.matter_id = matter_id
        self.exists = status is not None


@dataclass(frozen=True)
class _Record:
    """An idempotence record as read back."""

    document_id: str
    pending: bool
    failed: bool
    abandoned: bool
    owner: str | None
    claimed_at: float


@dataclass(frozen=True)
class _Claim:
    document_id: str
    duplicate: bool
    owner: str = ""


def _record(value: Any) -> _Record | None:
    if not isinstance(value, dict) or not isinstance(value.get("document_id"), str):
        return None
    owner = value.get("owner")
    claimed_at = value.get("claimed_at")
    return _Record(
        document_id=value["document_id"],
        pending=bool(value.get("pending")),
        failed=bool(value.get("failed")),
        abandoned=bool(value.get("abandoned")),
        owner=owner if isinstance(owner, str) else None,
        claimed_at=float(claimed_at) if isinstance(claimed_at, int | float) else 0.0,
    )


class IngestPipeline:
    def __init__(
        self,
        store: ObjectStore,
        topics: Topics,
        publish: Publish,
        *,
        matters: MatterLookup,
        limits: ZipLimits | None = None,
        spool_dir: Path | None = None,
        claim_lease_s: float = 120.0,
        claim_poll_s: float = 0.05,
        holds: HoldGuard | None = None,
    ) -> None:
        self.store = store
        self.holds = holds
        self.topics = topics
        self.publish = publish
        self.matters = matters
        self.limits = limits or ZipLimits()
        self.spool_dir = spool_dir
        self.claim_lease_s = claim_lease_s
        self.claim_poll_s = claim_poll_s
        self._claims: dict[str, tuple[asyncio.Lock, int]] = {}
        # claims are "<process>:<attempt>"; this process's attempts in flight are in _live
        self._process = uuid.uuid4().hex
        self._live: set[str] = set()

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

    # -- matters ---------------------------------------------------------------------------

    async def admit(self, tenant: str, matter_id: str | None) -> None:
        """Refuse a matter that does not exist or is archived (:class:`MatterRefused`);
        documents without a matter (admin uploads) are admitted."""
        if matter_id is None:
            return
        status = await self.matters.matter_exists(tenant, matter_id)
        if status != "open":
            raise MatterRefused(matter_id, status)

    # -- idempotence records ---------------------------------------------------------------

    def _submission_ref(self, sub: Submission) -> ObjectRef | None:
        if not sub.provenance.external_id:
            return None
        key = submission_record_key(
            sub.tenant,
            sub.matter_id,
            sub.provenance.source,
            sub.provenance.external_id,
            sub.parent_document_id,
            sub.member,
        )
        return ObjectRef(bucket=self.store.derived, key=key)

    def _content_ref(self, sub: Submission) -> ObjectRef | None:
        if not sub.sha256:
            return None
        key = content_record_key(sub.tenant, sub.matter_id, sub.sha256, sub.parent_document_id)
        return ObjectRef(bucket=self.store.derived, key=key)

    def _record_refs(self, sub: Submission) -> list[ObjectRef]:
        refs = [r for r in (self._submission_ref(sub), self._content_ref(sub)) if r is not None]
        return sorted(refs, key=lambda ref: ref.key)  # one order everywhere: no lock-step races

    async def _read(self, ref: ObjectRef) -> _Record | None:
        return _record(await self.store.get_json_if_exists(ref))

    def _in_flight(self, record: _Record) -> bool:
        """Whether a pending record's claim is still being worked on (by this process or,
        within its lease, another one)."""
        if not record.pending or record.abandoned or record.owner is None:
            return False
        if record.owner.partition(":")[0] == self._process:
            return record.owner in self._live
        return time.time() - record.claimed_at < self.claim_lease_s

    async def _claim(self, refs: list[ObjectRef]) -> _Claim:
        """The document a submission is: an existing good one (a duplicate), or one this call
        now holds the records of (new, or a failed or abandoned one redone under its id)."""
        give_up_waiting = time.monotonic() + self.claim_lease_s
        while True:
            records = await asyncio.gather(*(self._read(ref) for ref in refs))
            # a record of a deleted document answers nothing (it is overwritten below): left
            # behind by a deletion that could not name it (a document that failed before its
            # document.json, a record written before tombstones named every member), it
            # redid the new submission under the deleted id, whose events the index drops
            gone = await self._deleted({r.document_id: None for r in records if r})
            live = [r if r and r.document_id not in gone else None for r in records]
            done = next((r for r in live if r and not r.pending and not r.failed), None)
            if done is not None:
                return _Claim(done.document_id, duplicate=True)
            if any(r and self._in_flight(r) for r in live) and (time.monotonic() < give_up_waiting):
                await asyncio.sleep(self.claim_poll_s)  # another replica is at it: wait
                continue
            redone = next((r.document_id for r in live if r), None)
            if redone is not None and self.holds is not None:
                # a failed or abandoned document redone under its id overwrites what it has:
                # not while a legal hold covers it (lexstream.shared.holds)
                await self.holds.check(redone, unindexed_held=False)
            document_id = redone or new_document_id()
            owner = f"{self._process}:{uuid.uuid4().hex}"
            if await self._take(refs, records, self._pending(document_id, owner)):
                return _Claim(document_id, duplicate=False, owner=owner)

    async def _deleted(self, documents: dict[str, str | None]) -> set[str]:
        """Those of ``documents`` (id -> parent) a deletion removed, or whose parent it did."""
        if self.holds is None or not documents:
            return set()
        return await deleted_documents(self.holds.es, self.holds.deletions, documents)

    @staticmethod
    def _pending(document_id: str, owner: str) -> dict[str, Any]:
        return {
            "document_id": document_id,
            "failed": False,
            "pending": True,
            "owner": owner,
            "claimed_at": time.time(),
        }

    async def _take(
        self, refs: list[ObjectRef], records: list[_Record | None], pending: dict[str, Any]
    ) -> bool:
        """Write the pending records: create-only where none was read (False, with what was
        taken undone, where another writer came first), over a failed or stale one."""
        created: list[ObjectRef] = []
        replaced: list[ObjectRef] = []
        for ref, record in zip(refs, records, strict=True):
            if record is not None:
                await self.store.put_json(ref, pending)
                replaced.append(ref)
            elif await self.store.create_json(ref, pending):
                created.append(ref)
            else:
                await asyncio.gather(
                    *(self.store.remove(r) for r in created),
                    *(self.store.put_json(r, {**pending, "abandoned": True}) for r in replaced),
                )
                return False
        return True

    async def _remember(self, document_id: str, sub: Submission, *, failed: bool) -> None:
        record = {"document_id": document_id, "failed": failed}
        await asyncio.gather(*(self.store.put_json(ref, record) for ref in self._record_refs(sub)))

    async def _abandon(self, refs: list[ObjectRef], claim: _Claim) -> None:
        """Let a retry redo a claim at once (best effort: S3 may be what failed; then the
        lease runs out, or this process knows the claim is no longer live)."""
        record = {**self._pending(claim.document_id, claim.owner), "abandoned": True}
        try:
            await asyncio.gather(*(self.store.put_json(ref, record) for ref in refs))
        except Exception as exc:
            log.info("claim not released", extra={"error_type": type(exc).__name__})

    @contextlib.asynccontextmanager
    async def _claiming(self, sub: Submission) -> AsyncIterator[_Claim]:
        """Hold the submission's records for the block (a duplicate holds nothing)."""
        refs = self._record_refs(sub)
        async with self._claimed([ref.key for ref in refs]):
            claim = await self._claim(refs)
            if claim.duplicate:
                yield claim
                return
            self._live.add(claim.owner)
            try:
                yield claim
            except Exception:
                await self._abandon(refs, claim)
                raise
            finally:
                self._live.discard(claim.owner)

    async def document_record(self, document_id: str) -> dict[str, Any] | None:
        """A document's ``document.json`` as ingest wrote it (None: no such document)."""
        ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "document.json"))
        record = await self.store.get_json_if_exists(ref)
        return record if isinstance(record, dict) else None

    async def parent_depth(self, parent_document_id: str) -> int:
        """Depth of a document (0 for a top-level one) from its ``document.json``."""
        record = await self.document_record(parent_document_id)
        depth = record.get("depth", 0) if record else 0
        return depth if isinstance(depth, int) else 0

    # -- the pipeline ----------------------------------------------------------------------

    async def ingest(self, sub: Submission) -> Outcome:
        """Store and route one submission; the same submission twice gives the same id, also
        when both arrive at once."""
        await self.admit(sub.tenant, sub.matter_id)
        async with self._claiming(sub) as claim:
            if claim.duplicate:
                log.info("duplicate submission", extra={"document_id": claim.document_id})
                await self._announce_duplicate(sub, claim.document_id)
                return Outcome(claim.document_id, "duplicate")
            return await self._ingest(sub, claim.document_id)

    async def _announce_duplicate(self, sub: Submission, document_id: str) -> None:
        """Tell the submitter of new bytes-alike which document its submission is.

        A submission with an external id of its own (an upstream system's, on the topic or
        over HTTP) whose bytes the matter already holds is that document: it is announced
        on ``documents.stored`` with ``duplicate_of`` (the document's id, which is also the
        event's ``document_id``) and the submission's own provenance, so a topic producer
        learns the id its external id became, and the document's status record lists the
        submission. Nothing is processed again (no extraction request; ingest's container
        expansion and the index's status stage read ``duplicate_of``). A replay of the
        submission the document came from (its own external id) is not announced again.
        """
        own = self._submission_ref(sub)
        # archive members and attachments carry their container's external id: not theirs
        if own is None or sub.parent_document_id or await self._read(own) is not None:
            return
        record = await self.document_record(document_id)
        route = record.get("route") if record else None
        if record is None or route not in ("ocr", "transcribe", "container"):
            return
        stored = DocumentStored(
            **self._envelope(sub, document_id),
            original=ObjectRef.parse(record["original"]),
            sha256=sub.sha256,
            size=sub.size,
            media_type=record["media_type"],
            declared_media_type=sub.declared_media_type,
            filename=sanitize_filename(sub.filename),
            hints=sub.hints,
            provenance=sub.provenance,
            route=route,
            duplicate_of=document_id,
        )
        await self.publish(self.topics.stored, stored)

    async def _ingest(self, sub: Submission, document_id: str) -> Outcome:
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
        # The records were claimed (pending) before anything is announced: if S3 or Kafka fails
        # after the first event went out, the client's retry finds this id and redoes the work
        # under it (handlers are idempotent by document id) instead of making a second
        # document. Found by the S3 outage test (tests/reliability/test_faults.py).
        await self.store.put_json(document_json, record)
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
        if document_id is not None:
            return await self._fail(sub, document_id, reason, error_type)
        async with self._claiming(sub) as claim:
            if claim.duplicate:
                # the same submission already became a good document; nothing to fail
                return Outcome(claim.document_id, "duplicate")
            return await self._fail(sub, claim.document_id, reason, error_type)

    async def _fail(
        self, sub: Submission, document_id: str, reason: str, error_type: str
    ) -> Outcome:
        announced = sub
        if sub.matter_id and await self.matters.matter_exists(sub.tenant, sub.matter_id) is None:
            # nothing, not even a failure, is recorded under a matter nobody has created
            announced = replace(sub, matter_id=None)
        failed = DocumentFailed(
            **self._envelope(announced, document_id),
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
        """Expand a stored container into child documents and index its listing; not one
        that was deleted (before, or while, it is expanded): its members are not stored."""
        container = {stored.document_id: stored.parent_document_id}
        if await self._deleted(container):
            log.info("deleted container not expanded", extra={"document_id": stored.document_id})
            return
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
                if len(rows) % DELETION_CHECK_MEMBERS == DELETION_CHECK_MEMBERS - 1 and (
                    await self._deleted(container)
                ):
                    member.path.unlink(missing_ok=True)
                    log.info(
                        "container deleted while expanded",
                        extra={"document_id": stored.document_id, "count": len(rows)},
                    )
                    return
                try:
                    child = Submission(
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
                    if member.error is not None:  # a member that cannot be read fails alone
                        outcome = await self.fail(
                            child, None, member.error.reason, member.error.error_type
                        )
                    else:
                        try:
                            outcome = await self.ingest(child)
                        except MatterRefused as exc:  # archived while the container waited
                            outcome = await self.fail(child, None, exc.reason, exc.error_type)
                finally:
                    member.path.unlink(missing_ok=True)
                rows.append((member.info.name, member.size, outcome))
        await self._publish_listing(stored, rows)

    async def _publish_listing(
        self, stored: DocumentStored, rows: list[tuple[str, int, Outcome]]
    ) -> None:
        lines = [f"Container {stored.filename} ({stored.media_type}) with {len(rows)} files:"]
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

"""From text/transcript events to search documents, written in bounded bulk requests.

Kafka-free, so the service's batch consumer (``batch.py``) and the re-run command
(``rerun.py``) share it: :meth:`Indexer.prepare` reads one document's ``text.json`` or
``transcript.json`` and builds its search document (extraction runs in a worker thread so the
event loop, and with it the Kafka heartbeat, keeps running); :meth:`Indexer.write` writes many
prepared documents with one ``_bulk`` per bounded chunk, keyed by ``document_id`` (a replayed
event overwrites, it never adds a second hit), then their status records.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch, NotFoundError
from minio.error import S3Error

from lexstream.index.bulk import BulkAction, BulkWriter
from lexstream.index.documents import (
    load_artifact,
    text_search_document,
    transcript_search_document,
)
from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.mailthreads import MailThreads
from lexstream.index.neardup import Scheme
from lexstream.index.neardup_groups import NearDuplicates
from lexstream.index.settings import IndexSettings
from lexstream.index.status import StatusUpdate, record_statuses
from lexstream.index.structures import Exports
from lexstream.index.vectors import vector_fields
from lexstream.shared.artifacts import TextDocument, Transcript
from lexstream.shared.deletion import deleted_documents, deletions_index
from lexstream.shared.embeddings import EMBEDDING_MODEL
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import DocumentStatus, Event, ObjectRef, TextExtracted, TranscriptReady
from lexstream.shared.legal import matter_acl
from lexstream.shared.search import documents_alias, status_index
from lexstream.shared.storage import ObjectStore, derived_key

log = logging.getLogger(__name__)

SourceEvent = TextExtracted | TranscriptReady
_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchBucket")


def common_fields(event: Event) -> dict[str, Any]:
    return {
        "tenant": event.tenant,
        "matter_id": event.matter_id,
        "parent_document_id": event.parent_document_id,
    }


MAX_EXTRACTION_WARNINGS = 20


def extraction_warnings(text: TextDocument) -> list[str]:
    """The document's warnings and its pages' (each distinct warning once, with the pages it
    applies to), first of all when no page has any text: a degraded document says why."""
    notes = list(text.warnings)
    pages: dict[str, list[int]] = {}
    for page in text.pages:
        for warning in page.warnings:
            pages.setdefault(warning, []).append(page.number)
    for warning, numbers in pages.items():
        shown = ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
        notes.append(
            f"page {shown}: {warning}" if len(numbers) == 1 else f"pages {shown}: {warning}"
        )
    if text.pages and not any(page.text.strip() for page in text.pages):
        notes.insert(0, "no text could be recovered from any page")
    return notes[:MAX_EXTRACTION_WARNINGS]


@dataclass(frozen=True)
class Prepared:
    """A search document ready to write, and what the status record should say about it."""

    event: SourceEvent
    doc: dict[str, Any]
    content_chars: int
    warnings: list[str] = field(default_factory=list)
    # what the extractor said about the document (degraded pages and why), for the status
    extraction_warnings: list[str] = field(default_factory=list)
    # derived objects to store beside text.json (a statute's or judgment's structure)
    objects: Exports = field(default_factory=dict)

    @property
    def document_id(self) -> str:
        return self.event.document_id


class Indexer:
    def __init__(
        self,
        settings: IndexSettings,
        es: AsyncElasticsearch,
        store: ObjectStore,
        *,
        # "indexed" must mean "searchable": the status record is written only after the
        # search documents are visible (the next refresh, at most a second away)
        refresh: bool | Literal["wait_for"] = "wait_for",
    ) -> None:
        self.settings = settings
        self.es = es
        self.store = store
        self.alias = documents_alias(settings)
        self.status_index = status_index(settings)
        self.deletions = deletions_index(settings)
        self.writer = BulkWriter(
            es,
            max_bytes=settings.bulk_max_bytes,
            attempts=settings.bulk_retry_attempts,
            max_wait_s=settings.bulk_retry_max_wait_s,
            refresh=refresh,
        )
        # near-duplicate groups: signed before the write, grouped once it is searchable
        self.near_duplicates = (
            NearDuplicates(
                es,
                self.alias,
                Scheme(
                    threshold=settings.near_duplicate_threshold,
                    min_words=settings.near_duplicate_min_words,
                    shingle_words=settings.near_duplicate_shingle_words,
                ),
                # group updates are visible to the next look-up (see neardup_groups)
                BulkWriter(
                    es,
                    max_bytes=settings.bulk_max_bytes,
                    attempts=settings.bulk_retry_attempts,
                    max_wait_s=settings.bulk_retry_max_wait_s,
                    refresh="wait_for",
                ),
                max_candidates=settings.near_duplicate_max_candidates,
                max_group=settings.near_duplicate_max_group,
            )
            if settings.near_duplicates
            else None
        )
        # e-mail threads: re-evaluated once a batch is searchable (see mailthreads)
        self.mail_threads = MailThreads(
            es,
            self.alias,
            BulkWriter(
                es,
                max_bytes=settings.bulk_max_bytes,
                attempts=settings.bulk_retry_attempts,
                max_wait_s=settings.bulk_retry_max_wait_s,
                refresh="wait_for",
            ),
        )
        # passage vectors wait for no refresh: the words made the document searchable
        self.vector_writer = BulkWriter(
            es,
            max_bytes=settings.bulk_max_bytes,
            attempts=settings.bulk_retry_attempts,
            max_wait_s=settings.bulk_retry_max_wait_s,
        )

    async def _read(self, ref: ObjectRef, name: str) -> bytes:
        try:
            return await self.store.get_bytes(ref)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise PermanentError(f"{name} of the document is missing ({ref.uri})") from exc
            raise

    async def prepare(self, event: SourceEvent) -> Prepared:
        if isinstance(event, TextExtracted):
            raw = await self._read(event.text, "text.json")
            prepared = await asyncio.to_thread(self.prepare_text, event, raw)
            await self._store_objects(prepared)
            return prepared
        raw = await self._read(event.transcript, "transcript.json")
        return await asyncio.to_thread(self.prepare_transcript, event, raw)

    def prepare_text(self, event: TextExtracted, raw: bytes) -> Prepared:
        text, warnings = load_artifact(raw, TextDocument, "text.json")
        full = text.text
        objects: Exports = {}
        doc = text_search_document(
            event,
            text,
            filename=event.filename,
            language_hint=event.hints.language,
            jurisdiction_hint=event.hints.jurisdiction,
            max_chars=self.settings.max_content_chars,
            extractor_version=EXTRACTOR_VERSION,
            max_page_chars=self.settings.max_page_chars,
            max_nested=self.settings.max_nested,
            objects=objects,
        )
        return Prepared(event, doc, len(full), warnings, extraction_warnings(text), objects)

    async def _store_objects(self, prepared: Prepared) -> None:
        """The document's derived objects, before its search document says they exist (a
        replay writes them again, the same)."""
        await asyncio.gather(
            *(
                self.store.put_bytes(
                    ObjectRef(bucket=self.store.derived, key=derived_key(prepared.document_id, n)),
                    data,
                    content_type=media_type,
                )
                for n, (data, media_type) in prepared.objects.items()
            )
        )

    def prepare_transcript(self, event: TranscriptReady, raw: bytes) -> Prepared:
        transcript, warnings = load_artifact(raw, Transcript, "transcript.json")
        doc = transcript_search_document(
            event,
            transcript,
            filename=event.filename,
            jurisdiction_hint=event.hints.jurisdiction,
            max_chars=self.settings.max_content_chars,
            extractor_version=EXTRACTOR_VERSION,
            max_nested=self.settings.max_nested,
        )
        return Prepared(event, doc, len(transcript.text), warnings)

    async def write(self, prepared: Sequence[Prepared]) -> dict[str, str]:
        """:meth:`write_live`'s refusals: ``{document_id: reason}``."""
        refused, _ = await self.write_live(prepared)
        return refused

    async def write_live(self, prepared: Sequence[Prepared]) -> tuple[dict[str, str], set[str]]:
        """Write search documents, then status records of those written, for every document
        that no deletion has removed, itself or its parent (what was written late under a
        removed one's id in the derived bucket is removed).

        Returns ``{document_id: reason}`` for documents Elasticsearch refused for good (their
        failure is the caller's to report) and the ids dropped because a deletion removed
        them (a late event: nothing of theirs is written, nothing is to be announced); raises
        TransientError when Elasticsearch kept refusing for now.
        """
        gone = await self._deleted(prepared)
        await self._drop(gone)
        prepared = [p for p in prepared if p.document_id not in gone]
        await self._use_matters_of_record(prepared)
        if self.near_duplicates is not None:
            await asyncio.to_thread(self.near_duplicates.sign, [p.doc for p in prepared])
        actions = [BulkAction(p.document_id, self.alias, p.doc) for p in prepared]
        result = await self.writer.write(actions)
        # a deletion that began after the first look (its tombstone is written before it
        # touches a store) may have removed the search documents before this write put them
        # back: looked at again, and what it missed is removed here
        late = await self._deleted([p for p in prepared if p.document_id in result.written])
        if late:
            await self._drop(late, written=True)
            gone |= late
            prepared = [p for p in prepared if p.document_id not in late]
        # groups and threads first, the status after: a client that waits for "indexed" then
        # reads near-duplicate groups, threads and inclusive flags that count these documents
        # (read the other way round, a mailbox's last messages were indexed while the flags of
        # the messages they answer were still being re-evaluated)
        if self.near_duplicates is not None:
            await self.near_duplicates.assign(
                [p.doc for p in prepared if p.document_id in result.written]
            )
        await self.mail_threads.assign(
            [p.doc for p in prepared if p.document_id in result.written and p.doc.get("email")]
        )
        updates = [self.indexed_update(p) for p in prepared if p.document_id in result.written]
        await record_statuses(
            self.es, self.status_index, updates, self.writer, deletions=self.deletions
        )
        if self.settings.embeddings:
            await self._add_vectors([p for p in prepared if p.document_id in result.written])
        refused = {
            key: f"Elasticsearch refused the search document: {reason}"
            for key, reason in result.failed.items()
        }
        return refused, gone

    async def _deleted(self, prepared: Sequence[Prepared]) -> set[str]:
        """The documents a deletion removed, or whose parent (container, e-mail) it removed."""
        parents = {p.document_id: p.event.parent_document_id for p in prepared}
        return await deleted_documents(self.es, self.deletions, parents)

    async def _drop(self, gone: set[str], *, written: bool = False) -> None:
        """What late events left of deleted documents goes the way the rest of them went:
        the derived objects under their ids (the text this event names, pages, captions)
        and, where this call wrote them, their search documents."""
        for document_id in sorted(gone):
            removed = await self.store.remove_prefix(self.store.derived, f"{document_id}/")
            if written:
                found = await self.es.search(
                    index=self.alias, query={"ids": {"values": [document_id]}}, size=10
                )
                for hit in found["hits"]["hits"]:
                    with contextlib.suppress(NotFoundError):
                        await self.es.delete(index=hit["_index"], id=hit["_id"], refresh=True)
            log.info(
                "event of a deleted document dropped",
                extra={"document_id": document_id, "count": removed},
            )

    async def _add_vectors(self, written: Sequence[Prepared]) -> None:
        """Passage vectors of documents just written, as partial updates.

        The documents are searchable by their words (and ``indexed``) before the model runs,
        so embedding adds no latency to lexical search. It still runs before the batch's
        offsets are committed: a crash here re-delivers the batch, which is re-written and
        re-embedded. A vector update Elasticsearch refuses for good (the document was deleted
        in between, say) leaves that document without vectors (no ``embedding_model``), which
        ``rerun`` finds and repairs; its words stay searchable.
        """
        if not written:
            return
        # one pass of the model over every passage of the batch, off the event loop
        fields = await asyncio.to_thread(vector_fields, [p.doc for p in written])
        actions = [
            BulkAction(p.document_id, self.alias, {"doc": f}, op="update")
            for p, f in zip(written, fields, strict=True)
        ]
        result = await self.vector_writer.write(actions)
        for key, reason in result.failed.items():
            log.warning("document %s: its passage vectors were not stored: %s", key, reason)

    async def _use_matters_of_record(self, prepared: Sequence[Prepared]) -> None:
        """The status record holds a document's matter of record (set when it is stored,
        changed only by ``documents.moved``), so a search document is written in that
        matter, not the one an older event names: a replay cannot undo a move."""
        if not prepared:
            return
        try:
            found = await self.es.mget(
                index=self.status_index, ids=[p.document_id for p in prepared], source=["matter_id"]
            )
        except NotFoundError:
            return  # no status index yet: nothing was moved
        current = {
            d["_id"]: d["_source"].get("matter_id")
            for d in found["docs"]
            if d.get("found") and d.get("_source")
        }
        for p in prepared:
            matter = current.get(p.document_id)
            if matter is not None and matter != p.doc.get("matter_id"):
                p.doc["matter_id"] = matter
                p.doc["acl"] = [matter_acl(matter)]

    def indexed_update(self, prepared: Prepared) -> StatusUpdate:
        event = prepared.event
        return StatusUpdate(
            document_id=event.document_id,
            status=DocumentStatus.INDEXED,
            # when it was indexed, not when its text was extracted: a DLQ replay re-sends the
            # old event, and its old time would lose against the failure it repairs
            at=max(event.occurred_at, datetime.now(UTC)),
            fields={
                "failure_reason": None,
                "failure_stage": None,
                "error_type": None,
                "progress": 1.0,
                "index_warnings": prepared.warnings,
                "warnings": prepared.extraction_warnings,
            },
            always={
                **common_fields(event),
                "filename": event.filename,
                "hints": event.hints.model_dump(mode="json", exclude_none=True),
                "extractor_version": EXTRACTOR_VERSION,
                # the model its passages are embedded with (None: lexical only), which
                # ``rerun --outdated`` compares with the current one
                "embedding_model": EMBEDDING_MODEL if self.settings.embeddings else None,
                "content_truncated": prepared.doc.get("content_truncated"),
                "content_chars": prepared.content_chars,
                "source_event": event.event_type,
            },
        )

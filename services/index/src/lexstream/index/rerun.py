"""``python -m lexstream.index rerun --document ID | --matter M | --all [--outdated]``.

Re-runs extraction and indexing from the text and transcripts already in the derived bucket
(``<document_id>/text.json`` or ``transcript.json``): no OCR, no transcription. Use it after
the extractor improves (``EXTRACTOR_VERSION`` is bumped) or the embedding model changes
(``EMBEDDING_MODEL``): ``--all --outdated`` only takes documents whose status record names
another extractor version or, with embeddings on, another embedding model (or none). Each
document records the ``extractor_version`` that produced its fields, in the search document
and its status.

It runs in-process, not through Kafka: documents are selected from the status records
(tenant, matter, filename and the submitter's hints are kept there), written through the
same bounded bulk writer as the service, and a document that fails gets a ``failed`` status
with the reason. Documents whose text does not exist yet are skipped and listed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError
from elasticsearch.helpers import async_scan

from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.indexer import Indexer, Prepared, SourceEvent
from lexstream.index.settings import IndexSettings
from lexstream.index.status import failure_fields, record_event_status
from lexstream.shared.deletion import deletions_index
from lexstream.shared.embeddings import EMBEDDING_MODEL
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import (
    DocumentStatus,
    Hints,
    ObjectRef,
    TextExtracted,
    TranscriptReady,
)
from lexstream.shared.search import status_index
from lexstream.shared.storage import ObjectStore, derived_key

log = logging.getLogger(__name__)

RERUN = "rerun"


@dataclass
class RerunReport:
    extractor_version: str = EXTRACTOR_VERSION
    selected: int = 0
    indexed: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def select_records(
    es: AsyncElasticsearch,
    index: str,
    *,
    document_ids: Sequence[str] = (),
    matter_id: str | None = None,
    everything: bool = False,
) -> AsyncIterator[dict[str, Any]]:
    """Status records of the chosen documents (one per document)."""
    if document_ids:
        for document_id in document_ids:
            try:
                found = await es.get(index=index, id=document_id)
                yield found["_source"]
            except NotFoundError:
                yield {"document_id": document_id}
        return
    if matter_id is not None:
        query: dict[str, Any] = {"term": {"matter_id": matter_id}}
    elif everything:
        query = {"match_all": {}}
    else:
        raise ValueError("choose --document, --matter or --all")
    async for hit in async_scan(es, index=index, query={"query": query}, size=500):
        yield hit["_source"]


def _event_for(record: dict[str, Any], ref: ObjectRef, transcript: bool) -> SourceEvent:
    envelope: dict[str, Any] = {
        "document_id": record["document_id"],
        "tenant": record.get("tenant") or "default",
        "matter_id": record.get("matter_id"),
        "parent_document_id": record.get("parent_document_id"),
        "filename": record.get("filename") or record["document_id"],
        "media_type": record.get("media_type") or "application/octet-stream",
        "hints": Hints.model_validate(record.get("hints") or {}),
    }
    if transcript:
        return TranscriptReady(
            **envelope,
            transcript=ref,
            vtt=ref,
            srt=ref,
            duration=0.0,
            model=RERUN,
            device=RERUN,
        )
    return TextExtracted(**envelope, text=ref, pages=0, extractor=RERUN)


class Rerun:
    def __init__(
        self,
        settings: IndexSettings,
        es: AsyncElasticsearch,
        store: ObjectStore,
        *,
        refresh: bool = False,
    ) -> None:
        self.settings = settings
        self.es = es
        self.store = store
        self.indexer = Indexer(settings, es, store, refresh=refresh)
        self.status_index = status_index(settings)

    async def _source_event(self, record: dict[str, Any]) -> SourceEvent | None:
        """The artefact to re-read: the transcript for a recording, else the text."""
        document_id = record["document_id"]
        names = ["text.json", "transcript.json"]
        if record.get("source_event") == "transcript.ready" or str(
            record.get("media_type") or ""
        ).startswith(("audio/", "video/")):
            names.reverse()
        for name in names:
            ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, name))
            if await self.store.exists(ref):
                return _event_for(record, ref, transcript=name == "transcript.json")
        return None

    async def run(
        self,
        *,
        document_ids: Sequence[str] = (),
        matter_id: str | None = None,
        everything: bool = False,
        outdated_only: bool = False,
    ) -> RerunReport:
        report = RerunReport()
        batch: list[dict[str, Any]] = []
        async for record in select_records(
            self.es,
            self.status_index,
            document_ids=document_ids,
            matter_id=matter_id,
            everything=everything,
        ):
            if outdated_only and self._up_to_date(record):
                continue
            report.selected += 1
            batch.append(record)
            if len(batch) >= self.settings.batch_max_docs:
                await self._batch(batch, report)
                batch = []
        if batch:
            await self._batch(batch, report)
        return report

    def _up_to_date(self, record: dict[str, Any]) -> bool:
        """Extracted by this extractor and, where embeddings are on, embedded by this model."""
        if record.get("extractor_version") != EXTRACTOR_VERSION:
            return False
        return not self.settings.embeddings or record.get("embedding_model") == EMBEDDING_MODEL

    async def _batch(self, records: list[dict[str, Any]], report: RerunReport) -> None:
        limit = asyncio.Semaphore(self.settings.prepare_concurrency)

        async def prepare(record: dict[str, Any]) -> Prepared | None:
            async with limit:
                event = await self._source_event(record)
                if event is None:
                    report.skipped[record["document_id"]] = (
                        "no text.json or transcript.json in the derived bucket (yet)"
                    )
                    return None
                try:
                    return await self.indexer.prepare(event)
                except PermanentError as exc:
                    await self._fail(event, exc.reason, report)
                    return None

        results = await asyncio.gather(*(prepare(record) for record in records))
        ready = [p for p in results if p is not None]
        refused, dropped = await self.indexer.write_live(ready)
        for prepared in ready:
            reason = refused.get(prepared.document_id)
            if prepared.document_id in dropped:
                report.skipped[prepared.document_id] = "deleted"
            elif reason is None:
                report.indexed += 1
            else:
                await self._fail(prepared.event, reason, report)

    async def _fail(self, event: SourceEvent, reason: str, report: RerunReport) -> None:
        report.failed[event.document_id] = reason
        log.warning("re-run failed", extra={"document_id": event.document_id, "reason": reason})
        await record_event_status(
            self.es,
            self.status_index,
            event,
            DocumentStatus.FAILED,
            fields=failure_fields(reason, "index", RERUN),
            deletions=deletions_index(self.settings),
        )

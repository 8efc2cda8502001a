"""index handlers: status records, and search documents from text and transcripts."""

from __future__ import annotations

import logging
from typing import Any

from elasticsearch import AsyncElasticsearch
from faststream.kafka import KafkaBroker

from lexstream.index.documents import text_search_document, transcript_search_document
from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.settings import IndexSettings
from lexstream.index.status import record_status
from lexstream.shared.artifacts import TextDocument, Transcript
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import (
    DocumentFailed,
    DocumentIndexed,
    DocumentProgress,
    DocumentStatus,
    DocumentStored,
    Event,
    TextExtracted,
    Topics,
    TranscriptReady,
)
from lexstream.shared.kafka import publish_event
from lexstream.shared.search import documents_alias, status_index
from lexstream.shared.storage import ObjectStore

log = logging.getLogger(__name__)


def _common(event: Event) -> dict[str, Any]:
    return {
        "tenant": event.tenant,
        "matter_id": event.matter_id,
        "parent_document_id": event.parent_document_id,
    }


class IndexHandler:
    def __init__(
        self,
        settings: IndexSettings,
        broker: KafkaBroker,
        es: AsyncElasticsearch,
        store: ObjectStore,
        topics: Topics,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.es = es
        self.store = store
        self.topics = topics
        self.alias = documents_alias(settings)
        self.status_index = status_index(settings)

    async def on_stored(self, event: DocumentStored) -> None:
        await record_status(
            self.es,
            self.status_index,
            document_id=event.document_id,
            status=DocumentStatus.STORED,
            at=event.occurred_at,
            always={
                **_common(event),
                "filename": event.filename,
                "media_type": event.media_type,
                "provenance": event.provenance.model_dump(mode="json"),
            },
        )

    async def on_progress(self, event: DocumentProgress) -> None:
        await record_status(
            self.es,
            self.status_index,
            document_id=event.document_id,
            status=event.status,
            at=event.occurred_at,
            fields={"stage": event.stage.value, "progress": event.fraction},
            always=_common(event),
        )

    async def on_failed(self, event: DocumentFailed) -> None:
        always: dict[str, Any] = {**_common(event), "filename": event.filename}
        if event.provenance is not None:
            always["provenance"] = event.provenance.model_dump(mode="json")
        await record_status(
            self.es,
            self.status_index,
            document_id=event.document_id,
            status=DocumentStatus.FAILED,
            at=event.occurred_at,
            fields={
                "failure_reason": event.reason,
                "failure_stage": event.stage.value,
                "error_type": event.error_type,
            },
            always=always,
        )

    async def on_text(self, event: TextExtracted) -> None:
        try:
            text = TextDocument.model_validate(await self.store.get_json(event.text))
        except ValueError as exc:
            raise PermanentError(f"text.json of the document is invalid: {exc}") from exc
        doc = text_search_document(
            event,
            text,
            filename=event.filename,
            language_hint=event.hints.language,
            jurisdiction_hint=event.hints.jurisdiction,
            max_chars=self.settings.max_content_chars,
            extractor_version=EXTRACTOR_VERSION,
        )
        await self._write(event, doc)

    async def on_transcript(self, event: TranscriptReady) -> None:
        try:
            transcript = Transcript.model_validate(await self.store.get_json(event.transcript))
        except ValueError as exc:
            raise PermanentError(f"transcript.json of the document is invalid: {exc}") from exc
        doc = transcript_search_document(
            event,
            transcript,
            filename=event.filename,
            jurisdiction_hint=event.hints.jurisdiction,
            max_chars=self.settings.max_content_chars,
            extractor_version=EXTRACTOR_VERSION,
        )
        await self._write(event, doc)

    async def _write(self, event: Event, doc: dict[str, Any]) -> None:
        # Keyed by document_id: a replayed event overwrites, never adds a second hit.
        await self.es.index(index=self.alias, id=event.document_id, document=doc)
        await record_status(
            self.es,
            self.status_index,
            document_id=event.document_id,
            status=DocumentStatus.INDEXED,
            at=event.occurred_at,
            fields={"failure_reason": None, "failure_stage": None, "progress": 1.0},
            always={
                **_common(event),
                "extractor_version": EXTRACTOR_VERSION,
                "content_truncated": doc.get("content_truncated"),
            },
        )
        await publish_event(
            self.broker,
            self.topics.indexed,
            DocumentIndexed(
                document_id=event.document_id,
                **_common(event),
                index=self.alias,
                extractor_version=EXTRACTOR_VERSION,
            ),
        )

"""The stage of the status topics (stored, progress, failed) and of moves: each event advances
the document's status record, or moves the document and its attachments to another matter.

Knows Elasticsearch, not how a message arrives: :mod:`lexstream.index.handlers` decodes and
calls it. Text and transcripts are consumed in batches by :mod:`lexstream.index.batch`.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from lexstream.index.indexer import common_fields as _common
from lexstream.index.moves import apply_move
from lexstream.index.settings import IndexSettings
from lexstream.index.status import (
    StatusUpdate,
    failure_fields,
    record_event_status,
    record_status,
)
from lexstream.shared.deletion import deletions_index
from lexstream.shared.events import (
    DocumentFailed,
    DocumentMoved,
    DocumentProgress,
    DocumentStatus,
    DocumentStored,
)
from lexstream.shared.search import documents_alias, status_index


class RecordStage:
    def __init__(
        self,
        settings: IndexSettings,
        es: AsyncElasticsearch,
    ) -> None:
        self.settings = settings
        self.es = es
        self.status_index = status_index(settings)
        self.deletions = deletions_index(settings)
        self.alias = documents_alias(settings)

    async def on_stored(self, event: DocumentStored) -> None:
        if event.duplicate_of is not None:
            # a later submission of a stored document's bytes: the document lists it
            update = StatusUpdate(
                event.document_id,
                DocumentStatus.STORED,
                event.occurred_at,
                always=_common(event),
                submission=event.provenance.model_dump(mode="json"),
            )
            await record_status(self.es, self.status_index, update, deletions=self.deletions)
            return
        await record_event_status(
            self.es,
            self.status_index,
            event,
            DocumentStatus.STORED,
            deletions=self.deletions,
            always={
                **_common(event),
                "filename": event.filename,
                "media_type": event.media_type,
                "hints": event.hints.model_dump(mode="json", exclude_none=True),
                "provenance": event.provenance.model_dump(mode="json"),
            },
        )

    async def on_progress(self, event: DocumentProgress) -> None:
        await record_event_status(
            self.es,
            self.status_index,
            event,
            event.status,
            deletions=self.deletions,
            fields={"stage": event.stage.value, "progress": event.fraction},
            always=_common(event),
        )

    async def on_failed(self, event: DocumentFailed) -> None:
        always: dict[str, Any] = {**_common(event), "filename": event.filename}
        if event.provenance is not None:
            always["provenance"] = event.provenance.model_dump(mode="json")
        await record_event_status(
            self.es,
            self.status_index,
            event,
            DocumentStatus.FAILED,
            deletions=self.deletions,
            fields=failure_fields(event.reason, event.stage.value, event.error_type),
            always=always,
        )

    async def on_moved(self, event: DocumentMoved) -> None:
        await apply_move(self.es, alias=self.alias, status_index=self.status_index, event=event)

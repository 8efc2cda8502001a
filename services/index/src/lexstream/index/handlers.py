"""index handlers for the status topics (stored, progress, failed).

Text and transcripts are consumed in batches by :mod:`lexstream.index.batch`.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from lexstream.index.indexer import common_fields as _common
from lexstream.index.settings import IndexSettings
from lexstream.index.status import record_status
from lexstream.shared.events import (
    DocumentFailed,
    DocumentProgress,
    DocumentStatus,
    DocumentStored,
)
from lexstream.shared.search import status_index


class IndexHandler:
    def __init__(
        self,
        settings: IndexSettings,
        es: AsyncElasticsearch,
    ) -> None:
        self.settings = settings
        self.es = es
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
                "hints": event.hints.model_dump(mode="json", exclude_none=True),
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

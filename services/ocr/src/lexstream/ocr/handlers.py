"""ocr handlers: decode, fetch the original, call the extractors, publish the claim check."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from faststream.kafka import KafkaBroker

from lexstream.ocr.extractors import ExtractionError, OcrOptions, extract_text
from lexstream.ocr.settings import OcrSettings
from lexstream.shared import __version__
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import (
    DocumentProgress,
    DocumentStatus,
    ObjectRef,
    OcrRequested,
    Stage,
    TextExtracted,
    Topics,
)
from lexstream.shared.kafka import publish_event
from lexstream.shared.storage import ObjectStore, derived_key

log = logging.getLogger(__name__)


class OcrHandler:
    def __init__(
        self, settings: OcrSettings, broker: KafkaBroker, store: ObjectStore, topics: Topics
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.store = store
        self.topics = topics

    def options(self, request: OcrRequested) -> OcrOptions:
        return OcrOptions(
            language_hint=request.hints.language,
            languages=self.settings.languages,
            dpi=self.settings.dpi,
            workers=self.settings.workers,
            searchable_pdf=self.settings.searchable_pdf,
        )

    async def handle(self, request: OcrRequested) -> None:
        envelope = {
            "document_id": request.document_id,
            "tenant": request.tenant,
            "matter_id": request.matter_id,
            "parent_document_id": request.parent_document_id,
        }
        await publish_event(
            self.broker,
            self.topics.progress,
            DocumentProgress(
                **envelope,
                stage=Stage.OCR,
                status=DocumentStatus.EXTRACTING,
                service_version=__version__,
            ),
        )
        if not await self.store.exists(request.original):
            raise PermanentError(f"the original {request.original.uri} does not exist")
        with tempfile.TemporaryDirectory(dir=self.settings.work_dir, prefix="ocr-") as tmp:
            path = Path(tmp) / "original"
            await self.store.download(request.original, path)
            try:
                result = await asyncio.to_thread(
                    extract_text,
                    path,
                    media_type=request.media_type,
                    document_id=request.document_id,
                    options=self.options(request),
                )
            except ExtractionError as exc:
                raise PermanentError(exc.reason, error_type="ExtractionError") from exc
            text_ref = ObjectRef(
                bucket=self.store.derived, key=derived_key(request.document_id, "text.json")
            )
            await self.store.put_json(text_ref, result.text.model_dump(mode="json"))
            if result.searchable_pdf is not None:
                await self.store.put_file(
                    ObjectRef(
                        bucket=self.store.derived,
                        key=derived_key(request.document_id, "searchable.pdf"),
                    ),
                    result.searchable_pdf,
                    content_type="application/pdf",
                )
        await publish_event(
            self.broker,
            self.topics.text_extracted,
            TextExtracted(
                **envelope,
                text=text_ref,
                media_type=request.media_type,
                filename=request.filename,
                pages=len(result.text.pages),
                language=result.text.language,
                hints=request.hints,
                extractor=result.text.extractor,
                warnings=result.text.warnings,
            ),
        )

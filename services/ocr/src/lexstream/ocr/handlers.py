"""ocr handlers: decode, fetch the original, call the extractors, publish the claim check."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from faststream.kafka import KafkaBroker

from lexstream.ocr.extractors import (
    ExtractionError,
    ExtractorUnavailableError,
    OcrOptions,
    OcrPool,
    extract_text,
)
from lexstream.ocr.extractors.engine import find_tessdata
from lexstream.ocr.settings import OcrSettings
from lexstream.shared import __version__
from lexstream.shared.errors import PermanentError, TransientError
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
        self.pool: OcrPool | None = None

    async def start(self) -> None:
        """Start the OCR worker processes once; they stay warm between documents."""
        workers = self.options_for(None).workers
        self.pool = OcrPool(workers, str(find_tessdata(None)))

    async def stop(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def options_for(self, language_hint: str | None) -> OcrOptions:
        extra = {"workers": self.settings.workers} if self.settings.workers else {}
        return OcrOptions(
            language_hint=language_hint,
            languages=self.settings.languages,
            dpi=self.settings.dpi,
            searchable_pdf=self.settings.searchable_pdf,
            **extra,
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
                    options=self.options_for(request.hints.language),
                    pool=self.pool,
                )
            except ExtractionError as exc:
                raise PermanentError(exc.reason, error_type="ExtractionError") from exc
            except ExtractorUnavailableError as exc:
                # a missing tool is the deployment's fault, not the file's: retry, never DLQ
                raise TransientError(str(exc)) from exc
            text_ref = ObjectRef(
                bucket=self.store.derived, key=derived_key(request.document_id, "text.json")
            )
            await self.store.put_json(text_ref, result.text.model_dump(mode="json"))
            try:
                if result.searchable_pdf is not None:
                    await self.store.put_file(
                        ObjectRef(
                            bucket=self.store.derived,
                            key=derived_key(request.document_id, "searchable.pdf"),
                        ),
                        result.searchable_pdf,
                        content_type="application/pdf",
                    )
            finally:
                result.cleanup()
            if result.attachments:
                log.info(
                    "attachments found",
                    extra={"document_id": request.document_id, "count": len(result.attachments)},
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

"""The ocr stage: fetch the original, recover its text (or take it from the cache), store it.

Knows the object store and the broker it reports progress and attachments to, but not how a
message arrives: :mod:`lexstream.ocr.handlers` decodes and publishes what :meth:`OcrStage.handle`
returns. Storage and the text recovery are handed in, so a test can pass fakes for both.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Protocol

from faststream.kafka import KafkaBroker
from opentelemetry import metrics, trace

from lexstream.ocr.errors import ExtractionError, ExtractorUnavailableError
from lexstream.ocr.extract import extract_text
from lexstream.ocr.extractors.base import (
    EXTRACTOR_VERSION,
    Attachment,
    ExtractionResult,
    OcrOptions,
    PageOcr,
    Progress,
)
from lexstream.ocr.languages import find_tessdata
from lexstream.ocr.settings import OcrSettings
from lexstream.ocr.tesseract.pool import OcrPool
from lexstream.shared.artifacts import TextDocument
from lexstream.shared.errors import PermanentError, TransientError
from lexstream.shared.events import (
    DocumentStatus,
    DocumentSubmitted,
    ObjectRef,
    OcrRequested,
    Stage,
    TextExtracted,
    Topics,
)
from lexstream.shared.progress import ProgressReporter
from lexstream.shared.storage import derived_key

log = logging.getLogger(__name__)

#: originals stored by ingest under their content address: sha256/<2 hex>/<sha256>
_CONTENT_ADDRESS = re.compile(r"sha256/[0-9a-f]{2}/([0-9a-f]{64})")
#: formats whose attachments each parent document hands back itself: never cached
MAIL_TYPES = frozenset({"message/rfc822", "application/vnd.ms-outlook"})


class Store(Protocol):
    """What the stage needs of :class:`lexstream.shared.storage.ObjectStore`."""

    derived: str

    async def exists(self, ref: ObjectRef) -> bool: ...

    async def download(self, ref: ObjectRef, path: Path) -> None: ...

    async def get_json_if_exists(self, ref: ObjectRef) -> Any | None: ...

    async def put_json(self, ref: ObjectRef, payload: Any) -> None: ...

    async def put_bytes(self, ref: ObjectRef, data: bytes, *, content_type: str) -> None: ...

    async def put_file(self, ref: ObjectRef, path: Path, *, content_type: str) -> None: ...

    async def remove(self, ref: ObjectRef) -> None: ...


class TextRecovery(Protocol):
    """The signature of :func:`lexstream.ocr.extract.extract_text`."""

    def __call__(
        self,
        path: Path,
        *,
        media_type: str,
        document_id: str,
        options: OcrOptions,
        progress: Progress | None = None,
        pool: PageOcr | None = None,
    ) -> ExtractionResult: ...


class OcrStage:
    def __init__(
        self,
        settings: OcrSettings,
        broker: KafkaBroker,
        store: Store,
        topics: Topics,
        *,
        extract: TextRecovery = extract_text,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.store = store
        self.topics = topics
        self.extract = extract
        self.pool: OcrPool | None = None
        meter = metrics.get_meter("lexstream.ocr")
        self._pages = meter.create_counter(
            "lexstream.pages.processed", description="pages whose text was recovered, by method"
        )
        self._cache_hits = meter.create_counter(
            "lexstream.ocr.cache_hits", description="documents whose text came from the cache"
        )

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

    def cache_ref(self, request: OcrRequested) -> ObjectRef | None:
        """Where the text of this original, read with these options, is cached; None where
        nothing is cached: the cache is off, the original is not content-addressed (adopted),
        a searchable PDF is made, or the format has attachments (each parent hands its own
        back to ingest)."""
        match = _CONTENT_ADDRESS.fullmatch(request.original.key)
        if (
            not self.settings.text_cache
            or match is None
            or self.settings.searchable_pdf
            or request.media_type in MAIL_TYPES
        ):
            return None
        options = self.options_for(request.hints.language)
        fingerprint = hashlib.sha256(
            json.dumps(
                [
                    EXTRACTOR_VERSION,
                    request.media_type,
                    options.languages,
                    options.language_hint,
                    options.dpi,
                    options.min_dpi,
                    options.max_page_pixels,
                    options.min_chars_per_page,
                ]
            ).encode()
        ).hexdigest()[:24]
        return ObjectRef(
            bucket=self.store.derived, key=f"_cache/text/{match.group(1)}/{fingerprint}.json"
        )

    async def handle(self, request: OcrRequested) -> TextExtracted:
        """Recover and store the document's text; the event that announces it is returned."""
        progress = ProgressReporter(
            self.broker, self.topics, request, Stage.OCR, DocumentStatus.EXTRACTING
        )
        await progress.started()
        if not await self.store.exists(request.original):
            raise PermanentError(f"the original {request.original.uri} does not exist")
        text_ref = ObjectRef(
            bucket=self.store.derived, key=derived_key(request.document_id, "text.json")
        )
        cache = self.cache_ref(request)
        cached = await self._cached_text(cache, request.document_id)
        if cached is not None:
            # The same bytes were read before (another matter, a re-upload): same text.
            trace.get_current_span().set_attribute("lexstream.ocr_cache", "hit")
            self._cache_hits.add(1)
            await self.store.put_json(text_ref, cached.model_dump(mode="json"))
            return self._announcement(request, text_ref, cached)
        with tempfile.TemporaryDirectory(dir=self.settings.work_dir, prefix="ocr-") as tmp:
            path = Path(tmp) / "original"
            await self.store.download(request.original, path)
            result = await self._recover(request, path, progress.pages())
            self._count(request, result.text)
            await self.store.put_json(text_ref, result.text.model_dump(mode="json"))
            if cache is not None and not result.attachments:
                await self._write_cache(cache, request.original, result.text)
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
                await self._hand_back(request, result.attachments)
        return self._announcement(request, text_ref, result.text)

    async def _write_cache(self, cache: ObjectRef, original: ObjectRef, text: TextDocument) -> None:
        """Cache the text of these bytes; then, where the original is gone meanwhile (a
        deletion of the last document holding them removes the original before it lists the
        cache), remove it again: no text of bytes that no live document holds stays behind."""
        try:
            await self.store.put_json(cache, text.model_dump(mode="json"))
            if not await self.store.exists(original):
                await self.store.remove(cache)
                log.info("text of deleted bytes not cached", extra={"key": cache.key})
        except Exception as exc:  # an optimisation: never fail a document over it
            log.warning("text cache not written", extra={"error": repr(exc)})

    async def _recover(
        self, request: OcrRequested, path: Path, progress: Progress
    ) -> ExtractionResult:
        try:
            return await asyncio.to_thread(
                self.extract,
                path,
                media_type=request.media_type,
                document_id=request.document_id,
                options=self.options_for(request.hints.language),
                progress=progress,
                pool=self.pool,
            )
        except ExtractionError as exc:
            raise PermanentError(exc.reason, error_type="ExtractionError") from exc
        except ExtractorUnavailableError as exc:
            # a missing tool is the deployment's fault, not the file's: retry, never DLQ
            raise TransientError(str(exc)) from exc

    async def _cached_text(self, ref: ObjectRef | None, document_id: str) -> TextDocument | None:
        if ref is None:
            return None
        try:
            cached = await self.store.get_json_if_exists(ref)
            if cached is None:
                return None
            text = TextDocument.model_validate(cached)
        except ValueError as exc:  # not JSON, or not a TextDocument: read the file again
            log.warning("unreadable cached text ignored", extra={"key": ref.key, "error": str(exc)})
            return None
        return text.model_copy(update={"document_id": document_id})

    def _count(self, request: OcrRequested, text: TextDocument) -> None:
        methods = Counter(page.method for page in text.pages)
        for method, count in methods.items():
            self._pages.add(count, {"method": method})
        trace.get_current_span().set_attributes(
            {
                "lexstream.media_type": request.media_type,
                "lexstream.pages": len(text.pages),
                "lexstream.pages_ocr": methods.get("ocr", 0),
            }
        )

    async def _hand_back(self, request: OcrRequested, attachments: list[Attachment]) -> None:
        """Claim check: each attachment's bytes go to the derived bucket and ingest makes it a
        child document (same source + external_id on a redelivery: the same child, never a
        second one)."""
        for number, attachment in enumerate(attachments, start=1):
            safe = re.sub(r"[^A-Za-z0-9._-]+", "_", attachment.filename)[-100:] or "file"
            ref = ObjectRef(
                bucket=self.store.derived,
                key=derived_key(request.document_id, f"attachments/{number}-{safe}"),
            )
            await self.store.put_bytes(ref, attachment.data, content_type=attachment.media_type)
            submitted = DocumentSubmitted(
                source="lexstream-ocr",
                external_id=f"{request.document_id}/attachments/{number}",
                filename=attachment.filename or f"attachment-{number}",
                object_uri=ref.uri,
                matter_id=request.matter_id,
                tenant=request.tenant,
                jurisdiction=request.hints.jurisdiction,
                language=request.hints.language,
                media_type=attachment.media_type,
                parent_document_id=request.document_id,
            )
            await self.broker.publish(
                submitted.model_dump(mode="json", exclude_none=True),
                self.topics.submitted,
                key=request.document_id.encode(),
            )
        log.info(
            "attachments handed to ingest",
            extra={"document_id": request.document_id, "count": len(attachments)},
        )

    @staticmethod
    def _announcement(
        request: OcrRequested, text_ref: ObjectRef, text: TextDocument
    ) -> TextExtracted:
        return TextExtracted(
            **request.envelope(),
            text=text_ref,
            media_type=request.media_type,
            filename=request.filename,
            pages=len(text.pages),
            language=text.language,
            hints=request.hints,
            extractor=text.extractor,
            warnings=text.warnings,
        )

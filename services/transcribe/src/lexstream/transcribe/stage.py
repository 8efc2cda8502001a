"""The transcribe stage: fetch the recording, transcribe it, store the transcript and captions.

Knows the object store and the broker it reports progress to, but not how a message
arrives: :mod:`lexstream.transcribe.handlers` decodes and publishes what
:meth:`TranscribeStage.handle` returns. Storage and the transcriber are handed in, so a test
can pass fakes for both.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from faststream.kafka import KafkaBroker
from opentelemetry import metrics, trace

from lexstream.shared.artifacts import Transcript
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import (
    DocumentStatus,
    ObjectRef,
    Stage,
    Topics,
    TranscribeRequested,
    TranscriptReady,
)
from lexstream.shared.progress import ProgressReporter
from lexstream.shared.speakers import parse_channel_map
from lexstream.shared.storage import derived_key
from lexstream.transcribe.captions import to_srt, to_webvtt
from lexstream.transcribe.errors import TranscriptionInputError
from lexstream.transcribe.interpreting import pair_interpretations
from lexstream.transcribe.labels import label_speakers
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.vocabulary import EMPTY, NAME_KINDS, Vocabulary, combine

log = logging.getLogger(__name__)


class Store(Protocol):
    """What the stage needs of :class:`lexstream.shared.storage.ObjectStore`."""

    derived: str

    async def exists(self, ref: ObjectRef) -> bool: ...

    async def download(self, ref: ObjectRef, path: Path) -> None: ...

    async def put_json(self, ref: ObjectRef, payload: Any) -> None: ...

    async def put_bytes(self, ref: ObjectRef, data: bytes, *, content_type: str) -> None: ...


class Transcription(Protocol):
    """What the stage needs of :class:`lexstream.transcribe.engine.Transcriber`."""

    def transcribe(
        self,
        path: Path,
        *,
        document_id: str,
        media_type: str,
        language: str | None = None,
        initial_prompt: str | None = None,
        hotwords: str | None = None,
        max_duration_s: float | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> Transcript: ...


class VocabularySource(Protocol):
    """What the stage needs of :class:`lexstream.transcribe.vocabulary.MatterVocabularies`."""

    async def for_matter(self, tenant: str, matter_id: str | None) -> Vocabulary: ...


class TranscribeStage:
    def __init__(
        self,
        settings: TranscribeSettings,
        broker: KafkaBroker,
        store: Store,
        topics: Topics,
        transcriber: Transcription,
        vocabulary: VocabularySource | None = None,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.store = store
        self.topics = topics
        self.transcriber = transcriber
        self.vocabulary = vocabulary
        self._audio_seconds = metrics.get_meter("lexstream.transcribe").create_counter(
            "lexstream.audio.seconds", unit="s", description="seconds of audio transcribed"
        )

    async def handle(self, request: TranscribeRequested) -> TranscriptReady:
        """Transcribe and store the recording; the event that announces it is returned."""
        progress = ProgressReporter(
            self.broker, self.topics, request, Stage.TRANSCRIBE, DocumentStatus.TRANSCRIBING
        )
        await progress.started()
        if not await self.store.exists(request.original):
            raise PermanentError(f"the original {request.original.uri} does not exist")
        matter = EMPTY
        if self.vocabulary is not None:
            matter = await self.vocabulary.for_matter(request.tenant, request.matter_id)
        with tempfile.TemporaryDirectory(dir=self.settings.work_dir, prefix="asr-") as tmp:
            path = Path(tmp) / "recording"
            await self.store.download(request.original, path)
            try:
                transcript = await asyncio.to_thread(
                    self.transcriber.transcribe,
                    path,
                    document_id=request.document_id,
                    media_type=request.media_type,
                    language=request.hints.language,
                    initial_prompt=combine(request.hints.initial_prompt, matter.prompt),
                    hotwords=combine(request.hints.hotwords, matter.hotwords),
                    max_duration_s=self.settings.max_duration_s,
                    progress=progress.report,
                )
            except TranscriptionInputError as exc:
                raise PermanentError(exc.reason, error_type="TranscriptionInputError") from exc
        # the people the matter's documents name spell the names the recording says
        people = [term.text for term in matter.terms if term.kind in NAME_KINDS]
        transcript = label_speakers(transcript, _channel_map(request.hints.channels), people)
        transcript = pair_interpretations(transcript)

        self._audio_seconds.add(transcript.duration, {"model": transcript.model})
        trace.get_current_span().set_attributes(
            {
                "lexstream.media_type": request.media_type,
                "lexstream.audio_seconds": transcript.duration,
                "lexstream.model": transcript.model,
                "lexstream.device": transcript.device,
                "lexstream.segments": len(transcript.segments),
            }
        )

        def ref(name: str) -> ObjectRef:
            return ObjectRef(bucket=self.store.derived, key=derived_key(request.document_id, name))

        json_ref, vtt_ref, srt_ref = (
            ref("transcript.json"),
            ref("transcript.vtt"),
            ref("transcript.srt"),
        )
        await self.store.put_json(json_ref, transcript.model_dump(mode="json"))
        await self.store.put_bytes(vtt_ref, to_webvtt(transcript).encode(), content_type="text/vtt")
        await self.store.put_bytes(
            srt_ref, to_srt(transcript).encode(), content_type="application/x-subrip"
        )
        return TranscriptReady(
            **request.envelope(),
            transcript=json_ref,
            vtt=vtt_ref,
            srt=srt_ref,
            media_type=request.media_type,
            filename=request.filename,
            duration=transcript.duration,
            language=transcript.language,
            hints=request.hints,
            model=transcript.model,
            device=transcript.device,
        )


def _channel_map(channels: str | None) -> dict[int, str] | None:
    """The upload's channel map; one that does not parse is set aside, not fatal (the
    gateway refuses those, but a document may come by another intake)."""
    if not channels:
        return None
    try:
        return parse_channel_map(channels)
    except ValueError as exc:
        log.warning("ignoring the channel map: %s", exc)
        return None

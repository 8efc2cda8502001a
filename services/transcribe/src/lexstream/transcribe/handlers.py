"""transcribe handlers: fetch the recording, transcribe it, publish the claim check."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

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
from lexstream.shared.kafka import publish_event
from lexstream.shared.progress import ProgressReporter
from lexstream.shared.storage import ObjectStore, derived_key
from lexstream.transcribe.captions import to_srt, to_webvtt
from lexstream.transcribe.engine import Transcriber, TranscriptionInputError
from lexstream.transcribe.settings import TranscribeSettings

log = logging.getLogger(__name__)


class TranscribeHandler:
    def __init__(
        self,
        settings: TranscribeSettings,
        broker: KafkaBroker,
        store: ObjectStore,
        topics: Topics,
        transcriber: Transcriber,
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.store = store
        self.topics = topics
        self.transcriber = transcriber
        self._audio_seconds = metrics.get_meter("lexstream.transcribe").create_counter(
            "lexstream.audio.seconds", unit="s", description="seconds of audio transcribed"
        )

    async def handle(self, request: TranscribeRequested) -> None:
        envelope = request.envelope()
        progress = ProgressReporter(
            self.broker, self.topics, request, Stage.TRANSCRIBE, DocumentStatus.TRANSCRIBING
        )
        await progress.started()
        if not await self.store.exists(request.original):
            raise PermanentError(f"the original {request.original.uri} does not exist")
        with tempfile.TemporaryDirectory(dir=self.settings.work_dir, prefix="asr-") as tmp:
            path = Path(tmp) / "recording"
            await self.store.download(request.original, path)
            try:
                transcript: Transcript = await asyncio.to_thread(
                    self.transcriber.transcribe,
                    path,
                    document_id=request.document_id,
                    media_type=request.media_type,
                    language=request.hints.language,
                    initial_prompt=request.hints.initial_prompt,
                    hotwords=request.hints.hotwords,
                    max_duration_s=self.settings.max_duration_s,
                    progress=progress.report,
                )
            except TranscriptionInputError as exc:
                raise PermanentError(exc.reason, error_type="TranscriptionInputError") from exc

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
        await publish_event(
            self.broker,
            self.topics.transcript_ready,
            TranscriptReady(
                **envelope,
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
            ),
        )

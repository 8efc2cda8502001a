"""The transcribe router in memory (FastStream's ``TestKafkaBroker``): the real subscriber,
stage runner and stage, with the object store in memory and a stand-in transcriber (the
Whisper model itself is tested in ``test_transcribe_engine``)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from tests.support.factories import hearing_transcript
from tests.support.inmemory import Published, StageHarness, assert_failed_for_good, wire

from lexstream.shared.artifacts import Transcript
from lexstream.shared.events import Hints, Stage, TranscribeRequested, TranscriptReady
from lexstream.transcribe.errors import InputErrorCode, TranscriptionInputError
from lexstream.transcribe.handlers import build_router
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.stage import TranscribeStage

RECORDING = b"RIFF....WAVEfmt "  # the stand-in never decodes it


@dataclass
class FakeTranscriber:
    """Answers every recording with two segments, or raises ``error``; keeps what it got."""

    error: Exception | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def transcribe(self, path: Path, **kwargs: Any) -> Transcript:
        self.calls.append({"bytes": path.read_bytes(), **kwargs})
        if self.error is not None:
            raise self.error
        return hearing_transcript(kwargs["document_id"], media_type=kwargs["media_type"])


@dataclass
class Transcribe(StageHarness[TranscribeSettings]):
    consumes = "transcribe_requested"
    transcriber: FakeTranscriber
    ready: list[Published] = field(init=False, metadata={"collects": "transcript_ready"})

    async def request(self, *, missing: bool = False, **fields: Any) -> TranscribeRequested:
        original = self.store.put_original(f"sha256/ab/{secrets.token_hex(32)}", RECORDING)
        if missing:
            del self.store.objects[original.bucket, original.key]
        request = TranscribeRequested(
            document_id=f"doc-{secrets.token_hex(4)}",
            original=original,
            media_type="audio/wav",
            filename="hearing.wav",
            **fields,
        )
        await self.broker.publish(
            request.model_dump_event(),
            self.topics.transcribe_requested,
            key=request.document_id.encode(),
        )
        return request


@pytest.fixture
def transcriber() -> FakeTranscriber:
    return FakeTranscriber()


@pytest.fixture
async def asr(transcriber: FakeTranscriber) -> AsyncIterator[Transcribe]:
    harness = wire(Transcribe, TranscribeSettings, Stage.TRANSCRIBE, transcriber=transcriber)
    stage = TranscribeStage(
        harness.settings, harness.broker, harness.store, harness.topics, transcriber
    )
    harness.broker.include_router(
        build_router(harness.settings, harness.topics, harness.runner, stage)
    )
    async with TestKafkaBroker(harness.broker):
        yield harness


async def test_a_recording_is_transcribed_stored_with_captions_and_announced(
    asr: Transcribe,
) -> None:
    hints = Hints(language="en", initial_prompt="Smith v. Jones", hotwords="Smith Jones")
    request = await asr.request(hints=hints, matter_id="M-1")
    [call] = asr.transcriber.calls
    assert call["bytes"] == RECORDING
    assert (call["language"], call["initial_prompt"], call["hotwords"]) == (
        "en",
        "Smith v. Jones",
        "Smith Jones",
    )
    [published] = asr.ready
    assert published.key == request.document_id.encode()
    ready = TranscriptReady.model_validate(published.body)
    assert (ready.document_id, ready.matter_id, ready.duration, ready.model) == (
        request.document_id,
        "M-1",
        4.5,
        "fake",
    )
    stored = Transcript.model_validate_json(asr.store.read(ready.transcript))
    assert [s.text for s in stored.segments] == ["All rise.", "Be seated."]
    vtt = asr.store.read(ready.vtt).decode()
    assert vtt.startswith("WEBVTT")
    assert "All rise." in vtt
    assert "00:00:02,500 --> 00:00:04,500" in asr.store.read(ready.srt).decode()
    assert asr.store.content_types[ready.vtt.bucket, ready.vtt.key] == "text/vtt"
    assert not asr.failed
    assert not asr.dlq


@pytest.mark.parametrize(
    "transcriber",
    [
        FakeTranscriber(
            TranscriptionInputError("the file has no audio stream", InputErrorCode.NO_AUDIO_STREAM)
        )
    ],
)
async def test_a_recording_without_audio_fails_with_its_reason_and_goes_to_the_dlq(
    asr: Transcribe,
) -> None:
    request = await asr.request()
    assert not asr.ready
    assert_failed_for_good(
        asr,
        request,
        stage="transcribe",
        reason="the file has no audio stream",
        error_type="TranscriptionInputError",
    )
    assert len(asr.transcriber.calls) == 1  # the input's fault: not retried


async def test_a_missing_recording_is_a_permanent_failure(asr: Transcribe) -> None:
    await asr.request(missing=True)
    assert not asr.transcriber.calls
    assert not asr.ready
    [failed] = asr.failed
    assert "does not exist" in failed.body["reason"]
    assert len(asr.dlq) == 1


@pytest.mark.parametrize("transcriber", [FakeTranscriber(ConnectionResetError("GPU host gone"))])
async def test_a_transient_error_is_retried_then_left_for_redelivery(asr: Transcribe) -> None:
    with pytest.raises(ConnectionResetError):
        await asr.request()
    assert len(asr.transcriber.calls) == 2  # retry_attempts
    assert not asr.ready
    assert not asr.failed
    assert not asr.dlq


@dataclass
class ChannelTranscriber(FakeTranscriber):
    """The two segments as a two-channel recording gives them: ``channel-1``, ``channel-2``."""

    def transcribe(self, path: Path, **kwargs: Any) -> Transcript:
        transcript = super().transcribe(path, **kwargs)
        segments = [
            s.model_copy(update={"speaker": f"channel-{s.id + 1}"}) for s in transcript.segments
        ]
        return transcript.model_copy(update={"segments": segments})


@pytest.mark.parametrize("transcriber", [ChannelTranscriber()])
async def test_the_uploads_channel_map_labels_the_transcript_and_its_captions(
    asr: Transcribe,
) -> None:
    await asr.request(hints=Hints(channels="1:the court,2:Ms. Hale for the plaintiff"))
    await asr.request(hints=Hints(channels="the court"))  # not a map: set aside, not fatal

    labelled, unlabelled = (TranscriptReady.model_validate(p.body) for p in asr.ready)
    stored = Transcript.model_validate_json(asr.store.read(labelled.transcript))
    assert [s.speaker for s in stored.segments] == ["THE COURT", "MS. HALE"]
    assert [(e.speaker, e.role, e.source) for e in stored.speakers] == [
        ("channel-1", "the court", "channel map"),
        ("channel-2", "counsel for the plaintiff", "channel map"),
    ]
    assert "<v THE COURT>All rise." in asr.store.read(labelled.vtt).decode()
    assert "MS. HALE: Be seated." in asr.store.read(labelled.srt).decode()
    assert labelled.hints.channels == "1:the court,2:Ms. Hale for the plaintiff"
    plain = Transcript.model_validate_json(asr.store.read(unlabelled.transcript))
    assert [s.speaker for s in plain.segments] == ["channel-1", "channel-2"]
    assert not asr.failed

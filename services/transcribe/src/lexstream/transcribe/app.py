"""The transcribe service: ``transcribe.requested`` in, ``transcript.ready`` out."""

from __future__ import annotations

import time

from fastapi import FastAPI

from lexstream.shared.events import Stage
from lexstream.shared.kafka import StageRunner, ensure_topics
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.worker import create_worker_app, kafka_check, worker_parts
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.handlers import build_router
from lexstream.transcribe.metrics import Nvml, TranscribeGauges
from lexstream.transcribe.settings import TranscribeSettings
from lexstream.transcribe.speakers import mono_diarizer
from lexstream.transcribe.stage import TranscribeStage
from lexstream.transcribe.vocabulary import MatterVocabularies


def create_app(
    settings: TranscribeSettings | None = None, telemetry: Telemetry | None = None
) -> FastAPI:
    settings = settings or TranscribeSettings()
    broker, store, topics = worker_parts(settings, "transcribe", telemetry)
    # One model per process, loaded once and reused for every recording.
    load_started = time.perf_counter()
    transcriber = Transcriber(
        model=settings.model,
        device=settings.device,
        compute_type=settings.compute_type,
        batch_size=settings.batch_size,
        cpu_threads=settings.cpu_threads,
        cache_dir=settings.model_cache_dir,
        diarizer=mono_diarizer(
            settings.diarization, settings.model_cache_dir, max_speakers=settings.max_speakers
        ),
    )
    TranscribeGauges(
        model=settings.model,
        device=transcriber.device,
        compute_type=transcriber.compute_type,
        load_s=time.perf_counter() - load_started,
        nvml=Nvml.open() if transcriber.device == "cuda" else None,
    )
    # The matter's names and terms, read-only from the documents alias (never the gateway).
    search = (
        make_search_client(
            settings, request_timeout=settings.matter_vocabulary_timeout_s, max_retries=0
        )
        if settings.reads_matter_vocabulary
        else None
    )
    tokenizer = transcriber.whisper_model.hf_tokenizer
    vocabulary = (
        MatterVocabularies(
            search,
            documents_alias(settings),
            max_terms=settings.matter_vocabulary_terms,
            prompt_tokens=settings.matter_vocabulary_prompt_tokens,
            hotword_tokens=settings.matter_vocabulary_hotword_tokens,
            ttl_s=settings.matter_vocabulary_ttl_s,
            count_tokens=lambda text: len(tokenizer.encode(" " + text).ids),
        )
        if search is not None
        else None
    )
    stage = TranscribeStage(settings, broker, store, topics, transcriber, vocabulary)
    runner = StageRunner(broker, topics, Stage.TRANSCRIBE, settings)
    broker.include_router(build_router(settings, topics, runner, stage))
    return create_worker_app(
        title="lexstream transcribe",
        broker=broker,
        checks=lambda: {"kafka": kafka_check(broker), "s3": store.ping},
        startup=[
            ("kafka topics", lambda: ensure_topics(settings, topics.all())),
            ("s3", store.bootstrap),
        ],
        shutdown=[search.close] if search is not None else [],
    )

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from lexstream.shared.settings import CommonSettings


class TranscribeSettings(CommonSettings):
    # production asks no search credentials of it, unless matter_vocabulary is "on"
    uses_elasticsearch = False
    service_name: str = "transcribe"
    health_port: int = 8092
    model: str = Field(
        default="base-offline",
        description="faster-whisper model: a name (large-v3) or a local folder; "
        "'base-offline' is the base model shipped on PyPI",
    )
    model_cache_dir: Path = Path.home() / ".cache" / "lexstream" / "models"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "auto"
    batch_size: int = 16
    cpu_threads: int = 0
    max_duration_s: float = Field(default=6 * 3600, description="longest accepted recording")
    diarization: Literal["auto", "model", "off"] = Field(
        default="auto",
        description="speakers of one-channel recordings: 'model' diarizes with the speaker "
        "encoder that `make model` puts in model_cache_dir, 'auto' does so when it is there, "
        "'off' leaves them unlabelled (multi-channel recordings are labelled by channel)",
    )
    max_speakers: int | None = Field(default=None, ge=1, description="cap on speakers found")
    matter_vocabulary: Literal["auto", "on", "off"] = Field(
        default="off",
        description="prime a recording of a matter with the names and terms of the matter's "
        "documents, read from the documents alias (lexstream.transcribe.vocabulary): 'on' "
        "requires Elasticsearch's credentials and TLS in production, 'auto' uses it where "
        "they are given (always outside production), 'off' never. Off by default: on the "
        "synthesised hearings it cut WER from 26.7 % to 8.1 % (names 79 % to 18 %) but made "
        "transcription 3.3x slower on CPU (bench/transcribe/rtf_hearing.py), until the "
        "decoder's run-on after the prompt is bounded",
    )
    matter_vocabulary_terms: int = Field(default=50, ge=1, description="most terms taken")
    matter_vocabulary_prompt_tokens: int = Field(
        default=150, ge=0, description="Whisper tokens of the matter's prompt, at most"
    )
    matter_vocabulary_hotword_tokens: int = Field(
        default=0,
        ge=0,
        description="Whisper tokens of the matter's names as hotwords, at most; none by "
        "default: beside the prompt they doubled the names in Whisper's context and it "
        "repeated them into silences (bench/transcribe/vocabulary.py)",
    )
    matter_vocabulary_ttl_s: float = Field(
        default=300.0, ge=0, description="how long a matter's vocabulary is kept"
    )
    matter_vocabulary_timeout_s: float = Field(
        default=5.0, gt=0, description="the search's time limit; past it, none is used"
    )
    work_dir: Path | None = None

    @model_validator(mode="after")
    def _vocabulary_search_is_secured(self) -> Self:
        """'on' holds the search to production's rules; 'auto' then stands down instead."""
        if self.environment == "production" and self.matter_vocabulary == "on":
            missing = self._elasticsearch_insecurities()
            if missing:
                raise ValueError("matter_vocabulary=on: " + "; ".join(missing))
        return self

    @property
    def reads_matter_vocabulary(self) -> bool:
        if self.matter_vocabulary == "auto" and self.environment == "production":
            return not self._elasticsearch_insecurities()
        return self.matter_vocabulary != "off"

"""What a window costs: one encoder pass where nothing is left to decode, and a split only
where its chunks are in another language (the offline base model on CPU)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bench.transcribe.vocabulary import hearings, matter_vocabulary, search_documents
from faster_whisper.audio import pad_or_trim
from tests.samples import sample

from lexstream.transcribe import engine
from lexstream.transcribe.audio import SAMPLE_RATE, decode_audio
from lexstream.transcribe.engine import Transcriber, chunk_languages
from lexstream.transcribe.windows import SpeechChunk, SpeechWindow


class Calls:
    def __init__(self) -> None:
        self.encode = 0
        self.generate = 0


@pytest.fixture
def calls(transcriber: Transcriber, monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Counts the model's encoder passes and the windows it decodes."""
    model = transcriber.whisper_model
    counted = Calls()
    encode, generate = model.encode, model.generate_segments

    def counting_encode(*args: Any, **kwargs: Any) -> Any:
        counted.encode += 1
        return encode(*args, **kwargs)

    def counting_generate(*args: Any, **kwargs: Any) -> Iterator[Any]:
        counted.generate += 1  # a window decoded (the options' template is never iterated)
        yield from generate(*args, **kwargs)

    monkeypatch.setattr(model, "encode", counting_encode)
    monkeypatch.setattr(model, "generate_segments", counting_generate)
    return counted


def _jfk(transcriber: Transcriber) -> str:
    transcript = transcriber.transcribe(
        sample("audio/jfk.flac"), document_id="jfk", media_type="audio/flac"
    )
    return transcript.text


@pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")),
    reason="the hearing is synthesised with espeak-ng and sox (Debian packages)",
)
def test_no_second_pass_over_the_padding_after_a_windows_last_word(
    transcriber: Transcriber, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the one-channel directions hearing with its matter's prompt: three windows, each
    # first pass ending without a final timestamp, so faster-whisper's own loop
    # (window_tail_s=None) seeks again from the last word over VAD's padding
    hearing = hearings()[1]
    prompt = matter_vocabulary(search_documents()).prompt

    def segments() -> list[tuple[float, str]]:
        transcript = transcriber.transcribe(
            hearing.path, document_id="h", media_type="audio/wav", initial_prompt=prompt
        )
        return [(segment.start, segment.text) for segment in transcript.segments]

    monkeypatch.setattr(transcriber, "window_tail_s", None)
    every_pass = segments()
    windows, passes = calls.generate, calls.encode
    assert passes > windows, (passes, windows)

    monkeypatch.setattr(transcriber, "window_tail_s", engine.WINDOW_TAIL_S)
    calls.encode = calls.generate = 0
    assert segments() == every_pass
    assert calls.generate == windows
    # one encoder pass a window: the language's encoder output is reused for the decoding
    assert calls.encode == windows


def test_each_chunks_language_is_read_from_its_own_frames(transcriber: Transcriber) -> None:
    english = decode_audio(sample("audio/jfk.flac")).downmix(None)
    german = decode_audio(sample("audio/multilingual.mp3")).downmix(None)
    german = german[int(30.64 * SAMPLE_RATE) : int(41.78 * SAMPLE_RATE)]
    track = np.concatenate([english, german])
    window = SpeechWindow(
        (SpeechChunk(0, english.shape[0]), SpeechChunk(english.shape[0], track.shape[0]))
    )
    model = transcriber.whisper_model
    features = model.feature_extractor(window.audio(track))
    encoded = model.encode(pad_or_trim(features[:, : features.shape[-1] - 1]))

    languages = chunk_languages(model, encoded, window)

    assert [language for language, _ in languages] == ["en", "de"]
    assert all(probability >= engine.PART_LANGUAGE_CONFIRM for _, probability in languages)


def test_an_uncertain_window_is_split_only_where_its_chunks_do_not_confirm_it(
    transcriber: Transcriber, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every window uncertain: JFK's one window of four speech chunks, each English on its
    # own frames, is decoded whole, as it is at the default threshold
    monkeypatch.setattr(transcriber, "language_switch_threshold", 1.01)
    whole = _jfk(transcriber)
    assert calls.generate == 1
    assert "ask not what your country can do for you" in whole.lower()

    # chunks that cannot confirm it: the window is split and each chunk decoded on its own
    monkeypatch.setattr(engine, "PART_LANGUAGE_CONFIRM", 1.01)
    calls.generate = 0
    _jfk(transcriber)
    assert calls.generate == 4

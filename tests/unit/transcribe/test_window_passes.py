"""What a window costs: one encoder pass where nothing is left to decode, and a split only
where its chunks are in another language (the offline base model on CPU)."""

from __future__ import annotations

import re
import shutil
import wave
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from bench.transcribe.vocabulary import hearings, matter_vocabulary, search_documents
from faster_whisper.audio import pad_or_trim
from tests.samples import sample

from lexstream.transcribe import engine
from lexstream.transcribe.audio import SAMPLE_RATE, decode_audio
from lexstream.transcribe.engine import Transcriber, chunk_languages, silent_after
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


def _tone(seconds: float, level: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), np.float32)


def test_sound_after_the_last_word_is_heard_and_padding_is_not() -> None:
    speech_then_padding = np.concatenate([_tone(3.0), _silence(0.6)])
    assert silent_after(speech_then_padding, 3.0)
    # the word's own decay, in the quarter second after its stamped end, is not a word
    assert silent_after(np.concatenate([_tone(3.2), _silence(0.5)]), 3.0)
    # a quiet "Yes." 0.3 s after the last word (a tenth of the speech's level is enough)
    answer = np.concatenate([_tone(3.0), _silence(0.3), _tone(0.3, 0.1), _silence(0.4)])
    assert not silent_after(answer, 3.0)
    assert silent_after(_silence(2.0), 1.0)


class _Word:
    def __init__(self, end: float) -> None:
        self.end = end


class _Segment:
    def __init__(self, seek: int, end: float, text: str) -> None:
        self.seek, self.end, self.text = seek, end, text
        self.words = [_Word(end)]


class _Passes:
    """A model whose decoding yields a first pass ending at 3.0 s of a 4.0 s window, then a
    second pass (what faster-whisper's next seek would give), and says whether it got there."""

    def __init__(self) -> None:
        self.second_pass = False

        class Extractor:
            time_per_frame = 0.01

        self.feature_extractor = Extractor()

    def generate_segments(self, *_: Any) -> Iterator[_Segment]:
        yield _Segment(0, 3.0, " Do you swear to tell the truth?")
        self.second_pass = True
        yield _Segment(300, 3.4, " I do.")


def _decode(audio: np.ndarray) -> tuple[list[str], bool]:
    model = _Passes()
    decoder = engine._SequentialDecoder(model, None, "en", 0.9, engine.WINDOW_TAIL_S)  # type: ignore[arg-type]
    features = np.zeros((80, 401), np.float32)  # 4.0 s of content
    texts = [s.text for s in decoder._generate(features, audio, None, None, None)]  # type: ignore[arg-type]
    return texts, model.second_pass


def test_the_pass_after_the_last_word_runs_only_where_something_is_heard() -> None:
    # padding after the first pass's last word: the second pass is never started
    texts, second = _decode(np.concatenate([_tone(3.0), _silence(1.0)]))
    assert texts == [" Do you swear to tell the truth?"]
    assert not second
    # the first pass left a short answer unfinished (dropped, for the next pass to decode):
    # it is heard after the last word, so the next pass runs and the answer is kept
    texts, second = _decode(np.concatenate([_tone(3.0), _silence(0.3), _tone(0.4), _silence(0.3)]))
    assert texts == [" Do you swear to tell the truth?", " I do."]
    assert second


def test_a_chunk_in_another_language_splits_a_window_called_certain(
    transcriber: Transcriber, calls: Calls, tmp_path: Any
) -> None:
    # JFK's 11 s of English, a second's pause, 11 s of German: one window, which Whisper
    # calls German 0.95 (certain); its chunks' own frames say English, then German
    english = decode_audio(sample("audio/jfk.flac")).downmix(None)
    german = decode_audio(sample("audio/multilingual.mp3")).downmix(None)
    german = german[int(30.64 * SAMPLE_RATE) : int(41.78 * SAMPLE_RATE)]
    path = tmp_path / "en-de.wav"
    track = np.concatenate([english, _silence(1.0), german])
    with wave.open(str(path), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(SAMPLE_RATE)
        output.writeframes((np.clip(track, -1, 1) * 32767).astype("<i2").tobytes())

    transcript = transcriber.transcribe(path, document_id="en-de", media_type="audio/wav")

    english_part = [s for s in transcript.segments if s.end <= english.shape[0] / SAMPLE_RATE]
    german_part = [s for s in transcript.segments if s.start >= english.shape[0] / SAMPLE_RATE]
    assert {s.language for s in english_part} == {"en"}, [s.language for s in english_part]
    assert {s.language for s in german_part} == {"de"}, [s.language for s in german_part]
    heard = " ".join(re.sub(r"[^\w\s]", " ", s.text.lower()) for s in english_part).split()
    assert "ask not what your country can do for you" in " ".join(heard)
    assert calls.generate > 1  # split: its chunks decoded one by one

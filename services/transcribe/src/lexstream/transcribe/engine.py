"""The transcription engine: faster-whisper (CTranslate2) behind one ``Transcriber`` per process.

The recording is decoded with PyAV; voice-activity detection finds the speech, which is
packed into windows of one Whisper context each (see :mod:`lexstream.transcribe.windows`).
Each window is encoded once; its language is read from that encoder output and the
window is transcribed in that language, so a hearing that switches between English and
German comes out in English and German, not translated. A window whose language is
uncertain (two languages in it) is split into its speech chunks, each transcribed in its
own language. Channels that carry different speakers are transcribed one by one and
labelled ``channel-1``, ``channel-2``, ...

On CUDA the windows go through ``BatchedInferencePipeline`` in batches (float16); on CPU
through ``WhisperModel``'s sequential decoder (int8).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import ctranslate2
import numpy as np
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer

from lexstream.shared.artifacts import Segment, Transcript, Word
from lexstream.transcribe.audio import (
    SAMPLE_RATE,
    DecodedAudio,
    FloatArray,
    decode_audio,
    distinct_channels,
)
from lexstream.transcribe.diarize import Diarizer, channel_speaker
from lexstream.transcribe.errors import InputErrorCode, TranscriptionInputError
from lexstream.transcribe.model import DEFAULT_CACHE_DIR, OFFLINE_BASE_MODEL, resolve_model
from lexstream.transcribe.windows import (
    WHISPER_WINDOW_S,
    SpeechWindow,
    find_speech,
    frame_levels,
    pack_windows,
    speech_onset,
)

__all__ = [
    "InputErrorCode",
    "Transcriber",
    "TranscriptionInputError",
    "choose_device",
    "chunk_languages",
    "dominant_language",
]

logger = logging.getLogger(__name__)

Device = Literal["auto", "cpu", "cuda"]
Progress = Callable[[float], None]

# Whisper is near-certain (> 0.99) about the language of a window spoken in one language;
# a window holding two languages scores well below (0.77 and 0.88 measured on the English
# to German switch of multilingual.mp3).
DEFAULT_LANGUAGE_SWITCH_THRESHOLD = 0.9
# Whisper's prompt holds at most half its 448-token context, less the start token.
_MAX_PROMPT_TOKENS = 223
# New tokens a window may decode: 8 per second of its speech, plus 24 (timestamps, a short
# answer's punctuation). Speech runs at 3 to 5 tokens a second; past the window's last word,
# a primed decoder runs on into repetitions that fail the compression-ratio check and are
# decoded again at each fallback temperature, up to the token limit: the bound stops that
# (two hearings with the matter's prompt: the same WER, in half the time).
TOKENS_PER_SPEECH_S = 8
TOKENS_PER_WINDOW = 24
# Whisper's start-of-transcript sequence (<|startofprev|>, <|startoftranscript|>, language,
# task, <|notimestamps|>) at most.
_START_TOKENS = 5
# A window ends where its speech does, plus VAD's 0.4 s of padding. When Whisper closes its
# first pass over a window without a final timestamp, faster-whisper seeks again from the
# last word: a second encoder pass and decode over that padding, which decodes nothing.
# Where the last word ends this close to the window's end, the window is done. On the
# development half of 212 windows of synthesised speech (`bench/transcribe/tails.py`),
# later passes decoded words only where 1.74 s or more was left, none at 1.48 s or less.
WINDOW_TAIL_S = 1.0
# A chunk of an uncertain window confirms the window's language when its own frames of the
# encoder output give that language at least this probability (see _splits; chosen
# on the development half of `bench/transcribe/window_language.py`).
PART_LANGUAGE_CONFIRM = 0.7
_HOST_READABLE = (ctranslate2.DataType.float32, ctranslate2.DataType.float16)


@dataclass(frozen=True)
class _Piece:
    """A transcribed piece of one window, times relative to the window's joined audio."""

    start: float
    end: float
    text: str
    avg_logprob: float
    words: tuple[tuple[float, float, str, float], ...]


@dataclass(frozen=True)
class _WindowText:
    window: SpeechWindow
    language: str | None
    pieces: list[_Piece]


class Transcriber:
    """A Whisper model loaded once per process; ``transcribe`` turns a file into a Transcript.

    Not for concurrent use: calls are serialised by a lock (the model saturates the
    device on its own).
    """

    def __init__(
        self,
        model: str = OFFLINE_BASE_MODEL,
        device: Device = "auto",
        compute_type: str = "auto",
        batch_size: int = 8,
        cpu_threads: int = 0,
        cache_dir: Path = DEFAULT_CACHE_DIR,
        *,
        batched: bool | None = None,
        beam_size: int = 5,
        language_switch_threshold: float = DEFAULT_LANGUAGE_SWITCH_THRESHOLD,
        diarizer: Diarizer | None = None,
        window_tail_s: float | None = WINDOW_TAIL_S,
    ) -> None:
        self.model_name = model
        self.device, self.compute_type = choose_device(device, compute_type)
        self.batched = self.device == "cuda" if batched is None else batched
        self.batch_size = batch_size
        self.beam_size = beam_size
        self.language_switch_threshold = language_switch_threshold
        self.window_tail_s = window_tail_s
        self._diarizer = diarizer
        self._lock = threading.Lock()
        logger.info(
            "loading whisper model %s on %s (%s, %s)",
            model,
            self.device,
            self.compute_type,
            "batched" if self.batched else "sequential",
        )
        self._model = WhisperModel(
            resolve_model(model, cache_dir),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=cpu_threads,
            download_root=str(cache_dir / "hub"),
        )
        self._pipeline = _LanguageTrackingPipeline(self._model) if self.batched else None

    @property
    def whisper_model(self) -> WhisperModel:
        """The loaded faster-whisper model (for benchmarks that compare against it)."""
        return self._model

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
        progress: Progress | None = None,
    ) -> Transcript:
        """Transcribe the recording at ``path``.

        ``language`` (ISO 639-1) forces one language for the whole recording; left out,
        each window's language is detected. ``initial_prompt`` and ``hotwords`` carry the
        matter's names and terms. ``progress`` receives the fraction of speech done.

        Raises :class:`~lexstream.transcribe.errors.TranscriptionInputError` when the
        recording is empty, undecodable, has no audio, or is longer than ``max_duration_s``.
        A recording without speech gives a transcript without segments.
        """
        audio = decode_audio(path, max_duration_s=max_duration_s)
        with self._lock:
            segments = self._transcribe_audio(
                audio,
                language=self._usable_language(language),
                initial_prompt=initial_prompt,
                hotwords=hotwords,
                progress=progress or _ignore_progress,
            )
        return Transcript(
            document_id=document_id,
            media_type=media_type,
            duration=round(audio.duration, 3),
            language=dominant_language(segments),
            segments=segments,
            model=self.model_name,
            device=self.device,
            compute_type=self.compute_type,
        )

    def _transcribe_audio(
        self,
        audio: DecodedAudio,
        *,
        language: str | None,
        initial_prompt: str | None,
        hotwords: str | None,
        progress: Progress,
    ) -> list[Segment]:
        channels = distinct_channels(audio)
        tracks: list[tuple[FloatArray, str | None]]
        if len(channels) > 1:
            tracks = [(audio.samples[index], channel_speaker(index)) for index in channels]
        else:
            tracks = [(audio.downmix(channels or None), None)]
        planned = [(track, speaker, pack_windows(find_speech(track))) for track, speaker in tracks]
        total_speech_s = sum(window.speech_s for _, _, windows in planned for window in windows)
        tracker = _ProgressTracker(progress, total_speech_s)
        decoder = self._decoder(language, initial_prompt, hotwords)

        segments: list[Segment] = []
        for track, speaker, windows in planned:
            for result in decoder(track, windows):
                segments.extend(_to_segments(result, speaker, track))
                tracker.advance(result.window.speech_s)
        # one transcript in the order the words were spoken: a turn that overlaps another
        # stays a segment of its own, after the one that started first
        segments.sort(key=lambda segment: (segment.start, segment.speaker or ""))
        segments = [
            segment.model_copy(update={"id": index}) for index, segment in enumerate(segments)
        ]
        if self._diarizer is not None and len(tracks) == 1 and segments:
            segments = self._diarizer.assign_speakers(audio.samples, segments)
        tracker.finish()
        return segments

    def _usable_language(self, language: str | None) -> str | None:
        if language is None or not self._model.model.is_multilingual:
            return None if self._model.model.is_multilingual else "en"
        if language not in self._model.supported_languages:
            logger.warning("ignoring unsupported language hint %r; detecting instead", language)
            return None
        return language

    def _decoder(
        self, language: str | None, initial_prompt: str | None, hotwords: str | None
    ) -> Callable[[FloatArray, list[SpeechWindow]], Iterator[_WindowText]]:
        settings: dict[str, Any] = {
            "language": "en",  # placeholder: each window sets its own
            "beam_size": self.beam_size,
            "word_timestamps": True,
            "initial_prompt": initial_prompt,
            "hotwords": hotwords,
            "vad_filter": False,
            "without_timestamps": False,
            # Context crosses windows through the engine's own prompt (_prompt: the matter's
            # vocabulary, then the previous window's words). Within a window, a later seek
            # covers the little audio after the last word; given the text before it as well
            # as the vocabulary, Whisper ran on there into low-probability text, fell back
            # through every temperature (best of 5 each) and took a minute on one seek.
            "condition_on_previous_text": False,
        }
        if self._pipeline is not None:
            return _BatchedDecoder(
                self._pipeline,
                _options_template(self._pipeline, settings),
                language,
                self.batch_size,
                self.language_switch_threshold,
            )
        return _SequentialDecoder(
            self._model,
            _options_template(self._model, settings),
            language,
            self.language_switch_threshold,
            self.window_tail_s,
        )


def choose_device(device: Device, compute_type: str) -> tuple[str, str]:
    """CUDA with float16 where a GPU is visible, else CPU with int8; both can be forced."""
    if device == "auto":
        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


def dominant_language(segments: Sequence[Segment]) -> str | None:
    """The language spoken longest."""
    spoken: dict[str, float] = defaultdict(float)
    for segment in segments:
        if segment.language:
            spoken[segment.language] += segment.end - segment.start
    return max(spoken, key=lambda code: spoken[code]) if spoken else None


def _options_template(runner: Any, settings: dict[str, Any]) -> Any:
    """Complete ``TranscriptionOptions`` as faster-whisper builds them from ``settings``.

    ``transcribe`` returns its segments lazily, so on a second of silence it only builds
    the options (with faster-whisper's own defaults and resolved token lists) and decodes
    nothing; that keeps this module off the dataclass's private field list.
    """
    _, info = runner.transcribe(np.zeros(SAMPLE_RATE, dtype=np.float32), **settings)
    return info.transcription_options


class _SequentialDecoder:
    """``WhisperModel``: one window at a time, the encoder output shared with language detection."""

    def __init__(
        self,
        model: WhisperModel,
        options: Any,
        language: str | None,
        switch_threshold: float,
        tail_s: float | None,
    ) -> None:
        self._model = model
        self._options = options
        self._language = language
        self._switch_threshold = switch_threshold
        self._tail_s = tail_s
        self._context: tuple[str | None, list[int]] = (None, [])

    def __call__(self, track: FloatArray, windows: list[SpeechWindow]) -> Iterator[_WindowText]:
        self._context = (None, [])  # each track starts without context
        for window in windows:
            yield from self._window(track, window)

    def _prompt(self, tokenizer: Tokenizer, language: str) -> list[int] | None:
        """The matter's prompt, then the end of the previous window's text in this language.

        Windows are decoded one by one, so this carries the context faster-whisper's
        ``condition_on_previous_text`` would carry across them (names, spelling, style).
        """
        initial = self._options.initial_prompt
        prompt = tokenizer.encode(" " + initial.strip()) if initial else []
        previous_language, previous_tokens = self._context
        room = _MAX_PROMPT_TOKENS - len(prompt)
        if previous_language == language and room > 0:
            prompt = prompt + previous_tokens[-room:]
        return prompt or None

    def _token_bound(self, window: SpeechWindow, tokenizer: Tokenizer) -> int | None:
        """The new tokens the window may decode (:data:`TOKENS_PER_SPEECH_S`), within what
        Whisper's context leaves beside the longest prompt (faster-whisper refuses more);
        None (Whisper's own limit) where hotwords leave no room for a bound."""
        bound = int(TOKENS_PER_SPEECH_S * window.speech_s) + TOKENS_PER_WINDOW
        context = self._model.max_length
        hotwords = self._options.hotwords
        hot = len(tokenizer.encode(" " + hotwords.strip())) if hotwords else 0
        room = context - min(hot, context // 2 - 1) - _MAX_PROMPT_TOKENS - _START_TOKENS
        return min(bound, room) if room > TOKENS_PER_WINDOW else None

    def _window(
        self, track: FloatArray, window: SpeechWindow, fallback: str | None = None
    ) -> Iterator[_WindowText]:
        """One window; ``fallback`` is the language of the window this one was split from.

        A chunk of a split window whose own language is uncertain too keeps that language:
        a second of speech says little ("I do" scored Japanese 0.24, English 0.24).
        """
        audio = window.audio(track)
        features = self._model.feature_extractor(audio)
        first_frames = min(self._model.feature_extractor.nb_max_frames, features.shape[-1] - 1)
        # The same input generate_segments encodes for its first window, so it can reuse it.
        encoder_output = self._model.encode(pad_or_trim(features[:, :first_frames]))
        language = self._language
        if language is None:
            language, probability = _top_language(
                self._model.model.detect_language(encoder_output)[0]
            )
            parts = self._parts(encoder_output, window)
            if len(window.chunks) > 1 and self._splits(language, probability, parts):
                logger.debug(
                    "window language %s %.2f, its chunks %s: splitting",
                    language,
                    probability,
                    parts,
                )
                # a chunk uncertain on its own too keeps its frames' language where they
                # were sure of it, else the window's
                fallbacks = [
                    part if part_probability >= PART_LANGUAGE_CONFIRM else language
                    for part, part_probability in parts or [(language, 1.0)] * len(window.chunks)
                ]
                for part, part_fallback in zip(window.split(), fallbacks, strict=True):
                    yield from self._window(track, part, part_fallback)
                return
            if probability < self._switch_threshold and fallback is not None:
                language = fallback
        tokenizer = Tokenizer(
            self._model.hf_tokenizer, self._model.model.is_multilingual, "transcribe", language
        )
        options = replace(
            self._options,
            initial_prompt=self._prompt(tokenizer, language),
            max_new_tokens=self._token_bound(window, tokenizer),
        )
        generated = self._generate(features, audio, tokenizer, options, encoder_output)
        self._context = (language, [token for segment in generated for token in segment.tokens])
        pieces = [
            _Piece(
                start=segment.start,
                end=segment.end,
                text=segment.text,
                avg_logprob=segment.avg_logprob,
                words=tuple((w.start, w.end, w.word, w.probability) for w in segment.words or ()),
            )
            for segment in generated
        ]
        yield _WindowText(window, language, pieces)

    def _parts(self, encoder_output: Any, window: SpeechWindow) -> list[tuple[str, float]] | None:
        """Each chunk's language from its own frames of the window's encoder output
        (:func:`chunk_languages`: one decoder step each, no encoder pass); None for a
        one-chunk window, or where the output cannot be read on the host (CUDA, bfloat16)."""
        if len(window.chunks) < 2:
            return None
        if encoder_output.device != "cpu" or encoder_output.dtype not in _HOST_READABLE:
            return None
        return chunk_languages(self._model, encoder_output, window)

    def _splits(
        self, language: str, probability: float, parts: list[tuple[str, float]] | None
    ) -> bool:
        """Whether a window of several chunks is split, each chunk decoded on its own.

        An uncertain window (below the switch threshold) is split unless every chunk is,
        on its own frames, ``language`` with at least :data:`PART_LANGUAGE_CONFIRM`: legal
        English is often uncertain because of its names and Latin ("Hadley v Baxendale":
        English 0.78, Latin 0.12), not because a second language is spoken in it. A certain
        window is split where a chunk is another language with that confidence: JFK's
        11 s of English before 11 s of German made one window detected as German 0.95,
        whose chunks' frames said English 0.79-0.94, then German 0.999. Without the chunks'
        languages, only an uncertain window is split.
        """
        if parts is None:
            return probability < self._switch_threshold
        if probability < self._switch_threshold:
            return not all(
                part == language and part_probability >= PART_LANGUAGE_CONFIRM
                for part, part_probability in parts
            )
        return any(
            part != language and part_probability >= PART_LANGUAGE_CONFIRM
            for part, part_probability in parts
        )

    def _generate(
        self,
        features: FloatArray,
        audio: FloatArray,
        tokenizer: Tokenizer,
        options: Any,
        encoder_output: Any,
    ) -> list[Any]:
        """The window's segments, ending where a word ends within ``tail_s`` of the window's
        end (:data:`WINDOW_TAIL_S`) and nothing is heard after it (:func:`silent_after`):
        faster-whisper decodes a pass at a time, lazily, so the pass over the padding after
        the last word is not started. A pass that ends without a final timestamp drops its
        unfinished text for the next pass to decode again (a short last answer, "I do."):
        that text is sound after the last word, so that pass still runs."""
        content_s = (features.shape[-1] - 1) * self._model.feature_extractor.time_per_frame
        generated: list[Any] = []
        with contextlib.closing(
            self._model.generate_segments(features, tokenizer, options, False, encoder_output)
        ) as segments:
            for segment in segments:
                generated.append(segment)
                last_end = segment.words[-1].end if segment.words else segment.end
                if (
                    self._tail_s is not None
                    and content_s - last_end <= self._tail_s
                    and silent_after(audio, last_end)
                ):
                    break
        return generated


class _LanguageTrackingPipeline(BatchedInferencePipeline):  # type: ignore[misc]
    """``BatchedInferencePipeline`` that keeps the language it detected for each window."""

    def __init__(self, model: WhisperModel) -> None:
        super().__init__(model)
        self.languages: list[tuple[str, float]] = []

    def generate_segment_batched(
        self, features: Any, tokenizer: Tokenizer, options: Any
    ) -> tuple[Any, list[dict[str, Any]]]:
        encoder_output, output = super().generate_segment_batched(features, tokenizer, options)
        if options.multilingual:
            # One decoder step on the encoder output already computed: cheap.
            detected = self.model.model.detect_language(encoder_output)
            self.languages = [_top_language(candidates) for candidates in detected]
        else:
            self.languages = [(tokenizer.language_code, 1.0)] * len(output)
        return encoder_output, output


class _BatchedDecoder:
    """``BatchedInferencePipeline``: windows in batches, language detected per window."""

    def __init__(
        self,
        pipeline: _LanguageTrackingPipeline,
        options: Any,
        language: str | None,
        batch_size: int,
        switch_threshold: float,
    ) -> None:
        self._pipeline = pipeline
        self._model: WhisperModel = pipeline.model
        self._options = replace(options, multilingual=language is None)
        self._tokenizer = Tokenizer(
            self._model.hf_tokenizer,
            self._model.model.is_multilingual,
            "transcribe",
            language or "en",
        )
        self._batch_size = batch_size
        self._switch_threshold = switch_threshold

    def __call__(self, track: FloatArray, windows: list[SpeechWindow]) -> Iterator[_WindowText]:
        for first in range(0, len(windows), self._batch_size):
            yield from self._batch(track, windows[first : first + self._batch_size])

    def _batch(self, track: FloatArray, windows: list[SpeechWindow]) -> Iterator[_WindowText]:
        extractor = self._model.feature_extractor
        features = np.stack(
            [pad_or_trim(extractor(window.audio(track))[..., :-1]) for window in windows]
        )
        metadata = [
            {"offset": 0.0, "duration": window.speech_s, "segments": []} for window in windows
        ]
        self._pipeline.last_speech_timestamp = 0.0
        outputs = self._pipeline.forward(features, self._tokenizer, metadata, self._options)
        for window, output, (language, probability) in zip(
            windows, outputs, self._pipeline.languages, strict=True
        ):
            if probability < self._switch_threshold and len(window.chunks) > 1:
                yield from self(track, window.split())
                continue
            pieces = [
                _Piece(
                    start=piece["start"],
                    end=piece["end"],
                    text=piece["text"],
                    avg_logprob=piece["avg_logprob"],
                    words=tuple(
                        (w["start"], w["end"], w["word"], w["probability"])
                        for w in piece.get("words") or ()
                    ),
                )
                for piece in output
                if piece["text"].strip()
            ]
            yield _WindowText(window, language, pieces)


#: After a window's last word, sound this loud (RMS of a 10 ms frame, against the loudest
#: 5 % of the window's frames) is taken for speech still to decode; the quarter-second
#: after the word's stamped end is left to its decay (Whisper's word ends are ~0.1-0.2 s early).
_TAIL_LEVEL = 0.1
_TAIL_DECAY_S = 0.25


def silent_after(audio: FloatArray, end_s: float) -> bool:
    """Whether nothing in ``audio`` from ``end_s`` (plus the word's decay) on is loud enough
    to be speech."""
    level = frame_levels(audio)
    frames = level.shape[0]
    if frames == 0:
        return True
    reference = float(np.percentile(level, 95))
    first = int((end_s + _TAIL_DECAY_S) * 100)
    if reference <= 0.0 or first >= frames:
        return True
    return bool(level[first:].max() < _TAIL_LEVEL * reference)


def chunk_languages(
    model: WhisperModel, encoder_output: Any, window: SpeechWindow
) -> list[tuple[str, float]]:
    """The top language of each speech chunk of ``window``, read from the chunk's own frames
    of the window's encoder output (on the host): one decoder step per chunk."""
    encoded = np.asarray(encoder_output)
    frames_per_s = encoded.shape[1] / WHISPER_WINDOW_S
    # CTranslate2 takes an input whose second dimension is the number of mel bands for
    # features, not encoder output, and would encode it again: such a slice is one longer.
    mel_bands = model.model.n_mels
    found: list[tuple[str, float]] = []
    offset = 0.0
    for chunk in window.chunks:
        start = int(offset * frames_per_s)
        offset += chunk.samples / SAMPLE_RATE
        end = min(encoded.shape[1], max(start + 1, int(offset * frames_per_s)))
        if end - start == mel_bands:
            start, end = (start, end + 1) if end < encoded.shape[1] else (start - 1, end)
        frames = ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded[:, start:end]))
        found.append(_top_language(model.model.detect_language(frames)[0]))
    return found


def _top_language(candidates: list[tuple[str, float]]) -> tuple[str, float]:
    token, probability = candidates[0]
    return token[2:-2], float(probability)  # "<|de|>" -> "de"


def _to_segments(result: _WindowText, speaker: str | None, track: FloatArray) -> Iterator[Segment]:
    """The window's pieces as segments timed by their words.

    A piece is cut where its words cross from one speech chunk to the next: the window left
    out the silence between them, in which another channel may have spoken, so a segment
    that ran on would start before the turn it answers. The first word of each segment
    starts where its sound does (Whisper stamps it at the chunk's padded start).
    """
    clock = result.window.clock()
    for piece in result.pieces:
        located = [
            (*clock.locate(w_start, w_end), w_text, w_prob)
            for w_start, w_end, w_text, w_prob in piece.words
        ]
        if not located:
            start, end = clock.span(piece.start, piece.end)
            yield _segment(result, speaker, piece, piece.text, start, end, [])
            continue
        runs = _runs(located)
        for run in runs:
            words = [
                Word(start=start, end=end, word=text, probability=round(probability, 4))
                for _, start, end, text, probability in run
            ]
            first = words[0]
            # Whisper may stamp a chunk's first word from the end of the chunk before it, in
            # the silence the window left out (an answer's "About" 1 s before its speaker
            # spoke): the sound is looked for from where its chunk starts. Only here: the
            # gaps between runs keep Whisper's times (clamped, a breath inside a sentence
            # looked like a pause and split "ask not what | your country").
            chunk_start = result.window.chunks[run[0][0]].start / SAMPLE_RATE
            search_from = chunk_start if first.start < chunk_start < first.end else first.start
            onset = speech_onset(track, search_from, first.end)
            words[0] = first.model_copy(update={"start": onset})
            text = piece.text if len(runs) == 1 else "".join(word.word for word in words)
            yield _segment(result, speaker, piece, text, onset, words[-1].end, words)


#: A silence left out between two speech chunks shorter than this (seconds) does not cut a
#: segment: a breath inside a sentence ("ask not what | your country") is no turn of
#: another speaker, and a phrase split in two segments could not be found as a phrase.
MIN_CUT_GAP_S = 0.75


def _runs(located: list[tuple[Any, ...]]) -> list[list[tuple[Any, ...]]]:
    """The words grouped by speech chunk, neighbouring chunks joined where the silence
    between the last word of one and the first word of the next is under MIN_CUT_GAP_S."""
    runs: list[list[tuple[Any, ...]]] = []
    for _, group in itertools.groupby(located, key=lambda word: word[0]):
        run = list(group)
        if runs and run[0][1] - runs[-1][-1][2] < MIN_CUT_GAP_S:
            runs[-1].extend(run)
        else:
            runs.append(run)
    return runs


def _segment(
    result: _WindowText,
    speaker: str | None,
    piece: _Piece,
    text: str,
    start: float,
    end: float,
    words: list[Word],
) -> Segment:
    return Segment(
        id=0,
        start=start,
        end=end,
        text=text.strip(),
        language=result.language,
        speaker=speaker,
        avg_logprob=round(piece.avg_logprob, 4),
        words=words,
    )


class _ProgressTracker:
    def __init__(self, progress: Progress, total_s: float) -> None:
        self._progress = progress
        self._total_s = total_s
        self._done_s = 0.0
        progress(0.0)

    def advance(self, seconds: float) -> None:
        self._done_s += seconds
        if self._total_s > 0:
            self._progress(min(1.0, self._done_s / self._total_s))

    def finish(self) -> None:
        self._progress(1.0)


def _ignore_progress(_: float) -> None:
    return None

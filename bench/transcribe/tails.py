"""A window's later passes: what faster-whisper decodes after the first pass's last word.

When Whisper closes its first pass over a window without a final timestamp, faster-whisper
seeks again from the last word and decodes the rest: one more encoder pass and decode. The
engine's windows end where their speech does (plus VAD's padding), so that pass mostly
decodes padding; the engine stops a window whose last word ends within ``WINDOW_TAIL_S`` of
its end and nothing loud enough to be speech follows the word (``silent_after``: a pass
that ends without a final timestamp leaves its unfinished text, a short last answer, to the
next pass). This runs the engine with every pass (``window_tail_s=None``) over the synthesised
and sample recordings and prints, per half, the time left after the first pass's last word
against what the later passes decoded. A recording's name fixes its half
(``half_of('tails/<name>')``): the threshold was chosen on the development half.

Recordings: the fixtures of ``../shared/data/audio`` (``LEXSTREAM_SAMPLE_DATA``), the two
hearings of ``vocabulary.py`` (with and without the matter's prompt), the examination and
interpreted hearings, the seven dictations and thirty one-channel mixes of
``diarization.py`` (about 50 minutes; 8 minutes here).

    uv run --frozen python -m bench.transcribe.tails [--threshold 1.0]
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.eval.split import half_of
from bench.transcribe.diarization import render_mix
from bench.transcribe.dictation import dictations
from bench.transcribe.hearing import examination
from bench.transcribe.interpreted import interpreted
from bench.transcribe.vocabulary import hearings, matter_vocabulary, search_documents
from tests.samples import sample_root

from lexstream.transcribe import engine
from lexstream.transcribe.engine import WINDOW_TAIL_S, Transcriber


@dataclass
class Window:
    content_s: float
    passes: list[tuple[float, float, str]] = field(default_factory=list)  # seek, last end, text
    silent_after_first: bool = False  # nothing heard after the first pass's last word

    @property
    def left_s(self) -> float:
        """Time left after the first pass's last word."""
        first = [end for seek, end, _ in self.passes if seek == 0.0]
        return self.content_s - max(first, default=0.0)

    @property
    def later_words(self) -> list[str]:
        """What later passes decoded, punctuation-only text left out."""
        return [
            text for seek, _, text in self.passes if seek > 0 and any(c.isalnum() for c in text)
        ]


def recordings() -> list[tuple[str, Path, str | None]]:
    prompt = matter_vocabulary(search_documents()).prompt
    found: list[tuple[str, Path, str | None]] = []
    for name in ("jfk.flac", "multilingual.mp3", "stereo_diarization.wav"):
        path = sample_root() / "audio" / name
        if path.exists():
            found.append((f"audio/{name}", path, None))
    for hearing in hearings():
        found.append((f"vocabulary/{hearing.path.stem}", hearing.path, prompt))
        found.append((f"vocabulary-noprompt/{hearing.path.stem}", hearing.path, None))
    found.append(("hearing/examination", examination().path, None))
    found.append(("hearing/interpreted", interpreted().path, None))
    found.extend((f"dictation/{d.name}", d.path, None) for d in dictations())
    for number in range(1, 31):
        name = f"mono-mix-{number:02d}"
        found.append((f"diarization/{name}", render_mix(name).path, None))
    return found


def record_passes(transcriber: Transcriber, windows: list[Window]) -> None:
    model = transcriber.whisper_model
    generate = model.generate_segments

    def recording(features: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        window = Window((features.shape[-1] - 1) * model.feature_extractor.time_per_frame)
        windows.append(window)
        for segment in generate(features, *args, **kwargs):
            end = segment.words[-1].end if segment.words else segment.end
            window.passes.append(
                (segment.seek * model.feature_extractor.time_per_frame, end, segment.text)
            )
            yield segment

    model.generate_segments = recording  # type: ignore[method-assign]


def record_silence(windows: list[Window]) -> None:
    """Whether the engine's silence check passes after each window's first-pass last word."""
    generate = engine._SequentialDecoder._generate

    def checking(self: Any, features: Any, audio: Any, *args: Any) -> list[Any]:
        generated = generate(self, features, audio, *args)
        window = windows[-1]
        window.silent_after_first = engine.silent_after(audio, window.content_s - window.left_s)
        return generated

    engine._SequentialDecoder._generate = checking  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threshold", type=float, default=WINDOW_TAIL_S)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    transcriber = Transcriber(device="cpu", cpu_threads=2, window_tail_s=None)
    by_half: dict[str, list[tuple[str, Window]]] = {"dev": [], "test": []}
    windows: list[Window] = []
    record_passes(transcriber, windows)
    record_silence(windows)
    for name, path, prompt in recordings():
        windows.clear()
        transcriber.transcribe(
            path, document_id=name, media_type="audio/wav", initial_prompt=prompt
        )
        by_half[half_of(f"tails/{name}")].extend((name, window) for window in windows)
    for half, windows in by_half.items():
        near = [(n, w) for n, w in windows if w.left_s <= args.threshold]
        stopped = [(n, w) for n, w in near if w.silent_after_first]
        lost = [(n, w) for n, w in stopped if w.later_words]
        with_words = sorted(w.left_s for _, w in windows if w.later_words)
        without = sorted(w.left_s for _, w in windows if not w.later_words)
        smallest = with_words[0] if with_words else float("nan")
        largest = without[-1] if without else float("nan")
        print(
            f"{half}: {len(windows)} windows; later passes decoded words in {len(with_words)}: "
            f"the least time left after the first pass's last word among them {smallest:.2f} s; "
            f"the most left where they decoded nothing {largest:.2f} s"
        )
        print(
            f"  last word within {args.threshold:.2f} s of the end: {len(near)} windows; "
            f"silent after it, so stopped: {len(stopped)}, {len(lost)} of them with words "
            "in a later pass"
        )
        for name, window in lost:
            print(f"    lost in {name}: {window.later_words}")


if __name__ == "__main__":
    main()

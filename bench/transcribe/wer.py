"""Word error rate of ``Transcriber.transcribe`` on the fixture recordings and on >= 10 minutes
of synthesised legal dictation (espeak-ng), optionally beside a plain faster-whisper call.

    uv run python bench/transcribe/wer.py [--baseline] [--model base-offline] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dictation import DEFAULT_CACHE, dictations
from wer_text import normalise, word_errors

from lexstream.shared.artifacts import Transcript
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.model import DEFAULT_CACHE_DIR

ROOT = Path(__file__).resolve().parents[2]
AUDIO = Path(os.environ.get("LEXSTREAM_SAMPLE_DATA") or ROOT.parent / "shared" / "data") / "audio"
REFERENCES = json.loads((Path(__file__).parent / "references.json").read_text())


def plain_text(transcriber: Transcriber, path: Path) -> str:
    segments, _ = transcriber.whisper_model.transcribe(
        str(path), beam_size=transcriber.beam_size, vad_filter=True, word_timestamps=True
    )
    return " ".join(segment.text.strip() for segment in segments)


def parts(name: str, transcript: Transcript) -> dict[str, str]:
    """The transcript's text for each reference part of a fixture."""
    segments = transcript.segments
    if name == "multilingual.mp3":
        german = " ".join(s.text for s in segments if s.language == "de")
        prefix_length = len(normalise(REFERENCES[name]["de-prefix"]))
        return {
            "en": " ".join(s.text for s in segments if s.language == "en"),
            "de-prefix": " ".join(normalise(german)[:prefix_length]),
        }
    if name == "stereo_diarization.wav":
        return {
            speaker: " ".join(s.text for s in segments if s.speaker == speaker)
            for speaker in ("channel-1", "channel-2")
        }
    return {"mono": transcript.text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="base-offline")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--model-cache", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--baseline", action="store_true", help="also score a plain call")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    transcriber = Transcriber(args.model, cache_dir=args.model_cache)
    print(f"model {args.model} on {transcriber.device}/{transcriber.compute_type}")
    header = f"{'recording':<34}{'part':<11}{'words':>6}{'WER':>8}"
    print(header + (f"{'plain WER':>11}" if args.baseline else ""))
    totals = {"errors": 0, "words": 0, "plain": 0, "audio": 0.0, "seconds": 0.0}

    def report(label: str, part: str, reference: str, hypothesis: str, plain: str | None) -> None:
        errors, words = word_errors(reference, hypothesis)
        line = f"{label:<34}{part:<11}{words:>6}{errors / words:>8.1%}"
        if plain is not None:
            plain_errors, _ = word_errors(reference, plain)
            line += f"{plain_errors / words:>11.1%}"
            if label.startswith("dictation"):
                totals["plain"] += plain_errors
        print(line)
        if label.startswith("dictation"):
            totals["errors"] += errors
            totals["words"] += words

    for name, references in REFERENCES.items():
        if name.startswith("_"):
            continue
        transcript = args_transcribe(transcriber, AUDIO / name)
        plain = plain_text(transcriber, AUDIO / name) if args.baseline else None
        for part, text in parts(name, transcript).items():
            # A plain call has neither languages nor speakers: score it on the whole text.
            plain_part = None if plain is None or part != "mono" else plain
            report(name, part, references[part], text, plain_part)

    for dictation in dictations(args.cache):
        started = time.perf_counter()
        transcript = args_transcribe(transcriber, dictation.path)
        totals["seconds"] += time.perf_counter() - started
        totals["audio"] += transcript.duration
        plain = plain_text(transcriber, dictation.path) if args.baseline else None
        report(
            f"dictation/{dictation.name}",
            f"{transcript.duration:.0f}s",
            dictation.text,
            transcript.text,
            plain,
        )

    words = totals["words"]
    minutes = f"{totals['audio'] / 60:.1f} min"
    line = f"{'dictation, all':<34}{minutes:<11}{words:>6}{totals['errors'] / words:>8.1%}"
    if args.baseline:
        line += f"{totals['plain'] / words:>11.1%}"
    print(line)
    print(f"dictation real-time factor {totals['seconds'] / totals['audio']:.3f}")


def args_transcribe(transcriber: Transcriber, path: Path) -> Transcript:
    return transcriber.transcribe(path, document_id=path.stem, media_type="audio/*")


if __name__ == "__main__":
    main()

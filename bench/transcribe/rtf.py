"""Real-time factor of ``Transcriber.transcribe`` against a plain faster-whisper call.

Both run in the same process on the same file with the same loaded model and settings
(beam 5, VAD on, word timestamps on). Each is run ``--repeat`` times, alternating, and the
fastest run counts, so warm-up and noise do not favour either side.

    uv run python bench/transcribe/rtf.py [--repeat 2] [--model base-offline]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dictation import DEFAULT_CACHE, dictations

from lexstream.transcribe.audio import decode_audio
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.model import DEFAULT_CACHE_DIR

AUDIO = (
    Path(
        os.environ.get("LEXSTREAM_SAMPLE_DATA")
        or Path(__file__).resolve().parents[3] / "shared" / "data"
    )
    / "audio"
)


def elapsed(call: Callable[[Path], object], path: Path) -> float:
    started = time.perf_counter()
    call(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="base-offline")
    parser.add_argument("--model-cache", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dictations", type=int, default=3, help="how many dictation files")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    transcriber = Transcriber(args.model, cache_dir=args.model_cache)
    model = transcriber.whisper_model
    files = [AUDIO / "jfk.flac", AUDIO / "multilingual.mp3"]
    files += [d.path for d in dictations(args.cache)[: args.dictations]]

    def service(path: Path) -> object:
        return transcriber.transcribe(path, document_id="bench", media_type="audio/*")

    def plain(path: Path) -> object:
        segments, _ = model.transcribe(
            str(path), beam_size=transcriber.beam_size, vad_filter=True, word_timestamps=True
        )
        return list(segments)

    service(files[0])  # warm-up
    print(f"model {args.model} on {transcriber.device}/{transcriber.compute_type}")
    print(f"{'recording':<44}{'audio s':>8}{'plain RTF':>11}{'service RTF':>13}{'ratio':>8}")
    total_audio = total_plain = total_service = 0.0
    for path in files:
        duration = decode_audio(path).duration
        plain_s = service_s = float("inf")
        for _ in range(args.repeat):  # alternate, keep the fastest of each
            plain_s = min(plain_s, elapsed(plain, path))
            service_s = min(service_s, elapsed(service, path))
        total_audio += duration
        total_plain += plain_s
        total_service += service_s
        print(
            f"{path.name:<44}{duration:>8.1f}{plain_s / duration:>11.3f}"
            f"{service_s / duration:>13.3f}{service_s / plain_s:>8.3f}"
        )
    print(
        f"{'all':<44}{total_audio:>8.1f}{total_plain / total_audio:>11.3f}"
        f"{total_service / total_audio:>13.3f}{total_service / total_plain:>8.3f}"
    )
    print(f"service / plain = {total_service / total_plain:.3f}")


if __name__ == "__main__":
    main()

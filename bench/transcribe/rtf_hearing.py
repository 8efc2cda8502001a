"""Real-time factor of the service path with diarization and the matter's vocabulary on,
against a plain faster-whisper call, on the synthesised hearings of ``vocabulary.py``.

Both run in the same process on the same files with the same loaded model: the service's
``Transcriber.transcribe`` with the model diarizer (one-channel recordings; needs the
speaker encoder that ``make model`` puts in the model cache) and the matter's prompt, then
labels, interpretation pairs; the plain ``WhisperModel.transcribe(path, beam_size=5,
vad_filter=True, word_timestamps=True)`` (given the same prompt, the plain call dropped
most of the three-channel hearing: 2 segments of 8 turns). Each is run
``--repeat`` times, alternating, and the fastest run counts. CPU only here: no GPU figure
is measured or estimated.

    uv run --frozen python -m bench.transcribe.rtf_hearing [--repeat 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from pathlib import Path

from bench.transcribe.vocabulary import hearings, matter_vocabulary, search_documents

from lexstream.transcribe.audio import decode_audio
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.interpreting import pair_interpretations
from lexstream.transcribe.labels import label_speakers
from lexstream.transcribe.model import DEFAULT_CACHE_DIR
from lexstream.transcribe.speakers import mono_diarizer


def elapsed(call: Callable[[Path], object], path: Path) -> float:
    started = time.perf_counter()
    call(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="base-offline")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    diarizer = mono_diarizer("model", DEFAULT_CACHE_DIR)
    transcriber = Transcriber(args.model, cpu_threads=args.threads, diarizer=diarizer)
    model = transcriber.whisper_model
    vocabulary = matter_vocabulary(search_documents())
    files = [hearing.path for hearing in hearings()]

    def service(path: Path) -> object:
        transcript = transcriber.transcribe(
            path,
            document_id="bench",
            media_type="audio/wav",
            initial_prompt=vocabulary.prompt,
            hotwords=vocabulary.hotwords,
        )
        return pair_interpretations(label_speakers(transcript, None))

    def plain(path: Path) -> object:
        segments, _ = model.transcribe(
            str(path),
            beam_size=transcriber.beam_size,
            vad_filter=True,
            word_timestamps=True,
        )
        return list(segments)

    service(files[0])  # warm-up
    print(
        f"model {args.model} on {transcriber.device}/{transcriber.compute_type} "
        "(no GPU in this run); diarization on, matter prompt on"
    )
    print(f"{'recording':<44}{'audio s':>8}{'plain RTF':>11}{'service RTF':>13}{'speed':>8}")
    total_audio = total_plain = total_service = 0.0
    for path in files:
        duration = decode_audio(path).duration
        plain_s = service_s = float("inf")
        for _ in range(args.repeat):
            plain_s = min(plain_s, elapsed(plain, path))
            service_s = min(service_s, elapsed(service, path))
        total_audio += duration
        total_plain += plain_s
        total_service += service_s
        print(
            f"{path.name:<44}{duration:>8.1f}{plain_s / duration:>11.3f}"
            f"{service_s / duration:>13.3f}{plain_s / service_s:>8.3f}"
        )
    print(
        f"{'all':<44}{total_audio:>8.1f}{total_plain / total_audio:>11.3f}"
        f"{total_service / total_audio:>13.3f}{total_plain / total_service:>8.3f}"
    )
    print(f"service speed / plain speed = {total_plain / total_service:.3f} (target >= 0.9)")


if __name__ == "__main__":
    main()

"""Word error rate on the synthesised hearings with the engine's two window changes of
2026-12-04 on and off, in one run: the stop after a window's last word (``WINDOW_TAIL_S``)
and the chunk-by-chunk confirmation of an uncertain window's language
(``PART_LANGUAGE_CONFIRM``).

Recordings: the four-channel and examination hearings of ``hearing.py``, the interpreted
hearing, the two hearings of ``vocabulary.py`` with the matter's prompt, and twelve
one-channel mixes of ``diarization.py`` (2,579 reference words). Normaliser and alignment:
``vocabulary.py``'s (``wer_text.normalise``). Punctuation is not scored.

    uv run --frozen python -m bench.transcribe.window_changes
"""

from __future__ import annotations

import logging

from bench.transcribe.diarization import render_mix
from bench.transcribe.hearing import Hearing, examination, render
from bench.transcribe.interpreted import interpreted
from bench.transcribe.vocabulary import Errors, hearings, matter_vocabulary, search_documents

from lexstream.transcribe import engine

#: (label, stop after the last word, confirm an uncertain window chunk by chunk)
MODES = (
    ("neither (before)", False, False),
    ("stop after the last word", True, False),
    ("confirm by chunk", False, True),
    ("both (shipped)", True, True),
)


def recordings() -> list[tuple[str, Hearing, str | None]]:
    prompt = matter_vocabulary(search_documents()).prompt
    found: list[tuple[str, Hearing, str | None]] = [
        ("four channels", render(), None),
        ("examination", examination(), None),
        ("interpreted", interpreted(), None),
    ]
    found += [(f"vocabulary {h.name}", h, prompt) for h in hearings()]
    found += [(f"mono-mix-{n:02d}", render_mix(f"mono-mix-{n:02d}"), None) for n in range(1, 13)]
    return found


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    transcriber = engine.Transcriber(device="cpu", cpu_threads=2)
    shipped_confirm = engine.PART_LANGUAGE_CONFIRM
    found = recordings()
    print(f"{'mode':<28}{'WER all':>9}{'four ch':>9}{'interp.':>9}{'vocab.':>9}{'mixes':>9}")
    for label, stop, confirm in MODES:
        transcriber.window_tail_s = engine.WINDOW_TAIL_S if stop else None
        engine.PART_LANGUAGE_CONFIRM = shipped_confirm if confirm else 1.01  # 1.01: never
        total = Errors()
        groups: dict[str, Errors] = {}
        for name, hearing, prompt in found:
            transcript = transcriber.transcribe(
                hearing.path, document_id=name, media_type="audio/wav", initial_prompt=prompt
            )
            reference = " ".join(turn.text for turn in hearing.turns)
            total.add(reference, transcript.text)
            group = "mixes" if name.startswith("mono-mix") else name.split()[0]
            groups.setdefault(group, Errors()).add(reference, transcript.text)
        print(
            f"{label:<28}{total.wer:>9.1%}{groups['four'].wer:>9.1%}"
            f"{groups['interpreted'].wer:>9.1%}{groups['vocabulary'].wer:>9.1%}"
            f"{groups['mixes'].wer:>9.1%}   ({total.errors}/{total.words} words)"
        )
    engine.PART_LANGUAGE_CONFIRM = shipped_confirm


if __name__ == "__main__":
    main()

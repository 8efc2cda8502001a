"""A synthesised interpreted hearing: counsel asks in English, the interpreter puts it to the
witness in Spanish, the witness answers in Spanish, the interpreter gives it in English.

One channel per role (``hearing.py`` renders it with espeak-ng; the interpreter has an
English and a Spanish voice on the same channel). The transcript should pair each turn with
the interpretation that follows it (``lexstream.transcribe.interpreting``).

    uv run --frozen python -m bench.transcribe.interpreted
"""

from __future__ import annotations

from pathlib import Path

from bench.transcribe.hearing import DEFAULT_CACHE, Hearing, Speaker, Turn, render

SPEAKERS: dict[str, Speaker] = {
    "counsel": Speaker("MR. OKAFOR", "en-us+m3", 140, 0),
    "witness": Speaker("THE WITNESS", "es", 140, 1),
    "to_spanish": Speaker("THE INTERPRETER", "es-419", 140, 2),
    "to_english": Speaker("THE INTERPRETER", "en-gb", 140, 2),
}
SCRIPT: tuple[Turn, ...] = (
    Turn("counsel", "Where were you on the night of the fire?", 0.5),
    Turn("to_spanish", "¿Dónde estaba usted la noche del incendio?"),
    Turn("witness", "Estaba en casa con mi hermana."),
    Turn("to_english", "I was at home with my sister."),
    Turn("counsel", "Did you see the defendant that evening?"),
    Turn("to_spanish", "¿Vio usted al acusado esa noche?"),
    Turn("witness", "No, no lo vi en toda la noche."),
    Turn("to_english", "No, I did not see him all night."),
)
CHANNEL_MAP = "1:Mr. Okafor for the defendant,2:the witness,3:the interpreter"


def interpreted(cache_dir: Path = DEFAULT_CACHE) -> Hearing:
    return render("interpreted", cache_dir=cache_dir, script=SCRIPT, speakers=SPEAKERS)


def main() -> None:
    from lexstream.shared.speakers import parse_channel_map
    from lexstream.transcribe.engine import Transcriber
    from lexstream.transcribe.interpreting import pair_interpretations
    from lexstream.transcribe.labels import label_speakers

    hearing = interpreted()
    transcript = Transcriber(device="cpu", cpu_threads=2).transcribe(
        hearing.path, document_id=hearing.name, media_type="audio/wav"
    )
    paired = pair_interpretations(label_speakers(transcript, parse_channel_map(CHANNEL_MAP)))
    for segment in paired.segments:
        print(
            f"{segment.id:>3} {segment.start:6.2f} {segment.speaker:<16} {segment.language} "
            f"{segment.text}"
        )
    for pair in paired.pairs:
        print(
            f"pair {pair.original} ({pair.original_language}) -> {pair.interpretation} "
            f"({pair.interpretation_language})"
        )
    print(f"{len(paired.pairs)} pairs of {len(SCRIPT) // 2} interpreted turns")


if __name__ == "__main__":
    main()

"""When an uncertain window is split: the language of each speech chunk, read from its own
frames of the window's encoder output (``lexstream.transcribe.engine.chunk_languages``).

A window whose detected language is uncertain (below the engine's switch threshold, 0.9)
may hold two languages (an interpreted hearing on one microphone), or be legal English
that Whisper hears as part Latin. The engine decodes it whole only when every chunk,
on its own frames, is the window's language with at least ``PART_LANGUAGE_CONFIRM``; else
it splits the window and encodes and decodes each chunk alone (the cost this saves).

Windows are built here from espeak-ng utterances in English, German, Spanish and French
(several voices; 0.2 s of silence either side of each, as VAD pads a chunk), two or three
chunks each, half of them mixing two languages. A window's name fixes its chunks and its
half (``half_of('window-language/<name>')``): the threshold is chosen on the development
half and the test half is what is quoted.

For each threshold: a *miss* is a window of two languages decoded whole (one language
transcribed as another); *lost* counts the misses where splitting would have found the
second language (each chunk encoded on its own: what the split transcribes); a *saving*
is a one-language uncertain window decoded whole instead of split. Windows the switch
threshold calls certain are reported apart: the engine splits one where a chunk's frames
say another language with ``PART_LANGUAGE_CONFIRM`` (the ``differ`` table's row there).

    uv run --frozen python -m bench.transcribe.window_language [--half test] [--windows 240]
"""

from __future__ import annotations

import argparse
import logging
import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from bench.eval.split import half_of
from bench.transcribe.hearing import Speaker, _speech
from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim

from lexstream.transcribe.audio import SAMPLE_RATE
from lexstream.transcribe.engine import (
    DEFAULT_LANGUAGE_SWITCH_THRESHOLD,
    PART_LANGUAGE_CONFIRM,
    Transcriber,
    _top_language,
    chunk_languages,
)
from lexstream.transcribe.windows import SpeechChunk, SpeechWindow

UTTERANCES: dict[str, tuple[str, ...]] = {
    "en": (
        "The claimant relies on Hadley v Baxendale and the first limb of remoteness.",
        "Please state your full name for the record.",
        "I do.",
        "My lady, the order was served on the third of March.",
        "The witness statement was signed before the port strike began.",
        "Res judicata applies, and the point cannot be argued again.",
        "No further questions, your honour.",
        "Clause eleven excludes liability for force majeure events.",
        "We ask for costs on the indemnity basis.",
        "Was the container delivered to the warehouse in Felixstowe?",
    ),
    "de": (
        "Der Kläger stützt sich auf den Vertrag vom dritten März.",
        "Bitte nennen Sie Ihren vollständigen Namen für das Protokoll.",
        "Ja, das habe ich unterschrieben.",
        "Die Lieferung wurde wegen des Streiks im Hafen ausgesetzt.",
        "Ich habe den Angeklagten an diesem Abend nicht gesehen.",
        "Das Gericht vertagt die Verhandlung auf nächsten Dienstag.",
    ),
    "es": (
        "¿Dónde estaba usted la noche del incendio?",
        "Estaba en casa con mi hermana.",
        "No, no lo vi en toda la noche.",
        "Firmé el contrato en enero, antes de la huelga.",
        "El testigo declara que no recuerda la fecha.",
        "Sí, señoría, lo entiendo.",
    ),
    "fr": (
        "Le demandeur invoque le contrat du trois mars.",
        "Veuillez indiquer votre nom complet pour le procès-verbal.",
        "Je n'ai pas vu l'accusé ce soir-là.",
        "La livraison a été suspendue à cause de la grève.",
        "Oui, madame la présidente.",
        "Le tribunal renvoie l'audience à mardi prochain.",
    ),
}
VOICES: dict[str, tuple[str, ...]] = {
    "en": ("en-us", "en-gb", "en-us+m3", "en-gb-scotland"),
    "de": ("de", "de+m3"),
    "es": ("es", "es-419"),
    "fr": ("fr", "fr+f3"),
}
_PAD_S = 0.2
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Scored:
    name: str
    languages: tuple[str, ...]  # spoken, chunk by chunk
    top: str
    probability: float
    parts: tuple[tuple[str, float], ...]
    alone: tuple[str, ...]  # each chunk's language encoded on its own (the split's)

    @property
    def mixed(self) -> bool:
        return len(set(self.languages)) > 1

    @property
    def split_tells(self) -> bool:
        """Splitting would transcribe the chunks in more than one language."""
        return len(set(self.alone)) > 1

    def differs(self, threshold: float) -> bool:
        """A chunk is, on its own frames, another language with at least ``threshold``."""
        return any(lang != self.top and p >= threshold for lang, p in self.parts)

    def whole(self, confirm: float) -> bool:
        """Decoded whole under the engine's rule with ``confirm`` as the part threshold."""
        if self.probability >= DEFAULT_LANGUAGE_SWITCH_THRESHOLD:
            return True
        return all(lang == self.top and p >= confirm for lang, p in self.parts)


def window_script(name: str) -> list[tuple[str, str, str]]:
    """The (language, voice, text) of each chunk of the window called ``name``."""
    chooser = random.Random(name)
    count = chooser.choice((2, 2, 3))
    first = chooser.choice(("en", "en", "de", "es", "fr"))
    second = first if chooser.random() < 0.5 else chooser.choice([x for x in VOICES if x != first])
    script = []
    for index in range(count):
        language = first if index % 2 == 0 else second
        script.append(
            (language, chooser.choice(VOICES[language]), chooser.choice(UTTERANCES[language]))
        )
    return script


def build(name: str, cache: dict[tuple[str, str], FloatArray]) -> tuple[FloatArray, SpeechWindow]:
    pad = np.zeros(int(_PAD_S * SAMPLE_RATE), dtype=np.float32)
    parts, chunks, at = [], [], 0
    for _, voice, text in window_script(name):
        if (voice, text) not in cache:
            cache[voice, text] = _speech(Speaker("", voice, 150, 0), text)
        audio = np.concatenate([pad, cache[voice, text], pad])
        parts.append(audio)
        chunks.append(SpeechChunk(at, at + audio.shape[0]))
        at += audio.shape[0]
    return np.concatenate(parts), SpeechWindow(tuple(chunks))


def score(transcriber: Transcriber, names: list[str]) -> list[Scored]:
    model = transcriber.whisper_model
    cache: dict[tuple[str, str], FloatArray] = {}
    scored = []
    for name in names:
        track, window = build(name, cache)
        features = model.feature_extractor(window.audio(track))
        frames = min(model.feature_extractor.nb_max_frames, features.shape[-1] - 1)
        encoded = model.encode(pad_or_trim(features[:, :frames]))
        top, probability = _top_language(model.model.detect_language(encoded)[0])
        alone = tuple(_alone(model, chunk.audio(track)) for chunk in window.split())
        scored.append(
            Scored(
                name,
                tuple(language for language, _, _ in window_script(name)),
                top,
                probability,
                tuple(chunk_languages(model, encoded, window)),
                alone,
            )
        )
    return scored


def _alone(model: WhisperModel, audio: FloatArray) -> str:
    features = model.feature_extractor(audio)
    frames = min(model.feature_extractor.nb_max_frames, features.shape[-1] - 1)
    encoded = model.encode(pad_or_trim(features[:, :frames]))
    return _top_language(model.model.detect_language(encoded)[0])[0]


def report_certain(scored: list[Scored], thresholds: list[float]) -> None:
    """Certain windows split where a chunk is, on its own frames, another language."""
    certain = [s for s in scored if s.probability >= DEFAULT_LANGUAGE_SWITCH_THRESHOLD]
    told = [s for s in certain if s.mixed and s.split_tells]
    single = [s for s in certain if not s.mixed]
    print(
        f"{len(certain)} certain windows: {len(told)} of two languages that splitting tells "
        f"apart, {len(single)} of one"
    )
    print(f"{'differ':>8}{'caught':>10}{'splits':>10}")
    for threshold in thresholds:
        caught = sum(s.differs(threshold) for s in told)
        splits = sum(s.differs(threshold) for s in single)
        print(f"{threshold:>8.2f}{caught:>6}/{len(told):<3}{splits:>6}/{len(single):<3}")


def report(scored: list[Scored], thresholds: list[float]) -> None:
    uncertain = [s for s in scored if s.probability < DEFAULT_LANGUAGE_SWITCH_THRESHOLD]
    mixed = [s for s in uncertain if s.mixed]
    told = [s for s in mixed if s.split_tells]
    single = [s for s in uncertain if not s.mixed]
    certain_mixed = [s for s in scored if s.mixed and s not in uncertain]
    print(
        f"{len(scored)} windows: {len(uncertain)} uncertain ({len(mixed)} of two languages, "
        f"{len(single)} of one); {len(certain_mixed)} of two languages called certain "
        "(no rule splits them)"
    )
    print(
        f"splitting gives {len(told)} of the {len(mixed)} uncertain two-language windows "
        "more than one language"
    )
    print(f"{'confirm':>8}{'misses':>10}{'lost':>10}{'savings':>10}")
    for threshold in thresholds:
        misses = sum(s.whole(threshold) for s in mixed)
        lost = sum(s.whole(threshold) for s in told)
        savings = sum(s.whole(threshold) for s in single)
        label = "never" if threshold > 1 else f"{threshold:.2f}"
        print(
            f"{label:>8}{misses:>6}/{len(mixed):<3}{lost:>6}/{len(told):<3}"
            f"{savings:>6}/{len(single):<3}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--half", default="dev", choices=("dev", "test", "all"))
    parser.add_argument("--windows", type=int, default=240)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    transcriber = Transcriber(device="cpu", cpu_threads=2)
    halves = ("dev", "test") if args.half == "all" else (args.half,)
    for half in halves:
        names = [f"w-{index:03d}" for index in range(args.windows)]
        names = [n for n in names if half_of(f"window-language/{n}") == half]
        print(f"half {half}; engine's part threshold {PART_LANGUAGE_CONFIRM}")
        scored = score(transcriber, names)
        report(scored, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.01])
        report_certain(scored, [0.5, 0.6, 0.7, 0.8, 0.9, 0.95])


if __name__ == "__main__":
    main()

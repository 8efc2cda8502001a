"""Diarization error rate of the model diarizer on synthesised one-channel hearings.

Each mix is a hearing of three or four espeak-ng voices taking turns on one channel, with
known turn times (rendered by ``hearing.py``): lines drawn from a pool of courtroom lines,
short answers among them, pauses between turns from 0.15 s to 1.2 s and now and then a
turn that starts before the previous one ends. Everything about a mix (voices, lines,
pauses) follows from its name, and the name decides its half of the fixed split
(``bench/eval/split.py``: ``half_of('diarization/<name>')``): options are tuned on the
development half, the test half is what the README quotes.

The score is the diarization error rate as pyannote.metrics and NIST md-eval define it:
(missed speech + false alarm + speaker confusion) / reference speech, after the best
one-to-one mapping of hypothesis speakers to reference speakers, with overlapping speech
scored and a collar of 0.25 s either side of every reference boundary left out
(pyannote's ``collar=0.5``).

    uv run --frozen python -m bench.transcribe.diarization [--half dev|test|all]
        [--collar 0.25] [--threshold 0.35] [--tune]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import math
import random
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from bench.eval.split import DEV, TEST, half_of
from bench.transcribe.hearing import DEFAULT_CACHE, Hearing, Speaker, Turn, render

from lexstream.transcribe.speakers import SpeakerDiarizer, TrackEmbeddings

# Voices whose timbres differ: utterance embeddings of two of them are below 0.76 cosine,
# of one voice above 0.9. espeak-ng's accents of one voice (en-us, en-gb, en-gb-scotland,
# and en-gb with any "+variant", which it ignores) are one synthetic speaker with another
# accent, 0.85-0.94 apart: as alike as two takes of one voice, which no speaker encoder
# can tell apart.
VOICES: tuple[str, ...] = (
    "en-us",
    "en-us+f3",
    "en-us+steph",
    "en-us+klatt3",
    "en-gb-scotland+Michael",
    "en-us+grandma",
    "en-us+norbert",
    "en-us+iven3",
    "en-us+david",
)
ROLES: tuple[str, ...] = ("THE COURT", "MS. HALE", "MR. OKAFOR", "THE WITNESS")

LINES: tuple[str, ...] = (
    "We are on the record in Harrington Logistics against Bellweather Freight.",
    "Counsel, please state your appearances for the record.",
    "Good morning, Your Honour. Margaret Hale for the plaintiff.",
    "Daniel Okafor for the defendant, Your Honour.",
    "Thank you. You may call your first witness.",
    "Please raise your right hand.",
    "Do you swear to tell the truth, the whole truth, and nothing but the truth?",
    "I do.",
    "Yes.",
    "No, Your Honour.",
    "Please state your name for the record.",
    "My name is Sarah Lindqvist, and I am the operations manager at the port.",
    "How many containers did the defendant deliver in March?",
    "Fewer than half of the twelve hundred containers we had ordered.",
    "Objection, Your Honour. Foundation.",
    "Overruled. The witness may answer the question.",
    "We received five hundred and forty containers, all of them late.",
    "When did you first learn that the shipment would be delayed?",
    "On the fourteenth of March, when the harbour master called our office.",
    "Did anyone from Bellweather Freight explain the reason for the delay?",
    "They said there was a strike at the port, but they gave us nothing in writing.",
    "Your Honour, I would like to show the witness exhibit twelve.",
    "Any objection to exhibit twelve?",
    "No objection.",
    "Exhibit twelve is admitted into evidence.",
    "Can you tell the court what this document is?",
    "It is the delivery schedule that both companies signed in January.",
    "Nothing further, Your Honour.",
    "Cross examination, Mr. Okafor?",
    "Isn't it true that your company changed the order twice in February?",
    "We changed the delivery address once, not the quantity.",
    "Let the record reflect that the witness is reading from her notes.",
    "We will take a short recess and resume at two o'clock.",
)
_GAPS_S = (0.15, 0.3, 0.5, 0.8, 1.2)
_OVERLAP_S = -0.4
_OVERLAP_SHARE = 0.08
MIX_NAMES: tuple[str, ...] = tuple(f"mono-mix-{number:02d}" for number in range(1, 11))


def split_name(mix: str) -> str:
    return f"diarization/{mix}"


def mix_names(half: str) -> list[str]:
    """The mixes of one half (``dev``, ``test``) or of both (``all``)."""
    return [name for name in MIX_NAMES if half == "all" or half_of(split_name(name)) == half]


def script_of(name: str, turns: int = 22) -> tuple[dict[str, Speaker], tuple[Turn, ...]]:
    """The speakers and the turns of the mix called ``name`` (the same every time)."""
    chooser = random.Random(name)
    count = chooser.choice((3, 3, 4))
    voices = chooser.sample(VOICES, count)
    speakers = {
        f"s{index}": Speaker(ROLES[index], voice, chooser.choice((135, 145, 155)), 0)
        for index, voice in enumerate(voices)
    }
    keys = list(speakers)
    script: list[Turn] = []
    previous: str | None = None
    for index in range(turns):
        # Everyone speaks in the first turns; then anyone but the last speaker.
        speaker = (
            keys[index] if index < count else chooser.choice([k for k in keys if k != previous])
        )
        overlap = index > 0 and chooser.random() < _OVERLAP_SHARE
        gap = _OVERLAP_S if overlap else chooser.choice(_GAPS_S)
        script.append(Turn(speaker, chooser.choice(LINES), gap_s=0.5 if index == 0 else gap))
        previous = speaker
    return speakers, tuple(script)


def render_mix(name: str, cache_dir: Path = DEFAULT_CACHE) -> Hearing:
    speakers, script = script_of(name)
    return render(name, mono=True, cache_dir=cache_dir, script=script, speakers=speakers)


def reference_turns(hearing: Hearing) -> list[tuple[float, float, str]]:
    return [(turn.start, turn.end, turn.speaker) for turn in hearing.turns]


def read_wav(path: Path) -> npt.NDArray[np.float32]:
    """A 16-bit PCM WAV (as ``hearing.py`` writes) as ``samples[channel, index]``."""
    with wave.open(str(path), "rb") as source:
        channels = source.getnchannels()
        pcm = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    return (pcm.reshape(-1, channels).T.astype(np.float32) / 32768.0).copy()


# --- the diarization error rate ------------------------------------------------------------


@dataclass(frozen=True)
class DiarizationError:
    """Seconds of each kind of error, and of reference speech, over the scored time."""

    missed: float
    false_alarm: float
    confusion: float
    total: float

    @property
    def rate(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / self.total if self.total else 0.0

    def __add__(self, other: DiarizationError) -> DiarizationError:
        return DiarizationError(
            self.missed + other.missed,
            self.false_alarm + other.false_alarm,
            self.confusion + other.confusion,
            self.total + other.total,
        )


Turns = Sequence[tuple[float, float, str]]
_STEP_S = 0.01


def diarization_error(
    reference: Turns, hypothesis: Turns, collar: float = 0.25
) -> DiarizationError:
    """The diarization error of ``hypothesis`` against ``reference`` (``start, end, speaker``
    turns in seconds), in 10 ms frames, leaving out ``collar`` seconds either side of every
    reference turn's start and end."""
    end = max((turn[1] for turn in (*reference, *hypothesis)), default=0.0)
    frames = math.ceil(end / _STEP_S) + 1
    ref = _activity(reference, frames)
    hyp = _activity(hypothesis, frames)
    scored = np.ones(frames, dtype=bool)
    for start, stop, _ in reference:
        for boundary in (start, stop):
            scored[_frame(boundary - collar) : _frame(boundary + collar)] = False
    ref, hyp = ref[scored], hyp[scored]
    ref_count, hyp_count = ref.sum(axis=1), hyp.sum(axis=1)
    together = ref.T.astype(np.int64) @ hyp.astype(np.int64)
    correct = _best_mapping(together)
    return DiarizationError(
        missed=float(np.maximum(ref_count - hyp_count, 0).sum() * _STEP_S),
        false_alarm=float(np.maximum(hyp_count - ref_count, 0).sum() * _STEP_S),
        confusion=float((np.minimum(ref_count, hyp_count).sum() - correct) * _STEP_S),
        total=float(ref_count.sum() * _STEP_S),
    )


def _frame(seconds: float) -> int:
    return max(0, round(seconds / _STEP_S))


def _activity(turns: Turns, frames: int) -> npt.NDArray[np.bool_]:
    speakers = sorted({speaker for _, _, speaker in turns})
    active = np.zeros((frames, len(speakers)), dtype=bool)
    for start, stop, speaker in turns:
        active[_frame(start) : _frame(stop), speakers.index(speaker)] = True
    return active


def _best_mapping(together: npt.NDArray[np.int64]) -> int:
    """The most frames that a one-to-one mapping of hypothesis to reference speakers matches.

    An exact assignment by dynamic programming over sets of hypothesis speakers (rows are
    taken in order; ``best[used]`` is the most the first ``popcount(used)`` rows match
    with the columns ``used``): fine for the few dozen speakers a recording has at most.
    """
    rows, columns = together.shape
    if rows > columns:
        return _best_mapping(together.T.copy())
    if columns > 20:
        raise ValueError(f"{columns} speakers are too many for an exact mapping")
    best = {0: 0}
    for row in range(rows):
        following: dict[int, int] = {}
        for used, value in best.items():
            for column in range(columns):
                if not used & (1 << column):
                    key = used | (1 << column)
                    candidate = value + int(together[row, column])
                    if candidate > following.get(key, -1):
                        following[key] = candidate
        best = following
    return max(best.values(), default=0)


# --- the benchmark -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    name: str
    hearing: Hearing
    speakers_found: int
    error: DiarizationError
    cpu_s: float  # processor time of diarization (all threads)


def embedded_mixes(
    names: Sequence[str], diarizer: SpeakerDiarizer, cache_dir: Path = DEFAULT_CACHE
) -> list[tuple[str, Hearing, TrackEmbeddings, float]]:
    """Each mix rendered and embedded once, with the processor seconds embedding took."""
    embedded = []
    for name in names:
        hearing = render_mix(name, cache_dir)
        track = read_wav(hearing.path)[0]
        began = time.process_time()
        embeddings = diarizer.embed_track(track)
        embedded.append((name, hearing, embeddings, time.process_time() - began))
    return embedded


def score(
    embedded: Sequence[tuple[str, Hearing, TrackEmbeddings, float]],
    diarizer: SpeakerDiarizer,
    collar: float = 0.25,
) -> list[Scored]:
    scored = []
    for name, hearing, embeddings, embed_s in embedded:
        began = time.process_time()
        turns = diarizer.turns(embeddings)
        took = embed_s + time.process_time() - began
        hypothesis = [(turn.start, turn.end, turn.speaker) for turn in turns]
        found = len({turn.speaker for turn in turns})
        error = diarization_error(reference_turns(hearing), hypothesis, collar)
        scored.append(Scored(name, hearing, found, error, took))
    return scored


def pooled(scored: Sequence[Scored]) -> DiarizationError:
    return sum((item.error for item in scored), DiarizationError(0.0, 0.0, 0.0, 0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=(DEV, TEST, "all"), default=TEST)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--min-turn", type=float, default=None)
    parser.add_argument("--min-speaker", type=float, default=None)
    parser.add_argument("--collar", type=float, default=0.25, help="seconds either side")
    parser.add_argument("--anchor", type=float, default=None)
    parser.add_argument("--tune", action="store_true", help="a grid of options on the dev half")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    diarizer = SpeakerDiarizer.from_cache()
    if diarizer is None:
        raise SystemExit("the speaker encoder is not in the model cache: run `make model`")
    options = diarizer.options
    if arguments.threshold is not None:
        options = replace(options, threshold=arguments.threshold)
    if arguments.min_turn is not None:
        options = replace(options, min_turn_s=arguments.min_turn)
    if arguments.anchor is not None:
        options = replace(options, anchor=arguments.anchor)
    if arguments.min_speaker is not None:
        options = replace(options, min_speaker_s=arguments.min_speaker)

    if arguments.tune:
        embedded = embedded_mixes(mix_names(DEV), diarizer)
        grid = itertools.product(
            (0.3, 0.35, 0.4), (1.2, 2.4, 4.0), (0.3, 0.6, 1.0), (0.3, 0.5, 0.7)
        )
        for threshold, min_speaker, min_turn, anchor in grid:
            tried = replace(
                options,
                threshold=threshold,
                min_speaker_s=min_speaker,
                min_turn_s=min_turn,
                anchor=anchor,
            )
            scored = score(embedded, SpeakerDiarizer(diarizer.encoder, tried), arguments.collar)
            found = " ".join(str(item.speakers_found) for item in scored)
            print(
                f"threshold {threshold:.2f} min speaker {min_speaker:.1f} s "
                f"min turn {min_turn:.1f} s anchor {anchor:.1f}: "
                f"DER {pooled(scored).rate:.2%} (speakers found {found})"
            )
        return

    embedded = embedded_mixes(mix_names(arguments.half), diarizer)
    scored = score(embedded, SpeakerDiarizer(diarizer.encoder, options), arguments.collar)
    print("| mix | half | speakers (found) | minutes | DER | missed | false alarm | confusion |")
    print("|---|---|---|---|---|---|---|---|")
    for item in scored:
        error = item.error
        speakers = len({turn.speaker for turn in item.hearing.turns})
        print(
            f"| {item.name} | {half_of(split_name(item.name))} | {speakers} "
            f"({item.speakers_found}) | {item.hearing.duration / 60:.2f} | {error.rate:.1%} | "
            f"{error.missed / error.total:.1%} | {error.false_alarm / error.total:.1%} | "
            f"{error.confusion / error.total:.1%} |"
        )
    total = pooled(scored)
    minutes = sum(item.hearing.duration for item in scored) / 60
    cpu_s = sum(item.cpu_s for item in scored)
    print(
        f"\npooled DER {total.rate:.2%} (missed {total.missed / total.total:.2%}, false alarm "
        f"{total.false_alarm / total.total:.2%}, confusion {total.confusion / total.total:.2%}) "
        f"over {minutes:.1f} min; diarization took {cpu_s / minutes:.2f} processor seconds per "
        f"minute of audio; collar {arguments.collar} s either side; {options}"
    )


if __name__ == "__main__":
    main()

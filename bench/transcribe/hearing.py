"""A synthesised court hearing: a script of turns with known times, spoken by espeak-ng voices.

Each speaker has a voice and a channel (one microphone per role, as court recording systems
have); a turn may start before the previous one ends, so speech overlaps. The rendered WAV
puts every turn on its speaker's channel (or all on one channel for a mono mix); the script
keeps where each turn's speech begins and ends in the file, which is what the transcript's
segment times are measured against.

Audio is generated into a cache folder on first use (needs the Debian package
``espeak-ng``), never committed.
"""

from __future__ import annotations

import hashlib
import math
import re
import statistics
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lexstream.shared.artifacts import Segment, Transcript

DEFAULT_CACHE = Path("~/.cache/lexstream/bench/hearing").expanduser()
SAMPLE_RATE = 16_000
# Samples quieter than this (full scale 1.0) are espeak-ng's lead-in and tail silence.
_SILENCE = 0.01


@dataclass(frozen=True)
class Speaker:
    label: str  # the court-style label the transcript should carry ("THE COURT")
    voice: str  # espeak-ng voice
    speed: int  # words per minute
    channel: int  # 0-based channel in the multi-channel render


@dataclass(frozen=True)
class Turn:
    speaker: str  # a key of SPEAKERS
    text: str
    gap_s: float = 0.8  # silence after the previous turn ends; negative: overlap


@dataclass(frozen=True)
class SpokenTurn:
    """A turn as rendered: where its speech begins and ends in the recording."""

    speaker: str
    label: str
    channel: int
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Hearing:
    name: str
    path: Path
    channels: int
    turns: tuple[SpokenTurn, ...]

    @property
    def duration(self) -> float:
        return max(turn.end for turn in self.turns) + 1.0


SPEAKERS: dict[str, Speaker] = {
    "court": Speaker("THE COURT", "en-us", 140, 0),
    "plaintiff": Speaker("MS. HALE", "en-gb", 145, 1),
    "defendant": Speaker("MR. OKAFOR", "en-us+m3", 140, 2),
    "witness": Speaker("THE WITNESS", "en-gb-scotland", 135, 3),
}

# Appearances are given, the witness is sworn and says her name; the objection overlaps the
# end of an answer (both stay in the transcript as turns of their own).
SCRIPT: tuple[Turn, ...] = (
    Turn(
        "court",
        "We are on the record in Harrington Logistics against Bellweather Freight. "
        "Counsel, please state your appearances for the record.",
        gap_s=0.5,
    ),
    Turn("plaintiff", "Good morning, Your Honour. Margaret Hale for the plaintiff."),
    Turn("defendant", "Daniel Okafor for the defendant, Your Honour."),
    Turn("court", "Thank you. Ms. Hale, you may call your first witness."),
    Turn("plaintiff", "The plaintiff calls Sarah Lindqvist."),
    Turn(
        "court",
        "Please raise your right hand. Do you swear to tell the truth, the whole truth, "
        "and nothing but the truth?",
    ),
    Turn("witness", "I do.", gap_s=0.6),
    Turn("court", "Please state your name for the record."),
    Turn("witness", "My name is Sarah Lindqvist."),
    Turn("plaintiff", "How many containers did the defendant deliver in March?", gap_s=1.0),
    Turn("witness", "Fewer than half of the twelve hundred containers we had ordered."),
    Turn("defendant", "Objection, Your Honour. Foundation.", gap_s=-0.6),
    Turn("court", "Overruled, Mr. Okafor. The witness may answer."),
    Turn("witness", "We received five hundred and forty containers, all of them late."),
)


# The people of the case as its documents name them (the matter's vocabulary).
PEOPLE = ("Margaret Hale", "Daniel Okafor", "Sarah Lindqvist", "Harrington Logistics")

# The hearing's microphones, as an upload would name them.
CHANNEL_MAP = (
    "1:the court,2:Ms. Hale for the plaintiff,3:Mr. Okafor for the defendant,4:the witness"
)


def render(
    name: str = "hearing",
    *,
    mono: bool = False,
    channels: int | None = None,
    cache_dir: Path = DEFAULT_CACHE,
    script: tuple[Turn, ...] = SCRIPT,
    speakers: dict[str, Speaker] = SPEAKERS,
) -> Hearing:
    """Render the script to a WAV (once; the file name carries a hash of what it holds).

    ``mono`` mixes every speaker onto one channel; otherwise each speaker is on its own
    channel (``channels`` of them, at least one more than the highest speaker channel).
    """
    count = 1 if mono else channels or max(s.channel for s in speakers.values()) + 1
    cache_dir.mkdir(parents=True, exist_ok=True)
    clips = [_speech(speakers[turn.speaker], turn.text) for turn in script]
    spoken: list[SpokenTurn] = []
    cursor = 0.0
    for turn, clip in zip(script, clips, strict=True):
        speaker = speakers[turn.speaker]
        start = round(max(0.0, cursor + turn.gap_s), 3)
        end = round(start + clip.shape[0] / SAMPLE_RATE, 3)
        channel = 0 if mono else speaker.channel
        spoken.append(SpokenTurn(turn.speaker, speaker.label, channel, turn.text, start, end))
        cursor = end
    digest = hashlib.sha256(repr((count, spoken, speakers)).encode()).hexdigest()[:12]
    path = cache_dir / f"{name}-{count}ch-{digest}.wav"
    if not path.exists():
        tracks = np.zeros((count, int((spoken[-1].end + 1.0) * SAMPLE_RATE)), dtype=np.float32)
        for placed, clip in zip(spoken, clips, strict=True):
            first = round(placed.start * SAMPLE_RATE)
            tracks[placed.channel, first : first + clip.shape[0]] += clip
        partial = path.with_suffix(".tmp.wav")
        write_wav(partial, tracks)
        partial.replace(path)
    return Hearing(name, path, count, tuple(spoken))


def write_wav(path: Path, tracks: npt.NDArray[np.float32]) -> None:
    """16-bit PCM at 16 kHz from ``tracks[channel, sample]``."""
    interleaved = np.clip(tracks.T.reshape(-1), -1.0, 1.0)
    with wave.open(str(path), "wb") as output:
        output.setnchannels(tracks.shape[0])
        output.setsampwidth(2)
        output.setframerate(SAMPLE_RATE)
        output.writeframes((interleaved * 32767).astype("<i2").tobytes())


def _speech(speaker: Speaker, text: str) -> npt.NDArray[np.float32]:
    """espeak-ng's rendering at 16 kHz, lead-in and tail silence cut off."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        resampled = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", speaker.voice, "-s", str(speaker.speed), "-w", str(raw), text],
            check=True,
        )
        subprocess.run(
            ["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(resampled)],
            check=True,
        )
        with wave.open(str(resampled), "rb") as source:
            pcm = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    samples = pcm.astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.abs(samples) > _SILENCE)
    return samples[loud[0] : loud[-1] + 1] * 0.8 if loud.size else samples


# The two-channel examination: short answers between questions, which Whisper runs together
# when the silence between them is left out of a channel's window.
EXAMINATION_SPEAKERS: dict[str, Speaker] = {
    "counsel": Speaker("MR. OKAFOR", "en-us+m3", 140, 0),
    "witness": Speaker("THE WITNESS", "en-gb-scotland", 135, 1),
}
EXAMINATION: tuple[Turn, ...] = (
    Turn("counsel", "You signed the agreement in January?", 0.5),
    Turn("witness", "Yes."),
    Turn("counsel", "And you read clause eleven before you signed it?"),
    Turn("witness", "I did"),
    Turn("counsel", "Did anyone explain the force majeure clause to you?"),
    Turn("witness", "No"),
    Turn("counsel", "Not your lawyer?"),
    Turn("witness", "Not that I recall"),
    Turn("counsel", "When did the port strike begin?"),
    Turn("witness", "In the second week of March"),
    Turn("counsel", "And how many containers were delivered after that?"),
    Turn("witness", "About five hundred"),
)


def examination(cache_dir: Path = DEFAULT_CACHE) -> Hearing:
    """The two-channel cross-examination (counsel on channel 1, the witness on channel 2)."""
    return render(
        "examination", cache_dir=cache_dir, script=EXAMINATION, speakers=EXAMINATION_SPEAKERS
    )


def channel_of(segment: Segment, transcript: Transcript) -> int | None:
    """The 0-based channel a segment was transcribed from (``channel-2`` or its label)."""
    speaker = segment.speaker or ""
    for entry in transcript.speakers:
        if entry.label == speaker and entry.speaker.startswith("channel-"):
            speaker = entry.speaker
            break
    found = re.fullmatch(r"channel-(\d+)", speaker)
    return int(found[1]) - 1 if found else None


def start_errors(hearing: Hearing, transcript: Transcript) -> list[float]:
    """For each turn, the start of its first segment less the turn's (seconds; ``inf`` where
    the turn has none).

    A turn's segments are those of its channel whose time overlaps the turn, so a segment
    that starts on an earlier turn of the same channel and runs on into this one is measured
    from where it starts.
    """
    errors = []
    for turn in hearing.turns:
        starts = [
            segment.start
            for segment in transcript.segments
            if channel_of(segment, transcript) == turn.channel
            and segment.start < turn.end
            and segment.end > turn.start
        ]
        errors.append(round(min(starts) - turn.start, 3) if starts else math.inf)
    return errors


def attribution(hearing: Hearing, transcript: Transcript) -> tuple[int, int]:
    """Segments whose speaker is the label of the turn they overlap most, and all segments."""
    right = 0
    for segment in transcript.segments:
        turn = max(
            hearing.turns,
            key=lambda turn: min(turn.end, segment.end) - max(turn.start, segment.start),
        )
        right += segment.speaker == turn.label
    return right, len(transcript.segments)


def main() -> None:
    """Start errors and attribution on the two hearings, with the offline base model."""
    from lexstream.shared.speakers import parse_channel_map
    from lexstream.transcribe.engine import Transcriber
    from lexstream.transcribe.labels import label_speakers

    transcriber = Transcriber(device="cpu", cpu_threads=2)
    for hearing, channels in (
        (examination(), "1:Mr. Okafor for the defendant,2:the witness"),
        (render(), CHANNEL_MAP),
    ):
        transcript = transcriber.transcribe(
            hearing.path, document_id=hearing.name, media_type="audio/wav"
        )
        labelled = label_speakers(transcript, parse_channel_map(channels))
        errors = [abs(error) for error in start_errors(hearing, labelled)]
        right, total = attribution(hearing, labelled)
        print(
            f"{hearing.name} ({hearing.channels} channels, {len(hearing.turns)} turns): "
            f"segment start error median {statistics.median(errors):.3f} s, "
            f"max {max(errors):.3f} s; attribution {right}/{total} segments"
        )


if __name__ == "__main__":
    main()

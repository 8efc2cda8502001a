"""Model-based diarization of one-channel recordings: the torch-free checkpoint reader, the
features and the LSTM in numpy, clustering, the diarization error rate, and DER on
synthesised one-channel hearings of three and four espeak-ng voices."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import tempfile
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from bench.transcribe.diarization import (
    DiarizationError,
    diarization_error,
    mix_names,
    read_wav,
    reference_turns,
    render_mix,
)
from bench.transcribe.hearing import SPEAKERS, Hearing, SpokenTurn, render

from lexstream.shared.artifacts import Segment, Word
from lexstream.transcribe.engine import Transcriber
from lexstream.transcribe.labels import label_speakers
from lexstream.transcribe.model import ModelUnavailableError
from lexstream.transcribe.speakers import (
    SpeakerDiarizer,
    SpeakerEncoder,
    SpeakerTurn,
    cluster_embeddings,
    encoder_weights,
    ensure_speaker_encoder,
    load_legacy_checkpoint,
    mel_spectrogram,
    mono_diarizer,
    split_by_speaker,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "transcribe"
HAVE_ESPEAK = bool(shutil.which("espeak-ng") and shutil.which("sox"))
needs_espeak = pytest.mark.skipif(
    not HAVE_ESPEAK, reason="speech is synthesised with espeak-ng and sox (Debian packages)"
)


@pytest.fixture(scope="module")
def weights() -> Path:
    path = encoder_weights()
    if path is None:
        pytest.skip(
            "the speaker encoder (resemblyzer 0.1.4's pretrained.pt) is not in the model "
            "cache: run `make model` (python -m lexstream.transcribe.model)"
        )
    return path


@pytest.fixture(scope="module")
def diarizer(weights: Path) -> SpeakerDiarizer:
    return SpeakerDiarizer(SpeakerEncoder.from_file(weights))


# --- the checkpoint ------------------------------------------------------------------------


def test_the_checkpoint_is_read_without_torch(weights: Path) -> None:
    checkpoint = load_legacy_checkpoint(weights)

    state = checkpoint["model_state"]
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    for layer in (1, 2):
        assert state[f"lstm.weight_ih_l{layer}"].shape == (1024, 256)
    assert state["lstm.weight_hh_l2"].shape == (1024, 256)
    assert state["linear.weight"].shape == (256, 256)
    assert state["lstm.weight_hh_l0"].dtype == np.float32
    # Views into one shared storage come out as distinct, finite, trained weights.
    assert not np.array_equal(state["lstm.weight_hh_l0"], state["lstm.weight_hh_l1"])
    assert all(np.isfinite(value).all() for value in state.values())
    assert 0.01 < float(np.std(state["lstm.weight_hh_l0"])) < 1.0


class _Exploit:
    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.system, ("echo pwned",))


def test_a_checkpoint_that_names_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    with path.open("wb") as handle:
        for header in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}):
            pickle.dump(header, handle, protocol=2)
        pickle.dump({"model_state": _Exploit()}, handle, protocol=2)

    with pytest.raises(pickle.UnpicklingError, match="may not name"):
        load_legacy_checkpoint(path)


def test_a_file_of_another_format_is_no_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    path.write_bytes(pickle.dumps({"model_state": {}}))

    with pytest.raises(ModelUnavailableError):
        load_legacy_checkpoint(path)


def _fake_installer(weights_bytes: bytes, calls: list[Path]) -> Any:
    def install(target: Path) -> None:
        calls.append(target)
        (target / "resemblyzer").mkdir(parents=True)
        (target / "resemblyzer" / "pretrained.pt").write_bytes(weights_bytes)
        (target / "Resemblyzer-0.1.4.dist-info").mkdir()
        (target / "Resemblyzer-0.1.4.dist-info" / "LICENSE").write_text("Apache License 2.0")

    return install


def test_the_fetched_weights_are_checked_and_kept_once(weights: Path, tmp_path: Path) -> None:
    calls: list[Path] = []
    install = _fake_installer(weights.read_bytes(), calls)

    placed = ensure_speaker_encoder(tmp_path, install)
    again = ensure_speaker_encoder(tmp_path, install)

    assert placed == again == tmp_path / "resemblyzer-0.1.4" / "pretrained.pt"
    assert placed.read_bytes() == weights.read_bytes()
    assert (placed.parent / "LICENSE").read_text() == "Apache License 2.0"
    assert len(calls) == 1
    assert sorted(path.name for path in placed.parent.iterdir()) == ["LICENSE", "pretrained.pt"]


def test_weights_with_another_hash_are_refused(tmp_path: Path) -> None:
    install = _fake_installer(b"not the weights", [])

    with pytest.raises(ModelUnavailableError, match="sha256"):
        ensure_speaker_encoder(tmp_path, install)
    assert encoder_weights(tmp_path) is None


def test_without_weights_auto_has_no_diarizer_and_model_fails(tmp_path: Path) -> None:
    assert mono_diarizer("auto", tmp_path) is None
    assert mono_diarizer("off", tmp_path) is None
    with pytest.raises(ModelUnavailableError, match="make model"):
        mono_diarizer("model", tmp_path)


def test_with_weights_the_model_diarizer_is_chosen(weights: Path) -> None:
    chosen = mono_diarizer("auto", weights.parent.parent, max_speakers=3)

    assert isinstance(chosen, SpeakerDiarizer)
    assert chosen.options.max_speakers == 3


# --- features and the network --------------------------------------------------------------


def test_mel_spectrogram_matches_librosa() -> None:
    fixture = json.loads((FIXTURES / "librosa_mel.json").read_text())
    t = np.arange(4800) / 16000.0
    sweep = 60 * t + (7600 - 60) / 0.6 * t**2
    wav = (
        0.4 * np.sin(2 * np.pi * sweep)
        + 0.2 * np.sin(2 * np.pi * 440 * t)
        + 0.1 * np.sin(2 * np.pi * 3000 * t)
    ).astype(np.float32)
    expected = np.array(fixture["mel"], dtype=np.float64)

    mel = mel_spectrogram(wav)

    assert mel.shape == expected.shape == (31, 40)
    np.testing.assert_allclose(mel, expected, rtol=1e-3, atol=1e-5 * expected.max())


def _random_state(seed: int) -> dict[str, npt.NDArray[np.float32]]:
    rng = np.random.default_rng(seed)

    def weight(*shape: int) -> npt.NDArray[np.float32]:
        return (rng.standard_normal(shape) * 0.1).astype(np.float32)

    state = {"linear.weight": weight(256, 256), "linear.bias": weight(256)}
    for layer, inputs in enumerate((40, 256, 256)):
        state[f"lstm.weight_ih_l{layer}"] = weight(1024, inputs)
        state[f"lstm.weight_hh_l{layer}"] = weight(1024, 256)
        state[f"lstm.bias_ih_l{layer}"] = weight(1024)
        state[f"lstm.bias_hh_l{layer}"] = weight(1024)
    return state


def _textbook_lstm(
    state: dict[str, npt.NDArray[np.float32]], frames: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """PyTorch's nn.LSTM (gates i, f, g, o) + Linear + ReLU + L2 norm, one frame at a time."""

    def sigmoid(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return 1.0 / (1.0 + np.exp(-x))

    sequence = frames
    hidden = np.zeros(256)
    for layer in range(3):
        w_ih, w_hh = state[f"lstm.weight_ih_l{layer}"], state[f"lstm.weight_hh_l{layer}"]
        bias = state[f"lstm.bias_ih_l{layer}"] + state[f"lstm.bias_hh_l{layer}"]
        hidden, cell, outputs = np.zeros(256), np.zeros(256), []
        for x in sequence:
            gates = w_ih @ x + w_hh @ hidden + bias
            i, f, g, o = np.split(gates, 4)
            cell = sigmoid(f) * cell + sigmoid(i) * np.tanh(g)
            hidden = sigmoid(o) * np.tanh(cell)
            outputs.append(hidden)
        sequence = np.array(outputs)
    projected = np.maximum(state["linear.weight"] @ hidden + state["linear.bias"], 0.0)
    unit: npt.NDArray[np.float64] = projected / np.linalg.norm(projected)
    return unit


def test_the_numpy_lstm_computes_what_pytorch_defines() -> None:
    state = _random_state(7)
    mels = np.random.default_rng(8).random((3, 12, 40)).astype(np.float32)

    embeddings = SpeakerEncoder(state).embed_frames(mels)

    expected = np.stack([_textbook_lstm(state, mel.astype(np.float64)) for mel in mels])
    np.testing.assert_allclose(embeddings, expected, atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)


def _speak(voice: str, text: str) -> npt.NDArray[np.float32]:
    with tempfile.TemporaryDirectory() as tmp:
        raw, resampled = Path(tmp) / "raw.wav", Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
        subprocess.run(
            ["sox", "-q", str(raw), "-r", "16000", "-c", "1", str(resampled)], check=True
        )
        with wave.open(str(resampled), "rb") as source:
            pcm = np.frombuffer(source.readframes(source.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768.0


@needs_espeak
def test_one_voice_is_closer_to_itself_than_to_other_voices(weights: Path) -> None:
    encoder = SpeakerEncoder.from_file(weights)
    texts = (
        "The witness was sworn and gave her evidence before the court this morning.",
        "Counsel for the defendant objected to the question on the ground of relevance.",
    )
    voices = ("en-us", "en-us+f3", "en-us+klatt3", "en-us+steph")
    embedded = {
        (voice, n): encoder.embed(_speak(voice, text))
        for voice in voices
        for n, text in enumerate(texts)
    }

    same = [float(embedded[v, 0] @ embedded[v, 1]) for v in voices]
    different = [float(embedded[v, 0] @ embedded[u, 1]) for v in voices for u in voices if u != v]

    assert min(same) > 0.85, same
    assert max(different) < 0.8, different
    assert min(same) - max(different) > 0.1


# --- clustering ----------------------------------------------------------------------------


def _blobs(
    sizes: tuple[int, ...], spread: float, seed: int = 1
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Unit vectors scattered around one random centre per cluster, shuffled."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(sizes), 256))
    points = np.concatenate(
        [
            centre + spread * rng.standard_normal((size, 256)) / 16
            for centre, size in zip(centres, sizes, strict=True)
        ]
    )
    truth = np.repeat(np.arange(len(sizes)), sizes)
    order = rng.permutation(len(truth))
    points = points[order] / np.linalg.norm(points[order], axis=1, keepdims=True)
    return points.astype(np.float32), truth[order]


def _same_partition(labels: npt.NDArray[np.int64], truth: npt.NDArray[np.int64]) -> bool:
    pairs = set(zip(labels.tolist(), truth.tolist(), strict=True))
    return len(pairs) == len(set(labels.tolist())) == len(set(truth.tolist()))


def test_clustering_finds_how_many_speakers_there_are() -> None:
    points, truth = _blobs((40, 25, 60), spread=1.0)

    labels = cluster_embeddings(points, threshold=0.35)

    assert labels.max() + 1 == 3
    assert _same_partition(labels, truth)
    assert labels[0] == 0  # numbered in order of first appearance


def test_clustering_obeys_a_cap_and_a_floor() -> None:
    points, truth = _blobs((40, 25, 60), spread=1.0)

    capped = cluster_embeddings(points, threshold=0.35, max_clusters=2)
    floored = cluster_embeddings(points, threshold=0.99, min_clusters=3)

    assert capped.max() + 1 == 2
    assert floored.max() + 1 == 3
    assert _same_partition(floored, truth)


def test_tiny_clusters_join_the_nearest_large_one() -> None:
    points, truth = _blobs((50, 50, 2), spread=1.0)

    kept = cluster_embeddings(points, threshold=0.35)
    folded = cluster_embeddings(points, threshold=0.35, min_size=5)

    assert kept.max() + 1 == 3
    assert folded.max() + 1 == 2
    large = truth < 2
    assert _same_partition(folded[large], truth[large])


def test_many_points_are_clustered_through_a_subsample() -> None:
    points, truth = _blobs((900, 700, 400), spread=1.0, seed=3)

    labels = cluster_embeddings(points, threshold=0.35, max_points=300)

    assert _same_partition(labels, truth)


# --- the diarization error rate ------------------------------------------------------------


def test_der_of_a_perfect_hypothesis_is_zero_whatever_its_labels() -> None:
    reference = [(0.0, 4.0, "court"), (5.0, 9.0, "witness"), (10.0, 12.0, "court")]
    hypothesis = [(0.0, 4.0, "b"), (5.0, 9.0, "a"), (10.0, 12.0, "b")]

    assert diarization_error(reference, hypothesis).rate == 0.0


def test_der_counts_missed_false_alarm_and_confusion() -> None:
    reference = [(0.0, 10.0, "court"), (20.0, 30.0, "witness")]
    # Misses 2 s of the court, adds 3 s of speech in the pause, and calls the last 5 s of
    # the witness the court. No collar: every second counts.
    hypothesis = [(0.0, 8.0, "x"), (12.0, 15.0, "y"), (20.0, 25.0, "y"), (25.0, 30.0, "x")]

    error = diarization_error(reference, hypothesis, collar=0.0)

    assert error.total == pytest.approx(20.0)
    assert error.missed == pytest.approx(2.0)
    assert error.false_alarm == pytest.approx(3.0)
    assert error.confusion == pytest.approx(5.0)
    assert error.rate == pytest.approx(0.5)


def test_der_maps_many_speakers_one_to_one() -> None:
    reference = [(2.0 * n, 2.0 * n + 1.5, f"r{n % 10}") for n in range(30)]
    renamed = [(start, end, f"h{(int(label[1:]) * 7) % 10}") for start, end, label in reference]
    # Two reference speakers under one hypothesis label: only one of them can map to it.
    merged = [(start, end, "h0" if label == "h1" else label) for start, end, label in renamed]

    assert diarization_error(reference, renamed, collar=0.0).rate == 0.0
    error = diarization_error(reference, merged, collar=0.0)
    assert error.confusion == pytest.approx(3 * 1.5)
    assert error.missed == error.false_alarm == 0.0


def test_der_leaves_a_collar_out_and_scores_overlap() -> None:
    reference = [(0.0, 10.0, "court"), (9.0, 12.0, "counsel")]
    late = [(0.2, 10.0, "a"), (10.0, 12.0, "b")]  # starts 0.2 s late, misses the overlap

    with_collar = diarization_error(reference, late, collar=0.25)
    without = diarization_error(reference, late, collar=0.0)

    assert without.missed == pytest.approx(0.2 + 1.0)
    assert without.total == pytest.approx(13.0)
    # The late start falls in the collar; the overlap outside the collars (9.25-9.75 s)
    # is still missed. Scored: court 0.25-8.75 and 9.25-9.75, counsel 9.25-9.75 and
    # 10.25-11.75.
    assert with_collar.missed == pytest.approx(0.5)
    assert with_collar.total == pytest.approx(11.0)
    assert with_collar.false_alarm == with_collar.confusion == 0.0


# --- transcript segments -------------------------------------------------------------------


def _turn_words(turn: SpokenTurn) -> list[Word]:
    """A word every 0.4 s of the turn, named after its speaker."""
    count = max(1, round((turn.end - turn.start) / 0.4))
    step = (turn.end - turn.start) / count
    spans = [
        (turn.start + k * step, turn.start + (k + 1) * step, turn.speaker) for k in range(count)
    ]
    return _words(*spans)


def _words(*spans: tuple[float, float, str]) -> list[Word]:
    return [
        Word(start=start, end=end, word=f" {text}", probability=0.9) for start, end, text in spans
    ]


def test_a_segment_that_runs_across_a_change_of_speaker_is_cut_there() -> None:
    turns = [SpeakerTurn(0.0, 2.1, "speaker-1"), SpeakerTurn(2.5, 4.0, "speaker-2")]
    words = _words(
        (0.1, 0.5, "Objection,"),
        (0.6, 1.9, "foundation."),
        (2.6, 3.0, "Overruled."),
        (3.1, 3.6, "Answer."),
    )
    text = " Objection, foundation. Overruled. Answer."
    segment = Segment(id=4, start=0.1, end=3.6, text=text, words=words)

    pieces = split_by_speaker(segment, turns)

    assert [(p.speaker, p.text, p.start, p.end) for p in pieces] == [
        ("speaker-1", " Objection, foundation.", 0.1, 1.9),
        ("speaker-2", " Overruled. Answer.", 2.6, 3.6),
    ]
    assert [len(p.words) for p in pieces] == [2, 2]
    assert all(p.id == 4 for p in pieces)  # the diarizer numbers the pieces afterwards


def test_a_lone_word_stamped_across_a_boundary_stays_with_its_segment() -> None:
    turns = [SpeakerTurn(0.0, 2.0, "speaker-1"), SpeakerTurn(2.1, 5.0, "speaker-2")]
    words = _words((1.85, 2.15, "We"), (2.2, 2.6, "changed"), (2.7, 3.5, "the address."))
    segment = Segment(id=0, start=1.85, end=3.5, text=" We changed the address.", words=words)

    pieces = split_by_speaker(segment, turns)

    assert [(p.speaker, len(p.words)) for p in pieces] == [("speaker-2", 3)]
    assert split_by_speaker(segment, turns, min_piece_s=0.0)[0].speaker == "speaker-1"


def test_a_segment_without_words_takes_the_turn_it_overlaps_or_the_nearest() -> None:
    turns = [SpeakerTurn(0.0, 2.0, "speaker-1"), SpeakerTurn(5.0, 6.0, "speaker-2")]

    inside = split_by_speaker(Segment(id=0, start=1.5, end=5.2, text=" Yes."), turns)
    beyond = split_by_speaker(Segment(id=1, start=6.5, end=7.0, text=" No."), turns)

    assert [s.speaker for s in inside] == ["speaker-1"]
    assert [s.speaker for s in beyond] == ["speaker-2"]


# --- synthesised one-channel hearings ------------------------------------------------------


@pytest.fixture(scope="module")
def test_mixes() -> list[Hearing]:
    if not HAVE_ESPEAK:
        pytest.skip("the hearings are synthesised with espeak-ng and sox (Debian packages)")
    return [render_mix(name) for name in mix_names("test")]


def test_diarization_error_rate_on_mono_hearings(
    diarizer: SpeakerDiarizer, test_mixes: list[Hearing]
) -> None:
    # Three or four voices on one channel, pauses of 0.15-1.2 s, a few overlapping turns;
    # the options were tuned on the other (development) half of the mixes.
    errors: list[DiarizationError] = []
    for hearing in test_mixes:
        turns = diarizer.diarize(read_wav(hearing.path)[0])
        hypothesis = [(turn.start, turn.end, turn.speaker) for turn in turns]
        errors.append(diarization_error(reference_turns(hearing), hypothesis))
        speakers = {turn.speaker for turn in hearing.turns}
        assert abs(len({turn.speaker for turn in turns}) - len(speakers)) <= 1, hearing.name
        assert errors[-1].rate <= 0.25, (hearing.name, errors[-1])
    pooled = sum(errors, DiarizationError(0.0, 0.0, 0.0, 0.0))

    assert len(test_mixes) >= 3
    assert pooled.rate <= 0.15, pooled


def test_transcript_words_take_the_speaker_of_their_turn(
    diarizer: SpeakerDiarizer, test_mixes: list[Hearing]
) -> None:
    # Segments as Whisper may give them: two turns run together in one segment, a word every
    # 0.4 s of each turn. Each comes back cut where the speaker changes, one label per
    # speaker. (A one-word answer of under half a second often takes the label of the
    # turn beside it: 1.6 s windows hear too little of it.)
    hearing = test_mixes[0]
    segments = []
    for index in range(0, len(hearing.turns) - 1, 2):
        words = [word for turn in hearing.turns[index : index + 2] for word in _turn_words(turn)]
        text = "".join(word.word for word in words)
        segments.append(
            Segment(id=index // 2, start=words[0].start, end=words[-1].end, text=text, words=words)
        )

    labelled = diarizer.assign_speakers(read_wav(hearing.path), segments)

    assert [segment.id for segment in labelled] == list(range(len(labelled)))
    assert len(labelled) > len(segments)
    spoken = [(w.word.strip(), segment.speaker) for segment in labelled for w in segment.words]
    assert len(spoken) == sum(len(segment.words) for segment in segments)
    # Each speaker's words carry mostly one label, and no two speakers share theirs.
    majority = {
        truth: max(
            {label for t, label in spoken if t == truth},
            key=lambda label: spoken.count((truth, label)),
        )
        for truth, _ in spoken
    }
    assert len(set(majority.values())) == len(majority), majority
    right = sum(spoken.count((truth, label)) for truth, label in majority.items())
    assert right / len(spoken) >= 0.9, (right, len(spoken))


# --- through the engine --------------------------------------------------------------------

# The hearing of bench/transcribe/hearing.py on one channel, read by four distinct voices
# (its own four are accents of one or two synthetic voices: see bench/transcribe/diarization.py).
DISTINCT_VOICES = ("en-us", "en-us+f3", "en-us+klatt3", "en-gb-scotland+Michael")


@needs_espeak
def test_a_mono_hearing_is_transcribed_with_its_speakers(
    diarizer: SpeakerDiarizer, model_cache: Path
) -> None:
    speakers = {
        key: replace(speaker, voice=voice)
        for (key, speaker), voice in zip(SPEAKERS.items(), DISTINCT_VOICES, strict=True)
    }
    hearing = render("hearing-distinct-voices", mono=True, speakers=speakers)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        transcriber = Transcriber(
            device="cpu", cpu_threads=2, cache_dir=model_cache, diarizer=diarizer
        )

    transcript = transcriber.transcribe(hearing.path, document_id="mono", media_type="audio/wav")

    # Each segment's speaker against the turn it overlaps most, through the best mapping.
    truth = [
        max(hearing.turns, key=lambda t: min(t.end, s.end) - max(t.start, s.start)).speaker
        for s in transcript.segments
    ]
    found = [segment.speaker for segment in transcript.segments]
    pairs = list(zip(found, truth, strict=True))
    assert len(set(found)) == 4, pairs
    majority = {
        label: max(set(truth), key=lambda t: pairs.count((label, t))) for label in set(found)
    }
    assert len(set(majority.values())) == 4, pairs
    right = sum(majority[label] == t for label, t in pairs)
    assert right >= 0.9 * len(pairs), pairs
    # Who they are follows from what they say, as on a recording with a microphone each.
    labels = {entry.label for entry in label_speakers(transcript, None).speakers}
    assert {"THE COURT", "THE WITNESS"} <= labels, labels

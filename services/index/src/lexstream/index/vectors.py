"""Passage vectors of search documents, for the gateway's kNN half of hybrid search.

:func:`add_vectors` gives each search document of a bulk batch its ``chunks`` (page or start
second and a 512-dimension vector per passage, :mod:`lexstream.shared.embeddings`) and the
``embedding_model`` that computed them; :func:`vector_fields` computes the same as partial
updates, which is how the :class:`~lexstream.index.indexer.Indexer` uses it: a batch is
written (and searchable by its words) first, then its vectors are added. All passages of the
batch go through the model together, a fixed number at a time, not one call per passage.
``rerun`` re-indexes through the indexer, so it recomputes them with the current model.
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


def vector_fields(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``chunks`` and ``embedding_model`` of each document, in order, as a partial update;
    the documents themselves are left as they are.

    CPU-bound (about 30 passages a second per two cores): call it in a worker thread.
    """
    copies: list[dict[str, Any]] = [
        {k: doc[k] for k in ("pages", "segments") if k in doc} for doc in docs
    ]
    add_vectors(copies)
    return [{"chunks": c["chunks"], "embedding_model": c["embedding_model"]} for c in copies]

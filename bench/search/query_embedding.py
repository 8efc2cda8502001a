"""The cost of embedding one search query, as the gateway does it (``encode_query``: one BLAS
thread) against the model's package default (four threads), measured in the same run.

    uv run --frozen python bench/search/query_embedding.py [--rounds 20]

Prints p50 and p90 per query for both and the ratio default / gateway. The queries are a
lawyer's, in English, German and French; each round embeds each once, alternating the two
settings so both see the same machine load.
"""

from __future__ import annotations

import argparse
import statistics
import time

from lexstream.shared import embeddings

QUERIES = [
    "breach of contract damages for late delivery",
    "Kündigung des Mietvertrags wegen Eigenbedarf",
    "responsabilité du fait des produits défectueux",
    "patent claim construction means plus function",
    "unfair dismissal compensation cap",
    "Verjährung von Gewährleistungsansprüchen beim Werkvertrag",
]
PACKAGE_DEFAULT_THREADS = 4


def timed(threads: int, text: str) -> float:
    started = time.perf_counter()
    embeddings.encode([text], threads=threads)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    for threads in (embeddings.QUERY_THREADS, PACKAGE_DEFAULT_THREADS):
        embeddings.model(threads)  # loaded and warm before timing
    samples: dict[int, list[float]] = {embeddings.QUERY_THREADS: [], PACKAGE_DEFAULT_THREADS: []}
    for _ in range(args.rounds):
        for text in QUERIES:
            for threads in samples:
                samples[threads].append(timed(threads, text))

    def line(threads: int) -> tuple[float, float]:
        values = sorted(samples[threads])
        return statistics.median(values), values[int(0.9 * (len(values) - 1))]

    gateway, default = line(embeddings.QUERY_THREADS), line(PACKAGE_DEFAULT_THREADS)
    print(f"queries embedded: {len(QUERIES) * args.rounds} per setting")
    one = embeddings.QUERY_THREADS
    print(f"gateway ({one} thread): p50 {gateway[0]:.1f} ms  p90 {gateway[1]:.1f} ms")
    print(
        f"package default ({PACKAGE_DEFAULT_THREADS} threads): p50 {default[0]:.1f} ms"
        f"  p90 {default[1]:.1f} ms"
    )
    print(f"ratio default / gateway at p50: {default[0] / gateway[0]:.2f}x")


if __name__ == "__main__":
    main()

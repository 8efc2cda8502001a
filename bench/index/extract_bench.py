"""Extraction throughput on the labelled legal texts, in pages per second.

    uv run python bench/index/extract_bench.py [--rounds 3]

A page is taken as 3,000 characters. Text is read once (PDF/XML/DOCX readers of the eval)
before timing; warm_up(), which loads eyecite, courts-db and lingua, is timed apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from legal_texts import document_text, load_documents

from lexstream.index.extraction import extract, warm_up

CHARS_PER_PAGE = 3_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    texts = [(doc.path.name, document_text(doc.path)) for doc in load_documents()]
    started = time.perf_counter()
    warm_up()
    print(f"warm_up (loads eyecite, courts-db, lingua): {time.perf_counter() - started:.2f} s")

    chars = sum(len(text) for _, text in texts)
    pages = chars / CHARS_PER_PAGE
    timings = []
    slowest: list[tuple[float, str]] = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        for name, text in texts:
            one = time.perf_counter()
            extract(text, filename=name)
            slowest.append((time.perf_counter() - one, name))
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(f"{len(texts)} documents, {chars:,} characters = {pages:,.0f} pages of 3,000 characters")
    print(
        f"best of {args.rounds} rounds: {best:.2f} s -> {pages / best:,.1f} pages/s, "
        f"{len(texts) / best:,.1f} documents/s"
    )
    print("slowest documents:")
    for seconds, name in sorted(set(slowest), reverse=True)[:5]:
        print(f"  {seconds:6.3f} s  {name}")


if __name__ == "__main__":
    main()

"""The cosine of a query's nearest passage, for relevant and for unrelated documents: the
evidence for hybrid search's similarity floor (``hybrid.MIN_SIMILARITY``).

    uv run --frozen python bench/search/knn_floor.py [--prefix lexstream-relbench] [--half dev]

On the relevance bench's index (``relevance.py --keep`` builds it), for each query of the
half: the cosine of its nearest passage in each document graded relevant (grade >= 2), and
the cosine of the nearest passage of the best document judged irrelevant or unjudged; then
the share of each kept above candidate floors. A floor should keep nearly all relevant
documents; what it removes is the tail of unrelated nearest neighbours that kNN always
returns (it has no notion of "nothing matches").
"""

from __future__ import annotations

import argparse
import asyncio
import statistics

from relevance import PREFIX, document_id_of, load_queries

from lexstream.shared import embeddings
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings


async def run(prefix: str, half: str) -> None:
    settings = CommonSettings(index_prefix=prefix)
    es = make_search_client(settings, request_timeout=120)
    alias = f"{prefix}-documents"
    relevant: list[float] = []
    unrelated: list[float] = []
    try:
        for query in [q for q in load_queries() if q.half == half]:
            vector = embeddings.encode_query(query.text)
            result = await es.search(
                index=alias,
                knn={
                    "field": "chunks.vector",
                    "query_vector": vector,
                    "k": 213,
                    "num_candidates": 1000,
                },
                size=213,
                source=False,
            )
            scores = {h["_id"]: 2 * h["_score"] - 1 for h in result["hits"]["hits"]}
            good = {document_id_of(p) for p, g in query.judgments.items() if g >= 2}
            relevant.extend(scores[d] for d in good if d in scores)
            others = [s for d, s in scores.items() if d not in good]
            if others:
                unrelated.append(max(others))
    finally:
        await es.close()
    print(f"{half} half: {len(relevant)} relevant documents, {len(unrelated)} queries")
    print(f"relevant: median cosine {statistics.median(relevant):.3f}")
    print(f"best unrelated per query: median {statistics.median(unrelated):.3f}")
    print(f"{'floor':>6} {'relevant kept':>14} {'best unrelated kept':>20}")
    for floor in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        kept = sum(s >= floor for s in relevant) / len(relevant)
        noise = sum(s >= floor for s in unrelated) / len(unrelated)
        print(f"{floor:>6.2f} {kept:>14.3f} {noise:>20.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default=PREFIX)
    parser.add_argument("--half", default="dev", choices=["dev", "test"])
    args = parser.parse_args()
    asyncio.run(run(args.prefix, args.half))


if __name__ == "__main__":
    main()

"""Where a hybrid search's time goes: each part measured alone, on indices kept by
``gateway_overhead.py --hybrid --keep``.

    uv run --frozen python bench/search/hybrid_parts.py --reuse PREFIX [--requests 200]

For the free-text queries of the latency bench, as a member of 20 matters: the lexical
search as ``mode=lexical`` sends it (one page, highlights, facets), the lexical ranking half
(top 100 ids, facets, no highlights), the query's embedding, the kNN half for several ``k``
and ``num_candidates``, and the page fetch (10 documents with highlights). Medians and 99th
percentiles in ms, one caller, measured interleaved, each part against the plain lexical
search of the same run (the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _common import ES_URL, FREE_TEXT_QUERIES, MEMBER_OF
from elasticsearch import AsyncElasticsearch

from lexstream.gateway import hybrid
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import SearchRequest, build_query
from lexstream.gateway.stores import Role
from lexstream.shared import embeddings
from lexstream.shared.search import documents_alias
from lexstream.shared.settings import CommonSettings


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main_async(args: argparse.Namespace) -> None:
    alias = documents_alias(CommonSettings(index_prefix=args.reuse, elasticsearch_url=ES_URL))
    es = AsyncElasticsearch(ES_URL, request_timeout=60)
    member = Access(
        Principal(subject="bench", tenant="default", roles=dict.fromkeys(MEMBER_OF, Role.VIEWER))
    )
    rng = random.Random(5)
    queries = [rng.choice(FREE_TEXT_QUERIES) for _ in range(args.requests)]
    vectors = {q: embeddings.encode_query(q) for q in set(queries)}

    def lexical_body(q: str) -> dict[str, Any]:
        return build_query(SearchRequest(q=q, size=10), member)

    async def es_search(body: dict[str, Any]) -> None:
        await es.search(index=alias, body=body)

    async def embed(q: str) -> None:
        await asyncio.to_thread(embeddings.encode_query, q)

    parts: dict[str, Callable[[str], Awaitable[None]]] = {
        "lexical (mode=lexical)": lambda q: es_search(lexical_body(q)),
        "lexical ranking half": lambda q: es_search(hybrid.ranking_body(lexical_body(q), 100)),
        "embed query": embed,
    }
    for k, nc in ((100, 1000), (100, 200), (100, 150), (50, 100), (30, 60)):
        parts[f"kNN k={k} nc={nc}"] = lambda q, k=k, nc=nc: es_search(
            {
                **hybrid.knn_body(vectors[q], member, k=k, source=False),
                "knn": {**hybrid.knn_clause(vectors[q], member, k=k), "num_candidates": nc},
            }
        )
    first_ids: dict[str, list[str]] = {}
    for q in set(queries):
        found = await es.search(index=alias, body={**lexical_body(q), "_source": False})
        first_ids[q] = [h["_id"] for h in found["hits"]["hits"]]
    parts["page fetch (10 ids)"] = lambda q: es_search(
        hybrid.page_body(lexical_body(q), first_ids[q])
    )
    times: dict[str, list[float]] = {name: [] for name in parts}
    for q in queries[:20]:  # warm
        for run in parts.values():
            await run(q)
    for q in queries:
        for name, run in parts.items():
            started = time.perf_counter()
            await run(q)
            times[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times["lexical (mode=lexical)"])
    print(f"{args.requests} free-text queries, one caller, index {alias}")
    print(f"{'part':<26} {'p50 ms':>8} {'p99 ms':>8} {'p50 / lexical':>14}")
    for name, values in times.items():
        p50 = statistics.median(values)
        print(f"{name:<26} {p50:8.1f} {pct(values, 0.99):8.1f} {p50 / base:14.2f}")
    await es.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", required=True, metavar="PREFIX")
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()

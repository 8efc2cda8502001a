"""Gateway search latency against the same Elasticsearch query sent directly; hybrid search
against lexical search through the gateway (``--hybrid``).

    uv run python bench/search/gateway_overhead.py [--docs 100000] [--requests 400]
    uv run python bench/search/gateway_overhead.py --hybrid [--docs 100000] [--pool 2000]

Indexes --docs small synthetic legal documents (bulk, into a bench-only index prefix), starts
the gateway as its own process on loopback, and asks both the gateway (GET /v1/search, with
an API key of a member of 20 of the 200 matters) and Elasticsearch directly (the body the
gateway builds for that caller: the same text query, visibility filter, facets, highlights).
It reports median and 99th percentile at 1 and at 32 concurrent callers, and the gateway's
overhead: the target is at most +10 ms at the median and at most +20 % at the 99th
percentile. The bench indices are deleted at the end.

With ``--hybrid`` the documents also carry passage vectors (one per page, as the index
service writes them; their texts and vectors come from a pool of ``--pool`` pages embedded
by the real model at the start, see ``_common.PagePool``, whose time gives the model's
throughput in passages per second), and the comparison is the gateway's ``GET /v1/search``
with ``mode=lexical`` against the default hybrid mode, on free-text queries (hybrid applies
to those only), interleaved in the same run: the targets are hybrid's median within 30 ms
of lexical's and its 99th percentile within 1.5 times. It then indexes the same documents
without vectors under a second prefix and prints the index size per page of both.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import statistics
import time
from typing import Any

import httpx
from _common import (
    ES_URL,
    FREE_TEXT_QUERIES,
    MEMBER_OF,
    QUERIES,
    PagePool,
    bench_indices,
    gateway_process,
    index_documents,
    viewer_keys,
)

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.search import SearchRequest, build_query
from lexstream.gateway.stores import Role

PORT = 28180
# this bench is one caller at 32 concurrent searches (the gateway's own cost, not the
# per-caller bound of docs/security.md, which would answer most of them 429)
GATEWAY_ENV = {
    "LEXSTREAM_RATE_LIMIT_PER_S": "100000",
    "LEXSTREAM_RATE_LIMIT_BURST": "100000",
    "LEXSTREAM_SEARCH_IN_FLIGHT_PER_CALLER": "64",
}


async def measure(
    client: httpx.AsyncClient, requests: list[tuple[str, dict[str, Any]]], concurrency: int
) -> list[float]:
    """Latencies (ms) of the requests, ``concurrency`` in flight at a time."""
    queue = list(reversed(requests))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            method, kwargs = queue.pop()
            started = time.perf_counter()
            response = await client.request(method, **kwargs)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text[:300]}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> None:
    if args.hybrid:
        await run_hybrid(args)
        return
    prefix = f"lxbench{secrets.token_hex(3)}"
    admin_key = secrets.token_urlsafe(24)
    async with bench_indices(prefix) as (es, alias):
        print(f"indexing {args.docs:,} synthetic documents into {alias} ...", flush=True)
        took = await index_documents(es, alias, args.docs)
        count = (await es.count(index=alias))["count"]
        print(f"indexed {count:,} documents in {took:.0f} s ({count / took:,.0f} docs/s)")
        with gateway_process(prefix, admin_key, port=PORT, env=GATEWAY_ENV) as base:
            key = (await viewer_keys(base, admin_key, ["bench-user"]))["bench-user"]
            results = await compare(args, alias, base, key)
        report(args, results)


async def compare(
    args: argparse.Namespace, alias: str, base: str, key: str
) -> dict[tuple[str, int], list[float]]:
    """Latencies of the same searches sent directly and through the gateway, by path and
    number of concurrent callers."""
    # the same caller's body, as the gateway builds it
    member = Access(
        Principal(
            subject="bench-user",
            tenant="default",
            roles=dict.fromkeys(MEMBER_OF, Role.VIEWER),
        )
    )
    rng = random.Random(11)
    queries = [rng.choice(QUERIES) for _ in range(args.requests)]
    direct_requests = [
        (
            "POST",
            {
                "url": f"{ES_URL}/{alias}/_search",
                "json": build_query(SearchRequest(q=q, size=10), member),
            },
        )
        for q in queries
    ]
    gateway_requests = [
        ("GET", {"url": f"{base}/v1/search", "params": {"q": q, "size": 10}}) for q in queries
    ]
    return await interleaved(args, key, ("direct", direct_requests), ("gateway", gateway_requests))


Requests = list[tuple[str, dict[str, Any]]]


async def interleaved(
    args: argparse.Namespace, key: str, first: tuple[str, Requests], second: tuple[str, Requests]
) -> dict[tuple[str, int], list[float]]:
    """Latencies of two paths over the same searches, by path and number of concurrent
    callers, after warming both (caches, connections, JIT of the ES query)."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    results: dict[tuple[str, int], list[float]] = {}
    async with httpx.AsyncClient(headers={"X-API-Key": key}, timeout=60, limits=limits) as client:
        for _, reqs in (first, second):
            await measure(client, reqs[:50], 4)
        # Interleaved in blocks, the order flipped every block, so a change of load on
        # this shared machine falls on both paths alike.
        for concurrency in (1, 32):
            block = 40 if concurrency == 1 else 320
            for round_no in range(args.rounds):
                for i, start in enumerate(range(0, len(first[1]), block)):
                    pair = [first, second]
                    if (i + round_no) % 2:
                        pair.reverse()
                    for name, reqs in pair:
                        results.setdefault((name, concurrency), []).extend(
                            await measure(client, reqs[start : start + block], concurrency)
                        )
    return results


def report(args: argparse.Namespace, results: dict[tuple[str, int], list[float]]) -> None:
    compare_report(args, results, ("path", "direct", "gateway"), "gateway adds", 10, 1.2)


def compare_report(
    args: argparse.Namespace,
    results: dict[tuple[str, int], list[float]],
    names: tuple[str, str, str],
    adds: str,
    max_added_ms: float,
    max_p99_ratio: float,
) -> None:
    """Median and p99 of a baseline and a path at 1 and 32 callers, against the targets
    (``names``: the column title, the baseline's name, the path's)."""
    column, base_name, path_name = names
    print()
    print(f"{args.docs:,} documents, {args.requests} searches x {args.rounds} rounds per cell")
    print(f"{'callers':>8} {column:>8} {'median ms':>10} {'p99 ms':>9}")
    verdicts = []
    for concurrency in (1, 32):
        base, via = results[(base_name, concurrency)], results[(path_name, concurrency)]
        for name, values in ((base_name, base), (path_name, via)):
            med, p99 = statistics.median(values), p(values, 0.99)
            print(f"{concurrency:>8} {name:>8} {med:>10.2f} {p99:>9.2f}")
        added = statistics.median(via) - statistics.median(base)
        ratio = p(via, 0.99) / p(base, 0.99)
        ok = added <= max_added_ms and ratio <= max_p99_ratio
        verdicts.append(ok)
        print(
            f"{concurrency:>8} {adds} {added:+.2f} ms at the median (target <= "
            f"{max_added_ms:g}), p99 ratio {ratio:.2f} (target <= {max_p99_ratio:.2f}): "
            f"{'met' if ok else 'NOT met'}"
        )
    print("targets met" if all(verdicts) else "targets NOT met")


async def store_bytes_per_page(es: Any, alias: str) -> tuple[float, int]:
    """Bytes on disk per page of the documents behind ``alias`` (force-merged, primaries),
    and the number of pages."""
    result = await es.search(index=alias, size=0, aggs={"pages": {"sum": {"field": "page_count"}}})
    pages = int(result["aggregations"]["pages"]["value"])
    stats = await es.indices.stats(index=alias, metric="store")
    size = stats["_all"]["primaries"]["store"]["size_in_bytes"]
    return size / max(pages, 1), pages


async def run_hybrid(args: argparse.Namespace) -> None:
    prefix = args.reuse or f"lxbench{secrets.token_hex(3)}"
    admin_key = secrets.token_urlsafe(24)
    async with bench_indices(prefix, keep=args.keep or bool(args.reuse)) as (es, alias):
        if args.reuse:
            count = (await es.count(index=alias))["count"]
            print(f"reusing {count:,} documents under {prefix}")
        else:
            print(f"embedding a pool of {args.pool:,} page texts with the real model ...")
            started = time.perf_counter()
            pool = PagePool(args.pool)
            took = time.perf_counter() - started
            rate = args.pool / took
            print(f"embedded {args.pool:,} passages in {took:.1f} s: {rate:.1f} passages/s")
            print(f"indexing {args.docs:,} synthetic documents with vectors into {alias} ...")
            took = await index_documents(es, alias, args.docs, pool=pool)
            count = (await es.count(index=alias))["count"]
            print(f"indexed {count:,} documents in {took:.0f} s ({count / took:,.0f} docs/s)")
        with_vectors = await store_bytes_per_page(es, alias)
        with gateway_process(prefix, admin_key, port=PORT, env=GATEWAY_ENV) as base:
            key = (await viewer_keys(base, admin_key, ["bench-user"]))["bench-user"]
            results = await compare_hybrid(args, base, key)
    report_hybrid(args, results)
    if args.reuse or args.keep:
        return  # the size comparison needs a second index: a full run prints it
    plain_prefix = f"lxbench{secrets.token_hex(3)}"
    async with bench_indices(plain_prefix) as (es, alias):
        await index_documents(es, alias, args.docs)
        without = await store_bytes_per_page(es, alias)
    print()
    print(f"index size per page, {with_vectors[1]:,} pages (force-merged, primaries):")
    print(f"  without vectors {without[0] / 1024:.2f} KiB")
    print(
        f"  with vectors    {with_vectors[0] / 1024:.2f} KiB ({with_vectors[0] / without[0]:.2f}x)"
    )


async def compare_hybrid(
    args: argparse.Namespace, base: str, key: str
) -> dict[tuple[str, int], list[float]]:
    """Latencies of the same free-text searches through the gateway, lexical and hybrid."""
    rng = random.Random(13)
    queries = [rng.choice(FREE_TEXT_QUERIES) for _ in range(args.requests)]
    url = f"{base}/v1/search"
    lexical = [("GET", {"url": url, "params": {"q": q, "mode": "lexical"}}) for q in queries]
    fused = [("GET", {"url": url, "params": {"q": q}}) for q in queries]
    return await interleaved(args, key, ("lexical", lexical), ("hybrid", fused))


def report_hybrid(args: argparse.Namespace, results: dict[tuple[str, int], list[float]]) -> None:
    compare_report(args, results, ("mode", "lexical", "hybrid"), "hybrid adds", 30, 1.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--hybrid", action="store_true", help="hybrid against lexical")
    parser.add_argument("--pool", type=int, default=2_000, help="distinct embedded pages")
    parser.add_argument("--keep", action="store_true", help="keep the hybrid bench's indices")
    parser.add_argument("--reuse", metavar="PREFIX", help="search indices kept by --keep")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

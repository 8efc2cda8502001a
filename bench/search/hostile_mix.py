"""Another caller's search latency while one key fires a hostile query mix.

    uv run python bench/search/hostile_mix.py [--docs 400] [--requests 150] [--attackers 8]

Indexes --docs small synthetic documents (bench-only index prefix), starts the gateway as its
own process on loopback with its default limits, and gives two viewer keys the same matters.
The victim sends --requests searches one at a time, first alone (baseline), then while the
attacker key runs --attackers parallel loops of the hostile mix: fuzzy floods, the most
fuzzy terms allowed, short and many prefixes, the most terms allowed. Each loop fires again
at once, whatever the answer (an attacker does not honour Retry-After), and stops when the
victim is done. Prints the victim's p50 alone and under attack, their ratio (target <= 2),
and what the attacker got back. The bench indices and topics are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import secrets
import statistics
import time

import httpx
from _common import QUERIES, bench_indices, gateway_process, index_documents, viewer_keys

PORT = 28181

HOSTILE = [
    "|".join(["qu~2"] * 300),  # the finding: 300 fuzzy terms
    "contarct~2 | braech~2 | damges~2",  # the most fuzzy terms allowed
    "co* | li* | ne* | ap* | ju*",  # the most (and shortest) prefixes allowed
    " | ".join(["contract", "breach", "damages", "liability"] * 16),  # the most terms allowed
    "c*",  # a one-letter prefix
    '"contract breach"~20 | negligen* | liabilty~2',
]


async def victim(client: httpx.AsyncClient, queries: list[str]) -> list[float]:
    latencies = []
    for q in queries:
        started = time.perf_counter()
        response = await client.get("/v1/search", params={"q": q, "size": 10})
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"victim got {response.status_code}: {response.text[:300]}")
    return latencies


async def attacker(
    client: httpx.AsyncClient, done: asyncio.Event, seen: collections.Counter[int], cap: int
) -> None:
    rng = random.Random()
    for _ in range(cap):  # bounded even if the victim never finishes
        if done.is_set():
            return
        try:
            response = await client.get("/v1/search", params={"q": rng.choice(HOSTILE)})
            seen[response.status_code] += 1
        except httpx.HTTPError:
            seen[0] += 1


async def run(args: argparse.Namespace) -> None:
    prefix = f"lxhostile{secrets.token_hex(3)}"
    admin_key = secrets.token_urlsafe(24)
    async with bench_indices(prefix) as (es, alias):
        await index_documents(es, alias, args.docs)
        with gateway_process(prefix, admin_key, port=PORT) as base:
            keys = await viewer_keys(base, admin_key, ["victim", "attacker"])
            rng = random.Random(3)
            queries = [rng.choice(QUERIES) for _ in range(args.requests)]
            limits = httpx.Limits(max_connections=args.attackers + 4)
            async with (
                httpx.AsyncClient(base_url=base, headers={"X-API-Key": keys["victim"]}) as me,
                httpx.AsyncClient(
                    base_url=base,
                    headers={"X-API-Key": keys["attacker"]},
                    limits=limits,
                    timeout=60,
                ) as them,
            ):
                await victim(me, queries[:30])  # warm caches and connections
                alone = await victim(me, queries)
                done = asyncio.Event()
                seen: collections.Counter[int] = collections.Counter()
                loops = [
                    asyncio.create_task(attacker(them, done, seen, args.attack_cap))
                    for _ in range(args.attackers)
                ]
                await asyncio.sleep(1.0)  # let the attack get going
                attacked = await victim(me, queries)
                done.set()
                await asyncio.gather(*loops)

        base_p50, under = statistics.median(alone), statistics.median(attacked)
        ratio = under / base_p50
        print(f"{args.docs} documents, {args.requests} victim searches per phase")
        print(f"victim p50 alone:        {base_p50:8.1f} ms")
        print(f"victim p50 under attack: {under:8.1f} ms")
        print(f"ratio: {ratio:.2f} (target <= 2.00): {'met' if ratio <= 2 else 'NOT met'}")
        answers = ", ".join(f"{code or 'error'}: {n}" for code, n in sorted(seen.items()))
        print(f"attacker ({args.attackers} parallel loops) got {answers}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--attack-cap", type=int, default=20_000, help="requests per loop")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

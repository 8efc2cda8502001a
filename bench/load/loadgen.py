"""A bounded load generator for the gateway (loopback only): uploads and searches at once.

``run_load`` keeps ``uploaders`` uploads and ``searchers`` searches in flight for
``duration_s`` seconds (no more: it is a closed loop, so it never queues unbounded work) and
reports, per endpoint, the throughput, the answers by status code, the error rate and the
p50/p99 latency. 429 and 503 (with Retry-After) are the system shedding load and are counted
apart from errors; a 500 is an error. Memory of each service is sampled at the start and at
the end when a :class:`tests.reliability.stack.Services` is given.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
from tests.reliability.corpus import scan_png, text_pdf

WORDS = ["contract", "damages", "claimant", "breach", "appeal", "court", "justice", "exhibit"]


def assert_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"the load generator only targets loopback, not {host}")


@dataclass
class Endpoint:
    latencies: list[float] = field(default_factory=list)
    codes: Counter[int] = field(default_factory=Counter)
    shed_without_retry_after: int = 0

    def add(self, code: int, seconds: float) -> None:
        self.codes[code] += 1
        self.latencies.append(seconds)

    def summary(self, duration_s: float) -> dict[str, Any]:
        total = sum(self.codes.values())
        ok = sum(n for c, n in self.codes.items() if 200 <= c < 400)
        shed = self.codes[429] + self.codes[503]
        errors = total - ok - shed
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            if not ordered:
                return 0.0
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        return {
            "requests": total,
            "per_s": round(ok / duration_s, 2),
            "ok": ok,
            "shed_429_503": shed,
            "shed_without_retry_after": self.shed_without_retry_after,
            "errors": errors,
            "error_rate": round(errors / total, 4) if total else 0.0,
            "5xx_other_than_503": sum(n for c, n in self.codes.items() if c >= 500 and c != 503),
            "p50_ms": round(pct(0.50), 1),
            "p99_ms": round(pct(0.99), 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0,
            "codes": dict(sorted(self.codes.items())),
        }


@dataclass
class LoadReport:
    duration_s: float
    endpoints: dict[str, dict[str, Any]]
    memory_start_mib: dict[str, int]
    memory_end_mib: dict[str, int]

    def table(self) -> str:
        lines = [
            "| endpoint | requests | ok/s | shed (429/503) | errors | error rate | 500s "
            "| p50 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, s in self.endpoints.items():
            lines.append(
                f"| {name} | {s['requests']} | {s['per_s']} | {s['shed_429_503']} | "
                f"{s['errors']} | {s['error_rate']:.2%} | {s['5xx_other_than_503']} | "
                f"{s['p50_ms']} | {s['p99_ms']} |"
            )
        if self.memory_start_mib:
            lines += [
                "",
                "| service | RSS at start (MiB) | RSS at end (MiB) | growth |",
                "|---|---:|---:|---:|",
            ]
            for name, start in self.memory_start_mib.items():
                end = self.memory_end_mib.get(name, 0)
                lines.append(f"| {name} | {start} | {end} | {end - start:+d} |")
        return "\n".join(lines)


async def run_load(
    gateway_url: str,
    key: str,
    *,
    duration_s: float,
    uploaders: int = 4,
    searchers: int = 8,
    matter_id: str | None = None,
    services: Any = None,
    warmup_s: float = 10.0,
) -> LoadReport:
    assert_loopback(gateway_url)
    stats: dict[str, Endpoint] = defaultdict(Endpoint)
    uploaded: list[tuple[float, str]] = []  # (when accepted, document id)
    run = secrets.token_hex(3)
    counter = 0

    def memory() -> dict[str, int]:
        if services is None:
            return {}
        return {name: services.rss_kib(name) // 1024 for name in services.procs}

    async def call(
        client: httpx.AsyncClient, name: str, method: str, url: str, **kw: Any
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kw)
        except httpx.TransportError:
            stats[name].add(0, time.perf_counter() - started)
            await asyncio.sleep(0.5)
            return None
        stats[name].add(response.status_code, time.perf_counter() - started)
        if response.status_code in (429, 503):
            if "retry-after" not in response.headers:
                stats[name].shed_without_retry_after += 1
            await asyncio.sleep(min(float(response.headers.get("retry-after", "1")), 2.0))
        return response

    async def uploader(client: httpx.AsyncClient, deadline: float) -> None:
        nonlocal counter
        while time.monotonic() < deadline:
            counter += 1
            i = counter
            words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(5))
            if i % 10 == 0:
                name, data = f"scan-{i}.png", scan_png([f"load {run} {i}", words])
            else:
                name, data = f"load-{i}.pdf", text_pdf([f"Load test {run} document {i}", words])
            fields = {"external_id": f"load-{run}-{i}", "source": "loadgen"}
            if matter_id:
                fields["matter_id"] = matter_id
            response = await call(
                client,
                "POST /v1/documents",
                "POST",
                "/v1/documents",
                data=fields,
                files={"file": (name, data)},
            )
            if response is not None and response.status_code == 202:
                uploaded.append((time.monotonic(), response.json()["document_id"]))

    async def searcher(client: httpx.AsyncClient, deadline: float, n: int) -> None:
        i = n
        while time.monotonic() < deadline:
            i += 1
            # documents accepted 20 s ago or more: a status read of one accepted a moment ago
            # may rightly answer 404 (not recorded yet) and would count as an error
            settled = [d for at, d in uploaded if time.monotonic() - at > 20]
            if i % 4 == 0 and settled:
                document_id = settled[(i * 7919) % len(settled)]
                await call(client, "GET /v1/documents/{id}", "GET", f"/v1/documents/{document_id}")
            else:
                q = f"{WORDS[i % len(WORDS)]} {WORDS[(i * 3) % len(WORDS)]}"
                await call(
                    client, "GET /v1/search", "GET", "/v1/search", params={"q": q, "size": 10}
                )

    limits = httpx.Limits(max_connections=uploaders + searchers + 4)
    timeout = httpx.Timeout(60, connect=10)
    async with httpx.AsyncClient(
        base_url=gateway_url, headers={"X-API-Key": key}, timeout=timeout, limits=limits
    ) as client:
        warm_deadline = time.monotonic() + warmup_s
        await asyncio.gather(uploader(client, warm_deadline), searcher(client, warm_deadline, 0))
        stats.clear()
        start_memory = memory()
        started = time.monotonic()
        deadline = started + duration_s
        await asyncio.gather(
            *(uploader(client, deadline) for _ in range(uploaders)),
            *(searcher(client, deadline, n * 1000) for n in range(searchers)),
        )
        elapsed = time.monotonic() - started
    end_memory = memory()
    return LoadReport(
        round(elapsed, 1),
        {name: e.summary(elapsed) for name, e in sorted(stats.items())},
        start_memory,
        end_memory,
    )

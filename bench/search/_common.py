"""What the search benchmarks share: a synthetic legal corpus under a bench-only index
prefix, the gateway as its own process on loopback, viewer keys, and the cleanup of the bench
indices and topics."""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk

from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.search import documents_alias
from lexstream.shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[2]
ES_URL = os.environ.get("LEXSTREAM_ELASTICSEARCH_URL", "http://127.0.0.1:9200")
MATTERS = [f"M-{i:03d}" for i in range(200)]
MEMBER_OF = MATTERS[:20]
JURISDICTIONS = ["US/FED", "US/STATE/CA", "US/STATE/NY", "EU", "EU/DE", "EU/FR", "UK/EW", "NL"]
COURTS = ["Supreme Court", "Court of Appeal", "District Court", "Bundesgerichtshof", "CJEU"]
DOC_TYPES = ["judgment", "order", "statute", "contract", "brief"]
WORDS = [
    "contract",
    "breach",
    "damages",
    "liability",
    "negligence",
    "appeal",
    "judgment",
    "statute",
    "clause",
    "warranty",
    "indemnity",
    "arbitration",
    "jurisdiction",
    "tort",
    "plaintiff",
    "defendant",
    "evidence",
    "testimony",
    "remedy",
    "injunction",
    "precedent",
    "merger",
    "antitrust",
    "copyright",
    "patent",
    "trademark",
    "privacy",
    "employment",
    "insurance",
    "fraud",
    "lease",
    "tenancy",
    "charterparty",
    "vessel",
    "cargo",
    "shipment",
    "carrier",
    "bankruptcy",
    "creditor",
    "debtor",
    "pension",
    "trust",
    "estate",
    "probate",
    "custody",
    "divorce",
    "sentencing",
]
QUERIES = [
    "contract",
    "breach AND damages",
    '"due process"',
    "negligen*",
    "arbitration | mediation",
    "patent -trademark",
    "liabilty~1",
    '"breach clause"~3',
    "charterparty cargo",
    "injunction",
]


#: Natural-language queries (no operators): the ones hybrid search fuses with a kNN.
FREE_TEXT_QUERIES = [
    "breach of contract and damages for the tenant",
    "liability of the carrier for the cargo",
    "negligence of the defendant insurance",
    "injunction against the trademark",
    "arbitration clause in the employment contract",
    "bankruptcy of the debtor and the creditor",
    "custody after the divorce",
    "sentencing on appeal for fraud",
    "patent infringement remedy",
    "privacy and copyright of the estate",
]


def _page_text(rng: random.Random) -> str:
    text = " ".join(rng.choices(WORDS, k=60))
    if rng.random() < 0.05:
        text += " due process"
    return text


class PagePool:
    """Page texts and their passage vectors (the real model), which synthetic documents
    draw their pages from: embedding 200,000 pages would take hours on two cores, embedding
    ``size`` takes a minute. Each use of a page gets its vector plus a little noise
    (``jitter``), re-normalised, so no two passages have the same vector (exact duplicates
    are a degenerate case for HNSW, not the one a corpus presents)."""

    def __init__(self, size: int, seed: int = 3, jitter: float = 0.02) -> None:
        import numpy as np

        from lexstream.shared import embeddings

        rng = random.Random(seed)
        self.texts = [_page_text(rng) for _ in range(size)]
        self.vectors = np.asarray(embeddings.encode(self.texts), dtype=np.float32)
        self.jitter = jitter
        self._np = np.random.default_rng(seed)

    def vector(self, i: int) -> list[float]:
        v = self.vectors[i] + self._np.normal(0.0, self.jitter, self.vectors.shape[1])
        # five decimals, as the index service sends them (int8 in the index anyway)
        return [round(float(x), 5) for x in v / float((v @ v) ** 0.5)]


def synthetic(n: int, seed: int = 7, pool: PagePool | None = None) -> Iterator[dict[str, Any]]:
    """``n`` documents of 1 to 3 pages; with a ``pool``, pages come from it and each has its
    passage (``chunks``) with a vector, as the index service writes them."""
    from lexstream.shared.embeddings import EMBEDDING_MODEL

    rng = random.Random(seed)
    for i in range(n):
        pages: list[dict[str, Any]] = []
        chunks: list[dict[str, Any]] = []
        for number in range(1, rng.randint(1, 3) + 1):
            if pool is None:
                text = _page_text(rng)
            else:
                drawn = rng.randrange(len(pool.texts))
                text = pool.texts[drawn]
                chunks.append({"page": number, "vector": pool.vector(drawn)})
            pages.append({"number": number, "text": text, "method": "text-layer"})
        matter = rng.choice(MATTERS)
        doc_id = f"bench-{i:07d}"
        yield {
            "_index": "",
            "_id": doc_id,
            "_source": {
                "document_id": doc_id,
                "tenant": "default",
                "matter_id": matter,
                "acl": [f"matter:{matter}"],
                "title": " ".join(rng.choices(WORDS, k=5)).title(),
                "filename": f"{doc_id}.pdf",
                "kind": "text",
                "content": " ".join(p["text"] for p in pages),
                "language": "en",
                "jurisdiction": rng.choice(JURISDICTIONS),
                "court": rng.choice(COURTS),
                "doc_type": rng.choice(DOC_TYPES),
                "decision_date": f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-01",
                "pages": pages,
                "page_count": len(pages),
                **({"chunks": chunks, "embedding_model": EMBEDDING_MODEL} if chunks else {}),
            },
        }


async def index_documents(
    es: AsyncElasticsearch, alias: str, n: int, pool: PagePool | None = None
) -> float:
    started = time.perf_counter()

    def actions() -> Iterator[dict[str, Any]]:
        for action in synthetic(n, pool=pool):
            action["_index"] = alias
            yield action

    done = 0
    async for ok, _ in async_streaming_bulk(
        es, actions(), chunk_size=500 if pool else 2000, max_retries=3, raise_on_error=True
    ):
        done += ok
        if done % 20_000 == 0:
            print(f"  indexed {done:,}", flush=True)
    await es.indices.refresh(index=alias)
    # merging 100,000 documents' vectors into one segment takes minutes on two cores
    await es.options(request_timeout=3_600).indices.forcemerge(index=alias, max_num_segments=1)
    return time.perf_counter() - started


@contextlib.asynccontextmanager
async def bench_indices(
    prefix: str, *, keep: bool = False
) -> AsyncIterator[tuple[AsyncElasticsearch, str]]:
    """The Elasticsearch client and the documents alias of indices bootstrapped under
    ``prefix``; on leaving, those indices and the topics under ``prefix`` are deleted, unless
    ``keep`` (a later run reuses them: ``--reuse PREFIX``)."""
    settings = CommonSettings(index_prefix=prefix, elasticsearch_url=ES_URL)
    alias = documents_alias(settings)
    es = AsyncElasticsearch(ES_URL, request_timeout=120)
    try:
        await bootstrap_indices(es, settings)
        yield es, alias
    finally:
        if keep:
            print(f"kept the indices under {prefix} (--reuse {prefix})")
            await es.close()
        else:
            await es.indices.delete(index=f"{prefix}-*", allow_no_indices=True)
            with contextlib.suppress(Exception):
                await es.indices.delete_index_template(name=alias)
            await es.close()
            await delete_topics(prefix)


@contextlib.contextmanager
def gateway_process(
    prefix: str, admin_key: str, *, port: int, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """The gateway on ``port`` under ``prefix`` (``env`` on top), live: yields its base URL
    and stops it on leaving. Its log is /tmp/<prefix>-gateway.log."""
    log = Path(f"/tmp/{prefix}-gateway.log")
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lexstream.gateway"],
        cwd=ROOT,
        env={
            **os.environ,
            "LEXSTREAM_INDEX_PREFIX": prefix,
            "LEXSTREAM_TOPIC_PREFIX": prefix,
            "LEXSTREAM_HTTP_PORT": str(port),
            "LEXSTREAM_BOOTSTRAP_ADMIN_KEY": admin_key,
            "LEXSTREAM_LOG_LEVEL": "WARNING",
            **(env or {}),
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_live(base, proc, log)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_live(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/health/live", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gateway did not start:\n{log.read_text()[-3000:]}")


async def viewer_keys(base: str, admin_key: str, subjects: list[str]) -> dict[str, str]:
    """The matters of :data:`MEMBER_OF`, and an API key for each subject, a viewer of them all
    (``{subject: key}``)."""
    keys = {}
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": admin_key}, timeout=60
    ) as admin:
        for matter in MEMBER_OF:
            await admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
        for who in subjects:
            created = await admin.post("/v1/apikeys", json={"subject": who, "name": who})
            keys[who] = created.json()["key"]
            for matter in MEMBER_OF:
                await admin.put(f"/v1/matters/{matter}/members/{who}", json={"role": "viewer"})
    return keys


async def delete_topics(prefix: str) -> None:
    """The gateway made its audit topic under the bench prefix; remove it."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers="127.0.0.1:9092")
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefix + ".")]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()

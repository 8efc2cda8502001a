"""Latency of the research routes' work, in-process against the local Elasticsearch.

    uv run --frozen python bench/research/latency.py [--documents 100000] [--citing 10000]
        [--runs 100] [--json PATH]

Two measurements, each against a baseline measured in the same run (printed as ratios):

1. The authorities of a 100-page judgment (GET /v1/documents/{id}/authorities): a synthetic
   judgment of 100 pages citing EU acts, treaties, CJEU, UK and US cases and German
   statutes in several languages is built by the index's own builder (extraction, authority
   ids, contexts) and indexed with 40 held documents (CJEU judgments of cited cases); timed:
   the real-time GET of the search document, the held-document query, the grouping and the
   response model, as the route does them. Baseline: a term query for the document's id.
   Target: <= 100 ms p50.
2. The page of a provision cited by ``--citing`` of ``--documents`` documents
   (GET /v1/authorities/{id}): synthetic search documents with ``authorities`` and
   ``citations`` (with contexts) bulk-indexed under a bench-only index prefix; timed: the
   citing query (first page of 20, sorted by date, counts by jurisdiction and year), the
   held-document query and the shaping, for a tenant admin (sees every citing document) and
   a member of 20 of 200 matters. Baseline: a plain term query on ``authorities`` with the
   same access filter, no sort or aggregations. Target: <= 200 ms p50.

The bench indices (prefix ``lexstream-bench-research``) are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))

from _common import bench_indices
from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_streaming_bulk

from lexstream.gateway import research
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.routes_research import AuthorityPage, DocumentAuthorities
from lexstream.index.documents import text_search_document
from lexstream.index.extraction import warm_up
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import ObjectRef, TextExtracted
from lexstream.shared.legal.authorities import lineage

PREFIX = "lexstream-bench-research"
TENANT = "default"
MATTERS = [f"M-{i:03d}" for i in range(200)]
MEMBER_OF = MATTERS[:20]
JURISDICTIONS = ["EU", "EU/DE", "EU/FR", "EU/NL", "UK/EW", "US/FED", "INT/COE"]
PROVISION = "eu:celex:32016R0679/art:6/para:1/point:f"
EXCLUDES = ["content", "pages", "segments", "chunks"]

# Citations a judgment's pages draw from: one provision in three languages, and some 700
# other forms (GDPR articles in English, German and French, ECHR articles, BGB sections,
# CJEU cases, UK Supreme Court judgments), so a 100-page judgment cites a few hundred.
_FORMS = [
    "Art. 6 Abs. 1 lit. f DSGVO",
    "article 6, paragraphe 1, point f) du RGPD",
    "Article 6(1)(f) GDPR",
    "Directive 95/46/EC",
    *(f"Article {n}(1) GDPR" for n in range(1, 100)),
    *(f"Art. {n} Abs. 2 DSGVO" for n in range(1, 100)),
    *(f"article {n} du RGPD" for n in range(1, 100)),
    *(f"Article {n} ECHR" for n in range(2, 15)),
    *(f"§ {n} Abs. 1 BGB" for n in range(100, 200)),
    *(f"Case C-{n}/{18 + n % 4}" for n in range(100, 300)),
    *(f"[{year}] UKSC {n}" for year in range(2015, 2023) for n in range(1, 13)),
]
_FILLER = (
    "The referring court asks, in essence, whether the processing at issue may be regarded as "
    "necessary for the purposes of the legitimate interests pursued by the controller, and "
    "whether those interests are overridden by the interests or fundamental rights and "
    "freedoms of the data subject. "
)


def judgment_pages(pages: int = 100, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out = []
    for number in range(1, pages + 1):
        sentences = [f"{number}. {_FILLER}"]
        for _ in range(8):
            sentences.append(f"As the Court held, see {rng.choice(_FORMS)}, {_FILLER}")
        out.append(" ".join(sentences) * 2)
    return out


def judgment_document(pages: list[str]) -> dict[str, Any]:
    text = TextDocument(
        document_id="bench-judgment",
        media_type="text/plain",
        pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
        extractor="bench",
    )
    event = TextExtracted(
        document_id="bench-judgment",
        matter_id=MATTERS[0],
        text=ObjectRef(bucket="bench", key="bench-judgment/text.json"),
        media_type="text/plain",
        filename="judgment.txt",
        pages=len(pages),
        extractor="bench",
    )
    doc = text_search_document(
        event,
        text,
        filename="judgment.txt",
        language_hint="en",
        jurisdiction_hint=None,
        max_chars=5_000_000,
        extractor_version="bench",
    )
    return {**doc, "tenant": TENANT}


def held_documents() -> Iterator[dict[str, Any]]:
    for n, year in zip(range(100, 140), [18, 19, 20, 21] * 10, strict=True):
        case = f"C-{n}/{year}"
        yield {
            "document_id": f"held-{n}",
            "tenant": TENANT,
            "matter_id": MATTERS[n % 40],
            "acl": [f"matter:{MATTERS[n % 40]}"],
            "title": f"Judgment in Case {case}",
            "doc_type": "judgment",
            "own_authorities": [f"eu:case:{case}"],
        }


def _citation(authority_id: str, rng: random.Random) -> dict[str, Any]:
    return {
        "raw": "Art. 6 Abs. 1 lit. f DSGVO" if authority_id == PROVISION else authority_id,
        "normalized": authority_id,
        "kind": "eu_legislation" if authority_id.startswith("eu:celex") else "other",
        "instrument": "Regulation (EU) 2016/679" if authority_id == PROVISION else None,
        "pinpoint": "Art. 6(1)(f)" if authority_id == PROVISION else None,
        "authority_id": authority_id,
        "count": rng.randint(1, 4),
        "start": rng.randint(0, 50_000),
        "page": rng.randint(1, 40),
        "context": (_FILLER * 2)[: rng.randint(200, 330)],
    }


def corpus(n: int, citing: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    """``n`` search documents; every (n // citing)-th cites the provision, every one cites
    two of 5,000 other authorities."""
    rng = random.Random(seed)
    others = [f"us:reporter:{v}/US/{p}" for v in range(300, 400) for p in range(1, 51)]
    step = max(1, n // citing)
    start = date(1990, 1, 1)
    for i in range(n):
        matter = MATTERS[i % len(MATTERS)]
        cited = rng.sample(others, 2)
        if i % step == 0 and i // step < citing:
            cited.append(PROVISION)
        yield {
            "_id": f"syn-{i}",
            "document_id": f"syn-{i}",
            "tenant": TENANT,
            "matter_id": matter,
            "acl": [f"matter:{matter}"],
            "title": f"Synthetic judgment {i}",
            "doc_type": "judgment",
            "jurisdiction": rng.choice(JURISDICTIONS),
            "decision_date": (start + timedelta(days=rng.randint(0, 12_000))).isoformat(),
            "authorities": sorted({level for a in cited for level in lineage(a)}),
            "citations": [_citation(a, rng) for a in cited],
        }


async def bulk(es: AsyncElasticsearch, alias: str, docs: Iterator[dict[str, Any]]) -> float:
    started = time.perf_counter()

    def actions() -> Iterator[dict[str, Any]]:
        for doc in docs:
            doc_id = doc.pop("_id", None) or doc["document_id"]
            yield {"_index": alias, "_id": doc_id, "_source": doc}

    async for _ok, _ in async_streaming_bulk(es, actions(), chunk_size=2000, max_retries=3):
        pass
    await es.indices.refresh(index=alias)
    return time.perf_counter() - started


async def timed(call: Callable[[], Awaitable[Any]], runs: int, warm: int = 10) -> list[float]:
    for _ in range(warm):
        await call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
    }


ADMIN = Access(Principal(subject="bench-admin", tenant=TENANT, is_admin=True))
MEMBER = Access(
    Principal(subject="bench-member", tenant=TENANT, roles=dict.fromkeys(MEMBER_OF, "viewer"))  # type: ignore[arg-type]
)


async def document_authorities(es: AsyncElasticsearch, alias: str, access: Access) -> int:
    """GET /v1/documents/{id}/authorities, the route's work: the document's citations are
    fetched while its authorities (read alone) find the held documents."""

    async def held_by_others() -> research.Held:
        cited = await es.get(
            index=alias, id="bench-judgment", source_includes=["authorities", "tenant", "matter_id"]
        )
        roots = research.roots_of(cited["_source"].get("authorities") or [])
        body = research.held_query(roots, access, exclude="bench-judgment")
        found = dict(await es.search(index=alias, body=body))
        return research.Held.of(found, cited["_source"]["matter_id"])

    found, held = await asyncio.gather(
        es.get(index=alias, id="bench-judgment", source_excludes=EXCLUDES), held_by_others()
    )
    source = found["_source"]
    assert access.allows(source.get("tenant"), source.get("matter_id"))
    citations = source.get("citations") or []
    answer = research.document_authorities(citations, held)
    shaped = DocumentAuthorities.model_validate({"document_id": "bench-judgment", **answer})
    orjson.dumps(shaped.model_dump())
    return len(answer["authorities"])


async def authority_page(es: AsyncElasticsearch, alias: str, access: Access, aid: str) -> int:
    """GET /v1/authorities/{id}, the route's work (first page of 20)."""
    result = dict(await es.search(index=alias, body=research.citing_query(aid, access, size=20)))
    held = research.Held.of(
        dict(await es.search(index=alias, body=research.held_query([aid], access)))
    )
    citing = research.citing_documents(result, aid)
    authority = research.describe(aid, research.stored_citations(result))
    page = AuthorityPage.model_validate(
        {
            "authority": research.authority_fields(authority),
            "document": held.link(aid),
            "total": result["hits"]["total"]["value"],
            "citing": citing,
            **research.counts(result),
            "next": None,
        }
    )
    orjson.dumps(page.model_dump())
    return page.total


async def term_query(es: AsyncElasticsearch, alias: str, query: dict[str, Any]) -> None:
    await es.search(index=alias, body={"query": query, "size": 20})


async def run(args: argparse.Namespace) -> dict[str, Any]:
    warm_up()
    pages = judgment_pages()
    started = time.perf_counter()
    judgment = judgment_document(pages)
    build_s = time.perf_counter() - started
    out: dict[str, Any] = {
        "judgment": {
            "pages": len(pages),
            "chars": len(judgment["content"]),
            "citations": len(judgment["citations"]),
            "build_s": round(build_s, 2),
        }
    }
    async with bench_indices(PREFIX) as (es, alias):
        await bulk(es, alias, iter([dict(judgment), *held_documents()]))
        grouped = await document_authorities(es, alias, MEMBER)
        route = await timed(lambda: document_authorities(es, alias, MEMBER), args.runs)
        base = await timed(
            lambda: term_query(es, alias, {"term": {"document_id": "bench-judgment"}}), args.runs
        )
        out["judgment"].update(
            authorities=grouped, route=summary(route), baseline_term=summary(base)
        )
        out["judgment"]["ratio_p50"] = round(
            out["judgment"]["route"]["p50_ms"] / out["judgment"]["baseline_term"]["p50_ms"], 1
        )

        if args.documents == 0:
            return out
        load_s = await bulk(es, alias, corpus(args.documents, args.citing))
        await bulk(
            es,
            alias,
            iter(
                [
                    {
                        "document_id": "held-gdpr",
                        "tenant": TENANT,
                        "matter_id": MEMBER_OF[0],
                        "acl": [f"matter:{MEMBER_OF[0]}"],
                        "title": "Regulation (EU) 2016/679 (GDPR)",
                        "doc_type": "regulation",
                        "own_authorities": ["eu:celex:32016R0679"],
                    }
                ]
            ),
        )
        await es.indices.forcemerge(index=alias, max_num_segments=1)
        page: dict[str, Any] = {"documents": args.documents, "load_s": round(load_s, 1)}
        for label, access in (("admin", ADMIN), ("member_of_20_of_200", MEMBER)):
            for aid in (PROVISION, "eu:celex:32016R0679"):
                total = await authority_page(es, alias, access, aid)
                times = await timed(partial(authority_page, es, alias, access, aid), args.runs)
                plain = {"bool": {"filter": [access.es_filter(), {"term": {"authorities": aid}}]}}
                base = await timed(partial(term_query, es, alias, plain), args.runs)
                key = f"{label} {aid}"
                page[key] = {
                    "citing": total,
                    "route": summary(times),
                    "baseline_term": summary(base),
                    "ratio_p50": round(statistics.median(times) / statistics.median(base), 1),
                }
        out["authority_page"] = page
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--citing", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    text = json.dumps(result, indent=2)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

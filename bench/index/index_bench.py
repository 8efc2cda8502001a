"""Index service throughput, in one run: extraction pages/s, and indexing documents/s through
the service's write path against a raw ``_bulk`` of the same prepared documents.

    uv run python bench/index/index_bench.py [--docs 2000] [--rounds 3]

Needs the local stack (Elasticsearch). Text comes from the labelled legal set (read once,
before timing); a page is 3,000 characters.

* extraction: ``extract()`` over every text, best of the rounds.
* indexing: the same prepared search documents (built once, ``--docs`` of them, ids distinct)
  are written (a) raw: ``es.bulk(operations=[...])`` with the client's own serialisation, in
  requests of ``batch_max_docs`` documents, and (b) through the service: ``Indexer.write`` per
  batch of ``batch_max_docs`` (bounded ``_bulk`` with per-item outcomes and retries, then the
  status records, read-modify-write with seq_no, in one ``_mget`` + one ``_bulk``). Both go
  to fresh indices from the same index template on the same node, alternating which goes
  first; the ratio is service/raw within each round, and its median is reported.
  ``writer only`` is (b) without the status records.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from legal_texts import document_text, load_documents

from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.bulk import BulkAction
from lexstream.index.documents import text_search_document
from lexstream.index.extraction import EXTRACTOR_VERSION, extract, warm_up
from lexstream.index.indexer import Indexer, Prepared
from lexstream.index.settings import IndexSettings
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import ObjectRef, TextExtracted
from lexstream.shared.ids import new_document_id
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.storage import ObjectStore

CHARS_PER_PAGE = 3_000


def _pages(text: str) -> list[Page]:
    chunks = [text[i : i + CHARS_PER_PAGE] for i in range(0, len(text), CHARS_PER_PAGE)] or [""]
    return [Page(number=n, text=t, method="text-layer") for n, t in enumerate(chunks, 1)]


def bench_extraction(texts: list[tuple[str, str]], rounds: int) -> None:
    started = time.perf_counter()
    warm_up()
    print(f"warm_up (eyecite, courts-db, lingua): {time.perf_counter() - started:.2f} s")
    pages = sum(len(t) for _, t in texts) / CHARS_PER_PAGE
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        for name, text in texts:
            extract(text, filename=name)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"extraction: {len(texts)} documents, {pages:,.0f} pages in {best:.2f} s -> "
        f"{pages / best:,.1f} pages/s ({len(texts) / best:,.1f} documents/s), best of {rounds}"
    )


def prepare(texts: list[tuple[str, str]], settings: IndexSettings, count: int) -> list[Prepared]:
    """Each text is extracted once; copies under fresh document ids make up ``count``."""
    built: list[Prepared] = []
    for n, (name, text) in enumerate(texts):
        document_id = new_document_id()
        event = TextExtracted(
            document_id=document_id,
            matter_id=f"M-{n % 20}",
            text=ObjectRef(bucket="bench", key=f"{document_id}/text.json"),
            media_type="application/pdf",
            filename=name,
            pages=1,
            extractor="bench",
        )
        doc = text_search_document(
            event,
            TextDocument(
                document_id=document_id,
                media_type="application/pdf",
                pages=_pages(text),
                extractor="bench",
            ),
            filename=name,
            language_hint=None,
            jurisdiction_hint=None,
            max_chars=settings.max_content_chars,
            extractor_version=EXTRACTOR_VERSION,
        )
        built.append(Prepared(event, doc, len(text)))
    copies = []
    for n in range(count):
        original = built[n % len(built)]
        document_id = new_document_id()
        event = original.event.model_copy(update={"document_id": document_id})
        doc = {**original.doc, "document_id": document_id}
        copies.append(Prepared(event, doc, original.content_chars))
    return copies


async def timed(step: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await step()
    return time.perf_counter() - started


async def bench_indexing(texts: list[tuple[str, str]], count: int, rounds: int) -> None:
    base = f"lxbench{secrets.token_hex(3)}"
    settings = IndexSettings(index_prefix=base)
    es = make_search_client(settings)
    batch = settings.batch_max_docs
    started = time.perf_counter()
    docs = prepare(texts, settings, count)
    mb = sum(len(BulkAction(p.document_id, "x", p.doc).lines()) for p in docs) / 1e6
    print(
        f"prepared {count} search documents ({mb:,.1f} MB of _bulk bodies) in "
        f"{time.perf_counter() - started:.1f} s (extraction included, not timed below)"
    )
    results: dict[str, list[float]] = {"raw": [], "service": [], "writer only": []}
    try:
        await bootstrap_indices(es, settings)  # the template every index below comes from
        for r in range(rounds):

            async def raw(r: int = r) -> None:
                index = f"{documents_alias(settings)}-raw{r}"
                await es.indices.create(index=index)
                for i in range(0, count, batch):
                    operations: list[dict[str, Any]] = []
                    for p in docs[i : i + batch]:
                        operations += [{"index": {"_index": index, "_id": p.document_id}}, p.doc]
                    response = await es.bulk(operations=operations)
                    assert not response["errors"]
                await es.indices.refresh(index=index)

            async def service(r: int = r, status: bool = True) -> None:
                own = IndexSettings(index_prefix=f"{base}s{r}{'' if status else 'w'}")
                await bootstrap_indices(es, own)
                indexer = Indexer(own, es, ObjectStore(own))
                for i in range(0, count, batch):
                    if status:
                        assert await indexer.write(docs[i : i + batch]) == {}
                    else:
                        chunk = docs[i : i + batch]
                        actions = [BulkAction(p.document_id, indexer.alias, p.doc) for p in chunk]
                        assert not (await indexer.writer.write(actions)).failed
                await es.indices.refresh(index=indexer.alias)

            order = [("raw", raw), ("service", service)]
            if r % 2:
                order.reverse()
            for name, step in order:
                results[name].append(await timed(step))
            results["writer only"].append(await timed(lambda r=r: service(r, status=False)))
            line = ", ".join(f"{k} {v[-1]:.2f} s" for k, v in results.items())
            print(f"round {r + 1}: {line}")
    finally:
        await es.indices.delete(index=f"{base}*", expand_wildcards="all")
        await es.indices.delete_index_template(name=f"{base}*")
        await es.close()
    median = {name: statistics.median(values) for name, values in results.items()}
    for name, seconds in median.items():
        print(f"indexing {name}: {count / seconds:,.1f} documents/s (median of {rounds})")
    # The node is shared, so rounds are noisy: the ratio is taken within each round (the two
    # runs of a round are back to back) and the median of those ratios is reported.
    for name in ("service", "writer only"):
        ratios = [raw / other for raw, other in zip(results["raw"], results[name], strict=True)]
        listed = ", ".join(f"{x:.2f}" for x in ratios)
        print(f"{name} / raw per round: {listed}; median {statistics.median(ratios):.2f}")
    print("target: service / raw >= 0.8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = [(doc.path.name, document_text(doc.path)) for doc in load_documents()]
    bench_extraction(texts, args.rounds)
    asyncio.run(bench_indexing(texts, args.docs, args.rounds))


if __name__ == "__main__":
    main()

"""Time ``python -m lexstream.index rerun --all --outdated`` on the labelled evaluation set.

    uv run --frozen python bench/index/rerun_bench.py        # needs the local stack (make up)

What it does, on the real Elasticsearch and S3 of the local stack, under its own index
prefix (``lexstream-rerunbench``, deleted at the start of each run):

1. puts every labelled document's text (bench/eval: the legal set and the corpus) in the
   derived bucket as the ocr service would (``<id>/text.json``, one page per 3,000
   characters) and indexes it with the current extractor, as the service does;
2. marks every status record as written by an older extractor (``extractor_version``
   '0.0.0'), which is what a version bump looks like to the stored records;
3. runs the real command, ``python -m lexstream.index rerun --all --outdated``, in a
   subprocess and times it; then checks that every document was selected and re-indexed
   and that a second ``--outdated`` run selects nothing.

The baseline measured in the same run is step 1 (the first indexing of the same documents
in-process): the ratio says what the re-run costs against the first indexing.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from elasticsearch.helpers import async_bulk

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from corpus import all_documents
from legal_texts import document_text

from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.extraction import EXTRACTOR_VERSION, warm_up
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import Hints, ObjectRef, TextExtracted
from lexstream.shared.ids import new_document_id
from lexstream.shared.search import make_search_client, status_index
from lexstream.shared.storage import ObjectStore, derived_key

PREFIX = "lexstream-rerunbench"
PAGE_CHARS = 3_000


def _load_corpus() -> list[tuple[str, str]]:
    """(name, text) of every labelled document the evaluation reads (bench/eval/corpus.py:
    the legal set and the corpus collections)."""
    return [(doc.name, document_text(doc.path)) for doc in all_documents()]


async def _prepare_store(
    settings: IndexSettings, texts: list[tuple[str, str]]
) -> tuple[list[TextExtracted], int]:
    store = ObjectStore(settings)
    await store.bootstrap()
    events: list[TextExtracted] = []
    pages_total = 0
    for name, text in texts:
        document_id = new_document_id()
        pages = [text[i : i + PAGE_CHARS] for i in range(0, len(text), PAGE_CHARS)] or [""]
        pages_total += len(pages)
        ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "text.json"))
        document = TextDocument(
            document_id=document_id,
            media_type="text/plain",
            pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
            extractor="rerun-bench",
        )
        await store.put_json(ref, document.model_dump(mode="json"))
        events.append(
            TextExtracted(
                document_id=document_id,
                matter_id="M-rerun-bench",
                text=ref,
                media_type="text/plain",
                filename=Path(name).name,
                pages=len(pages),
                hints=Hints(),
                extractor="rerun-bench",
            )
        )
    return events, pages_total


async def _index_and_age(settings: IndexSettings, events: list[TextExtracted]) -> float:
    es = make_search_client(settings)
    try:
        existing = await es.indices.get(index=f"{PREFIX}*", allow_no_indices=True)
        for name in existing:
            await es.indices.delete(index=name)
        await bootstrap_indices(es, settings)
        indexer = Indexer(settings, es, ObjectStore(settings), refresh=False)
        started = time.perf_counter()
        for start in range(0, len(events), settings.batch_max_docs):
            chunk = events[start : start + settings.batch_max_docs]
            refused = await indexer.write([await indexer.prepare(e) for e in chunk])
            if refused:
                raise SystemExit(f"first indexing refused {len(refused)}: {refused}")
        first_index_s = time.perf_counter() - started
        statuses = status_index(settings)
        await es.indices.refresh(index=statuses)
        actions = [
            {
                "_op_type": "update",
                "_index": statuses,
                "_id": e.document_id,
                "doc": {"extractor_version": "0.0.0"},
            }
            for e in events
        ]
        await async_bulk(es, actions, refresh=True)
        return first_index_s
    finally:
        await es.close()


def _rerun(env: dict[str, str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lexstream.index", "rerun", "--all", "--outdated"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(done.stdout)


def main() -> None:
    env = {**os.environ, "LEXSTREAM_INDEX_PREFIX": PREFIX}
    os.environ["LEXSTREAM_INDEX_PREFIX"] = PREFIX
    settings = IndexSettings()
    warm_up()
    texts = _load_corpus()
    events, pages = asyncio.run(_prepare_store(settings, texts))
    first_s = asyncio.run(_index_and_age(settings, events))
    rerun_s, report = _rerun(env)
    again_s, again = _rerun(env)
    selected, indexed = report["selected"], report["indexed"]
    print(f"extractor {EXTRACTOR_VERSION}: {len(events)} documents, {pages} pages of 3,000 chars")
    print(f"first indexing (in-process, baseline):  {first_s:7.1f} s")
    print(
        f"rerun --all --outdated (CLI, subprocess): {rerun_s:7.1f} s  "
        f"selected {selected}, indexed {indexed}, failed {len(report['failed'])}, "  # type: ignore[arg-type]
        f"skipped {len(report['skipped'])}"  # type: ignore[arg-type]
    )
    print(f"ratio rerun / first indexing: {rerun_s / first_s:.2f}x")
    print(f"second --outdated run: {again_s:.1f} s, selected {again['selected']}")
    if selected != len(events) or indexed != len(events) or again["selected"] != 0:
        raise SystemExit("the re-run did not take exactly the outdated documents")


if __name__ == "__main__":
    main()

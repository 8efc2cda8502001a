"""Threads in the real search index: a generated mailbox of more than 1,000 messages, read by
the EML extractor, indexed in shuffled batches as the index service writes them, each batch's
threads re-evaluated by partial updates (lexstream.index.mailthreads); at the end every
message's thread and inclusive flag is scored against the generator's truth."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from tests.support.mailbox import build_mailbox

from lexstream.index.bulk import BulkAction, BulkWriter
from lexstream.index.documents import email_fields
from lexstream.index.mailthreads import MailThreads
from lexstream.index.mappings import documents_mappings, documents_settings
from lexstream.ocr.extract import OcrOptions, extract_text

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


@pytest.fixture
async def index(es: AsyncElasticsearch) -> AsyncIterator[str]:
    name = f"lexstream-test-mailthreads-{uuid.uuid4().hex[:8]}"
    await es.indices.create(
        index=name, mappings=documents_mappings(), settings=documents_settings()
    )
    try:
        yield name
    finally:
        await es.indices.delete(index=name, ignore_unavailable=True)


async def test_threads_and_inclusive_flags_in_the_index(
    es: AsyncElasticsearch, index: str, tmp_path: Path, record_property: Any
) -> None:
    box = build_mailbox(seed=31, threads=260)
    assert len(box.messages) >= 1000
    options = OcrOptions(workers=1)
    docs = []
    for number, message in enumerate(box.messages):
        path = tmp_path / f"{number}.eml"
        path.write_bytes(message.raw)
        text = extract_text(
            path, media_type="message/rfc822", document_id=f"d{number:05d}", options=options
        ).text
        assert text.email is not None
        docs.append(
            {
                "document_id": f"d{number:05d}",
                "tenant": "t-mail",
                "matter_id": "M-THREADS",
                "kind": "document",
                "content": text.text,
                **email_fields(text.email),
            }
        )
    writer = BulkWriter(es, refresh="wait_for")
    threads = MailThreads(es, index, BulkWriter(es, refresh="wait_for"))
    updated = 0
    for start in range(0, len(docs), 150):  # the mailbox's order is not thread order
        batch = docs[start : start + 150]
        result = await writer.write([BulkAction(d["document_id"], index, d) for d in batch])
        assert result.written == {d["document_id"] for d in batch}
        updated += len(await threads.assign(batch))
    await es.indices.refresh(index=index)
    found = await es.search(
        index=index,
        size=len(docs),
        query={"match_all": {}},
        source_includes=["thread_id", "inclusive"],
    )
    by_id = {hit["_id"]: hit["_source"] for hit in found["hits"]["hits"]}
    assert len(by_id) == len(docs)  # every message indexed
    predicted = [by_id[d["document_id"]]["thread_id"] for d in docs]
    truth = [m.truth.thread for m in box.messages]

    true_pairs = found_pairs = both = 0
    for i, j in itertools.combinations(range(len(docs)), 2):
        same_truth, same_found = truth[i] == truth[j], predicted[i] == predicted[j]
        true_pairs += same_truth
        found_pairs += same_found
        both += same_truth and same_found
    precision, recall = both / found_pairs, both / true_pairs

    copies: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(box.messages):
        copies[m.message_id].append(i)
    right = sum(
        sum(by_id[docs[i]["document_id"]]["inclusive"] for i in idx)
        == (1 if any(box.messages[i].truth.inclusive for i in idx) else 0)
        for idx in copies.values()
    )
    accuracy = right / len(copies)
    score = (
        f"index: {len(docs)} messages, {updated} partial updates; thread pairs precision "
        f"{precision:.4f} recall {recall:.4f}; inclusive {right}/{len(copies)} ({accuracy:.4f})"
    )
    record_property("score", score)
    assert precision >= 0.99, score
    assert recall >= 0.99, score
    assert accuracy >= 0.98, score

    # a redelivered batch changes nothing
    assert await threads.assign(docs[:150]) == {}

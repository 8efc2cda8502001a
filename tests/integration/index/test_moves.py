"""The index applies ``documents.moved``: the document and its attachments change matter in
the status records and the search documents, and a replayed older event cannot undo it."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch, NotFoundError
from faststream.kafka import KafkaBroker
from tests.integration.index.conftest import PutText
from tests.support.wait import eventually_async

from lexstream.index.settings import IndexSettings
from lexstream.shared.events import DocumentMoved, TextExtracted, Topics
from lexstream.shared.kafka import publish_event
from lexstream.shared.search import documents_alias, status_index

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


async def _records(es: AsyncElasticsearch, index: str, ids: list[str]) -> list[dict[str, Any]]:
    found = []
    for document_id in ids:
        try:
            found.append((await es.get(index=index, id=document_id))["_source"])
        except NotFoundError:
            return []
    return found


async def _indexed(
    producer: KafkaBroker, es: AsyncElasticsearch, settings: IndexSettings, event: TextExtracted
) -> dict[str, Any]:
    await publish_event(producer, Topics(settings.topic_prefix).text_extracted, event)

    async def done() -> dict[str, Any] | None:
        records = await _records(es, status_index(settings), [event.document_id])
        return records[0] if records and records[0].get("status") == "indexed" else None

    return await eventually_async(done, what=f"{event.document_id} indexed", timeout_s=90)


async def test_a_move_changes_the_matter_of_the_document_and_its_attachments(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    parent = await put_text(["The lease of the premises at Wharf Road."], matter_id="M-move-a")
    child = (await put_text(["Schedule 1: the plan."], matter_id="M-move-a")).model_copy(
        update={"parent_document_id": parent.document_id}
    )
    other = await put_text(["An unrelated memorandum."], matter_id="M-move-a")
    for event in (parent, child, other):
        await _indexed(producer, es, index_settings, event)
    topics = Topics(index_settings.topic_prefix)
    moved = DocumentMoved(
        document_id=parent.document_id,
        matter_id="M-move-b",
        from_matter_id="M-move-a",
        moved_by="test-editor",
    )
    await publish_event(producer, topics.moved, moved)
    ids = [parent.document_id, child.document_id]
    alias, statuses = documents_alias(index_settings), status_index(index_settings)

    async def applied() -> bool:
        records = await _records(es, statuses, ids)
        return bool(records) and all(r["matter_id"] == "M-move-b" for r in records)

    await eventually_async(applied, what="the move applied to the status records", timeout_s=60)
    # the status record is written last, so the search documents have moved already
    for doc in await _records(es, alias, ids):
        assert doc["matter_id"] == "M-move-b"
        assert doc["acl"] == ["matter:M-move-b"]
    (untouched,) = await _records(es, alias, [other.document_id])
    assert untouched["matter_id"] == "M-move-a"
    assert untouched["acl"] == ["matter:M-move-a"]

    # a replay of the parent's text event (it names the old matter) keeps the move
    before = await es.get(index=alias, id=parent.document_id)
    await publish_event(producer, topics.text_extracted, parent)

    async def replayed() -> dict[str, Any] | None:
        current = await es.get(index=alias, id=parent.document_id)
        return current if current["_version"] > before["_version"] else None

    current = await eventually_async(replayed, what="the replay indexed", timeout_s=90)
    assert current["_source"]["matter_id"] == "M-move-b"
    assert current["_source"]["acl"] == ["matter:M-move-b"]


async def test_a_child_in_another_matter_stays_when_its_parent_moves(
    producer: KafkaBroker, es: AsyncElasticsearch, index_settings: IndexSettings, put_text: PutText
) -> None:
    """Finding 4 of the authorization review: moving a ZIP parent from A to C dragged along a
    child that an admin had moved to B, without any check of the mover's rights in B."""
    parent = await put_text(["The archive of the deal."], matter_id="M-wall-a")
    with_parent = (await put_text(["Member one."], matter_id="M-wall-a")).model_copy(
        update={"parent_document_id": parent.document_id}
    )
    elsewhere = (await put_text(["Member two."], matter_id="M-wall-a")).model_copy(
        update={"parent_document_id": parent.document_id}
    )
    for event in (parent, with_parent, elsewhere):
        await _indexed(producer, es, index_settings, event)
    topics = Topics(index_settings.topic_prefix)
    alias, statuses = documents_alias(index_settings), status_index(index_settings)
    # an admin moves one member to matter B on its own
    await publish_event(
        producer,
        topics.moved,
        DocumentMoved(
            document_id=elsewhere.document_id,
            matter_id="M-wall-b",
            from_matter_id="M-wall-a",
            moved_by="admin",
        ),
    )

    async def in_b() -> bool:
        records = await _records(es, statuses, [elsewhere.document_id])
        return bool(records) and records[0]["matter_id"] == "M-wall-b"

    await eventually_async(in_b, what="the member moved to B", timeout_s=60)
    # an editor of A moves the parent to C
    await publish_event(
        producer,
        topics.moved,
        DocumentMoved(
            document_id=parent.document_id,
            matter_id="M-wall-c",
            from_matter_id="M-wall-a",
            moved_by="editor-of-a",
        ),
    )
    ids = [parent.document_id, with_parent.document_id]

    async def in_c() -> bool:
        records = await _records(es, statuses, ids)
        return bool(records) and all(r["matter_id"] == "M-wall-c" for r in records)

    await eventually_async(in_c, what="the parent and its member in A moved to C", timeout_s=60)
    (status,) = await _records(es, statuses, [elsewhere.document_id])
    (doc,) = await _records(es, alias, [elsewhere.document_id])
    assert status["matter_id"] == "M-wall-b"
    assert doc["matter_id"] == "M-wall-b"
    assert doc["acl"] == ["matter:M-wall-b"]

"""Moving a document to another matter: the index applies ``documents.moved``.

The gateway checks who may move what and publishes the event; the index owns the records
it changes. A move changes the status record's ``matter_id`` (the document's matter of
record, which later events cannot undo: see :data:`lexstream.index.status.WRITE_ONCE`) and
the search document's ``matter_id`` and ``acl``, for the document and each of its
attachments. Applying the same move twice leaves the same records.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError

from lexstream.index.vectors import vector_fields
from lexstream.shared.events import DocumentMoved
from lexstream.shared.legal import matter_acl

MAX_CHILDREN = 1000


async def children_of(
    es: AsyncElasticsearch, status_index: str, document_id: str, matter_id: str | None
) -> list[str]:
    """The attachments and archive members of ``document_id`` that are in ``matter_id``.

    A child that was moved to another matter on its own stays where it is when its parent
    moves: it is behind that matter's walls, and the mover's rights were checked for the
    parent's matter only.
    """
    same_matter: dict[str, object] = (
        {"term": {"matter_id": matter_id}}
        if matter_id is not None
        else {"bool": {"must_not": [{"exists": {"field": "matter_id"}}]}}
    )
    try:
        found = await es.search(
            index=status_index,
            query={
                "bool": {"filter": [{"term": {"parent_document_id": document_id}}, same_matter]}
            },
            source=False,
            size=MAX_CHILDREN,
        )
    except NotFoundError:
        return []
    return [hit["_id"] for hit in found["hits"]["hits"]]


async def _vectors_again(es: AsyncElasticsearch, index: str, document_id: str) -> dict[str, Any]:
    """The passage vectors of a document that has them, computed again: an update rewrites
    the document from its ``_source``, which does not keep them (see ``mappings``), so a
    move that sent only the new matter would leave the document without vectors."""
    found = await es.get(
        index=index, id=document_id, source_includes=["pages", "segments", "embedding_model"]
    )
    source = found.get("_source") or {}
    if not source.get("embedding_model"):
        return {}
    [fields] = await asyncio.to_thread(vector_fields, [source])
    return fields


async def apply_move(
    es: AsyncElasticsearch, *, alias: str, status_index: str, event: DocumentMoved
) -> list[str]:
    """Move the document and its children; returns the ids moved (visible on return)."""
    children = await children_of(es, status_index, event.document_id, event.from_matter_id)
    ids = [event.document_id, *children]
    for document_id in ids:
        found = await es.search(
            index=alias, query={"ids": {"values": [document_id]}}, source=False, size=10
        )
        for hit in found["hits"]["hits"]:  # the search document, wherever the alias keeps it
            doc: dict[str, Any] = {
                "matter_id": event.matter_id,
                "acl": [matter_acl(event.matter_id)],
            }
            doc.update(await _vectors_again(es, hit["_index"], document_id))
            await es.update(
                index=hit["_index"],
                id=document_id,
                doc=doc,
                refresh="wait_for",
                retry_on_conflict=5,
            )
        # the status record last: once it names the new matter, the search document does too
        with contextlib.suppress(NotFoundError):  # no status record yet: nothing to move
            await es.update(
                index=status_index,
                id=document_id,
                doc={"matter_id": event.matter_id},
                refresh="wait_for",
                retry_on_conflict=5,
            )
    return ids

"""The per-document status record: monotonic, whatever order the events arrive in.

Events for one document arrive on several topics, so the record only moves forward by stage
rank; between the two terminal states (indexed, failed) the later event wins, so a replay from
the DLQ can turn ``failed`` into ``indexed``. Updates are read-modify-write with optimistic
concurrency (``if_seq_no``/``if_primary_term``), so two consumers never lose each other's
changes and no server-side script is needed.

Given the deletion records' index (``deletions``), no record is *created* for a document a
deletion has removed: a late event of a deleted document is dropped, not made into a new
record (:func:`lexstream.shared.deletion.deleted_documents`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from lexstream.index.bulk import BulkAction, BulkWriter
from lexstream.shared.deletion import deleted_documents
from lexstream.shared.errors import TransientError
from lexstream.shared.events import DocumentStatus, DocumentStored, Event

RANK = {
    DocumentStatus.RECEIVED: 0,
    DocumentStatus.STORED: 1,
    DocumentStatus.EXTRACTING: 2,
    DocumentStatus.TRANSCRIBING: 2,
    DocumentStatus.INDEXED: 3,
    DocumentStatus.FAILED: 3,
}

MAX_CONFLICT_RETRIES = 10

#: fields the pipeline sets once; later only a move (``documents.moved``) changes them
WRITE_ONCE = frozenset({"matter_id"})

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusUpdate:
    """One event's change to a document's status record (see :func:`apply_status`)."""

    document_id: str
    status: DocumentStatus
    at: datetime
    fields: dict[str, Any] = field(default_factory=dict)
    always: dict[str, Any] = field(default_factory=dict)
    #: the provenance of a later submission of the document's bytes (``duplicate_of``)
    submission: dict[str, Any] | None = None


#: later submissions a status record lists at most (the first ones are kept)
MAX_SUBMISSIONS = 100


def add_submission(record: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """The record with a later submission of its bytes listed once (by source and external
    id), in the order they came; at most :data:`MAX_SUBMISSIONS`."""
    listed = list(record.get("submissions") or [])
    key = (provenance.get("source"), provenance.get("external_id"))
    if len(listed) >= MAX_SUBMISSIONS or key in {
        (p.get("source"), p.get("external_id")) for p in listed
    }:
        return record
    return {**record, "submissions": [*listed, provenance]}


def apply_status(
    record: dict[str, Any],
    *,
    status: DocumentStatus,
    at: datetime,
    fields: dict[str, Any],
    always: dict[str, Any],
    submission: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The record after one event (pure; the rules live here)."""
    if submission is not None:
        # a later submission of the same bytes: listed, and nothing else changes (its
        # provenance, name and time are its own, not the document's); not where the
        # document has since moved to another matter than the one it was submitted to
        moved = record.get("matter_id") != always.get("matter_id")
        return record if moved else add_submission(record, submission)
    new = dict(record)
    stages = dict(new.get("stages") or {})
    stages.setdefault(status.value, at.isoformat())
    new["stages"] = stages
    for key, value in always.items():
        # the matter is set once from the pipeline; after that only a move (applied by
        # lexstream.index.moves) changes it, so a replayed old event cannot undo a move
        if value is None or (key in WRITE_ONCE and new.get(key) is not None):
            continue
        new[key] = value
    rank = RANK[status]
    current = new.get("rank")
    if (
        current is None
        or rank > current
        or (rank == current and at.isoformat() >= new["updated_at"])
    ):
        new.update({"status": status.value, "rank": rank, "updated_at": at.isoformat()})
        new.update(fields)
    return new


async def record_status(
    es: AsyncElasticsearch, index: str, update: StatusUpdate, *, deletions: str | None = None
) -> None:
    """Advance a document's status; ``always`` fields are merged whatever the order. A
    document ``deletions`` names as deleted gets no new record."""
    document_id = update.document_id
    for _ in range(MAX_CONFLICT_RETRIES):
        try:
            current = await es.get(index=index, id=document_id)
            record, guard = (
                current["_source"],
                {
                    "if_seq_no": current["_seq_no"],
                    "if_primary_term": current["_primary_term"],
                },
            )
        except NotFoundError:
            if update.submission is not None:
                # a later submission of bytes whose document has no record (yet, or any
                # more): the announcement told its submitter; nothing to list it in
                return
            if deletions is not None and await _deleted(es, deletions, [update]):
                _dropped([document_id], update.status)
                return
            record, guard = {"document_id": document_id}, {"op_type": "create"}
        updated = apply_status(
            record,
            status=update.status,
            at=update.at,
            fields=update.fields,
            always=update.always,
            submission=update.submission,
        )
        if updated == record:
            return
        try:
            await es.index(index=index, id=document_id, document=updated, **guard)
            return
        except ConflictError:
            continue
    raise TransientError(f"the status of {document_id} kept changing; will retry")


async def record_event_status(
    es: AsyncElasticsearch,
    index: str,
    event: Event,
    status: DocumentStatus,
    *,
    fields: dict[str, Any] | None = None,
    always: dict[str, Any] | None = None,
    deletions: str | None = None,
) -> None:
    """Advance the status of ``event``'s document as of the time the event occurred (not
    for a document ``deletions`` names as deleted)."""
    if isinstance(event, DocumentStored):
        # the bytes' hash, so that a deletion can tell whether another document still uses
        # the original (lexstream.shared.deletion)
        always = {**(always or {}), "sha256": event.sha256}
    update = StatusUpdate(event.document_id, status, event.occurred_at, fields or {}, always or {})
    await record_status(es, index, update, deletions=deletions)


async def _deleted(
    es: AsyncElasticsearch, deletions: str, updates: Sequence[StatusUpdate]
) -> set[str]:
    """The updates' documents that a deletion removed, or whose parent it removed."""
    parents = {u.document_id: u.always.get("parent_document_id") for u in updates}
    return await deleted_documents(es, deletions, parents)


def _dropped(document_ids: Sequence[str], status: DocumentStatus) -> None:
    for document_id in document_ids:
        log.info(
            "event of a deleted document dropped",
            extra={"document_id": document_id, "status": status.value},
        )


def failure_fields(reason: str, stage: str, error_type: str) -> dict[str, Any]:
    """The fields a failed status record carries: why, where and what kind of error."""
    return {"failure_reason": reason, "failure_stage": stage, "error_type": error_type}


async def record_statuses(
    es: AsyncElasticsearch,
    index: str,
    updates: Sequence[StatusUpdate],
    writer: BulkWriter,
    *,
    deletions: str | None = None,
) -> None:
    """Many status updates in two requests: one ``_mget``, one guarded ``_bulk``.

    Each write carries the ``if_seq_no``/``if_primary_term`` it read (or ``create`` for a new
    record); a record that changed in between (409) falls back to :func:`record_status`.
    Documents ``deletions`` names as deleted get no new record.
    """
    if not updates:
        return
    by_id: dict[str, list[StatusUpdate]] = {}
    for update in updates:
        by_id.setdefault(update.document_id, []).append(update)
    found = await es.mget(index=index, ids=list(by_id))
    missing = [by_id[doc["_id"]][-1] for doc in found["docs"] if not doc.get("found")]
    gone = await _deleted(es, deletions, missing) if deletions and missing else set()
    actions = []
    for doc in found["docs"]:
        document_id = doc["_id"]
        if document_id in gone:
            _dropped([document_id], by_id[document_id][-1].status)
            continue
        if doc.get("found"):
            record = doc["_source"]
            op, meta = (
                "index",
                {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]},
            )
        else:
            record, op, meta = {"document_id": document_id}, "create", {}
        updated = record
        for update in by_id[document_id]:
            updated = apply_status(
                updated,
                status=update.status,
                at=update.at,
                fields=update.fields,
                always=update.always,
                submission=update.submission,
            )
        if updated != record:
            actions.append(BulkAction(document_id, index, updated, op=op, meta=meta))
    result = await writer.write(actions)
    for document_id in sorted(result.conflicts):
        for update in by_id[document_id]:
            await record_status(es, index, update, deletions=deletions)
    for document_id, reason in result.failed.items():
        # The search document is written; a status record the node refuses is logged, not
        # retried forever (its mapping is not strict, so this means a bug, not bad input).
        log.error("status record refused", extra={"document_id": document_id, "reason": reason})

"""Defensible deletion: a document out of every store, with a record of what went.

Every store that holds something of a document, and how it is found from its id:

- derived bucket, ``<document_id>/...``: ingest's ``document.json``, ``text.json``,
  ``members.json`` (a container's listing), ``transcript.json/.vtt/.srt``,
  ``searchable.pdf``, ``attachments/*`` (e-mail attachments before ingest takes them) and
  the gateway's rendered ``pages/*.png`` (its page cache);
- derived bucket, ``_ingest/submissions/<h>.json`` and ``_ingest/content/<h>.json``: ingest's
  idempotence records (keys from :func:`submission_record_key`, :func:`content_record_key`);
  left behind they would answer a later upload of the same bytes "duplicate" with the id of
  a document that is gone;
- originals bucket, ``sha256/<2>/<sha256>``: the bytes, shared by every document with the
  same content; removed only where no other document still uses them, with the ocr text
  cache of those bytes (``_cache/text/<sha256>/``);
- the search index (every index behind the documents alias) and the status index.

Containers cascade: a document's attachments and archive members (``parent_document_id``,
at any depth) are deleted with it, and if any of them is under a legal hold nothing is
deleted. Originals adopted in place (``adopted``: an upstream bucket lexstream was told to
read, not its own) are left where they are. The deletion record (``<prefix>-deletions``)
names the document, its matter, who deleted it, when, why, and what was removed from each
store; it carries neither content nor file name nor hash.

The record is also the family's tombstone: written (``deleting``) before the first store is
touched, it lists every member's id (``document_ids``), and the index service writes no status
record and no search document for an id it lists (:func:`deleted_documents`). Events of a
deleted document still in flight (a transcript that finishes after the delete, a progress
event, a DLQ replay) would otherwise bring its record, and its text, back into the search.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError

from lexstream.shared.events import ObjectRef
from lexstream.shared.holds import DocumentHeld, HoldGuard
from lexstream.shared.search import deletions_index, documents_alias, status_index
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore, original_key

log = logging.getLogger(__name__)

MAX_FAMILY = 10_000
TEXT_CACHE_PREFIX = "_cache/text"

DELETIONS_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "document_id": {"type": "keyword"},
        "root_document_id": {"type": "keyword"},
        "document_ids": {"type": "keyword"},
        "tenant": {"type": "keyword"},
        "matter_id": {"type": "keyword"},
        "deleted_by": {"type": "keyword"},
        "deleted_at": {"type": "date"},
        "reason": {"type": "keyword"},
        "state": {"type": "keyword"},
        "removed": {"type": "object", "enabled": False},
    },
}


#: every member of a deleted family, searchable (see deleted_documents)
TOMBSTONE_FIELDS: dict[str, Any] = {"document_ids": {"type": "keyword"}}

#: added to the status index's mapping (dynamic: false) so shared originals are found
STATUS_SHA256 = {"sha256": {"type": "keyword"}}


async def deleted_documents(
    es: AsyncElasticsearch, index: str, documents: Mapping[str, str | None]
) -> set[str]:
    """Those of ``documents`` (id -> parent id, or None) that a deletion has removed or is
    removing, or whose parent it removed (an attachment handed back, an archive member,
    after its parent was deleted); ``index``: the deletion records, :func:`deletions_index`.
    A record written before the tombstones field existed names only its root document."""
    wanted = set(documents) | {parent for parent in documents.values() if parent}
    if not wanted:
        return set()
    try:
        found = await es.search(
            index=index,
            query={
                "bool": {
                    "should": [
                        {"terms": {"document_ids": sorted(wanted)}},
                        {"ids": {"values": sorted(wanted)}},
                    ]
                }
            },
            source_includes=["document_ids"],
            size=min(10_000, 10 * len(wanted)),  # an id can be in more than one record
        )
    except NotFoundError:
        return set()  # nothing was ever deleted
    gone: set[str] = set()
    for hit in found["hits"]["hits"]:
        gone.update((hit.get("_source") or {}).get("document_ids") or [hit["_id"]])
    return {d for d, parent in documents.items() if d in gone or parent in gone}


class DocumentNotFound(Exception):
    """No store knows the document (answered 404)."""


def _key_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()


def submission_record_key(
    tenant: str,
    matter_id: str | None,
    source: str | None,
    external_id: str,
    parent_document_id: str | None,
    member: str | None,
) -> str:
    """The key of ingest's idempotence record by source and external id."""
    digest = _key_hash(tenant, matter_id, source, external_id, parent_document_id, member)
    return f"_ingest/submissions/{digest}.json"


def content_record_key(
    tenant: str, matter_id: str | None, sha256: str, parent_document_id: str | None
) -> str:
    """The key of ingest's idempotence record by content."""
    return f"_ingest/content/{_key_hash(tenant, matter_id, sha256, parent_document_id)}.json"


async def bootstrap_deletions_index(es: AsyncElasticsearch, settings: CommonSettings) -> None:
    """The deletion records' index; and ``sha256`` searchable in the status index (before
    records are written: its mapping is ``dynamic: false``, so a record written without the
    field mapped is never found by it)."""
    with contextlib.suppress(NotFoundError):
        await es.indices.put_mapping(index=status_index(settings), properties=STATUS_SHA256)
    name = deletions_index(settings)
    if await es.indices.exists(index=name):
        # an index made before the tombstones: the new field, so that records are found by it
        await es.indices.put_mapping(index=name, properties=TOMBSTONE_FIELDS)
        return
    try:
        await es.indices.create(
            index=name,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=DELETIONS_MAPPINGS,
        )
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


@dataclass
class Removed:
    """What one document lost, store by store (counts and states, never content)."""

    derived_objects: int = 0
    idempotence_records: int = 0
    search_documents: int = 0
    status_record: bool = False
    original: str = "none"  # removed | kept: shared | kept: adopted | none
    text_cache_objects: int = 0


@dataclass
class DeletionReport:
    document_id: str
    tenant: str | None
    matter_id: str | None
    deleted_by: str
    deleted_at: str
    reason: str
    documents: dict[str, Removed] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Deleter:
    def __init__(
        self, es: AsyncElasticsearch, store: ObjectStore, settings: CommonSettings
    ) -> None:
        self.es = es
        self.store = store
        self.settings = settings
        self.guard = HoldGuard(es, store, settings)
        self.alias = documents_alias(settings)
        self.statuses = status_index(settings)
        self.deletions = deletions_index(settings)

    async def family(self, document_id: str) -> list[str]:
        """The document and its attachments and members at any depth (parents first)."""
        ids, frontier = [document_id], [document_id]
        while frontier and len(ids) < MAX_FAMILY:
            children: set[str] = set()
            for index in (self.statuses, self.alias):
                try:
                    found = await self.es.search(
                        index=index,
                        query={"terms": {"parent_document_id": frontier}},
                        source=False,
                        size=MAX_FAMILY,
                    )
                except NotFoundError:
                    continue
                children.update(hit["_id"] for hit in found["hits"]["hits"])
            frontier = sorted(children - set(ids))
            ids.extend(frontier)
        return ids

    async def _search_hits(self, document_id: str) -> list[tuple[str, str]]:
        try:
            found = await self.es.search(
                index=self.alias, query={"ids": {"values": [document_id]}}, source=False, size=10
            )
        except NotFoundError:
            return []
        return [(hit["_index"], hit["_id"]) for hit in found["hits"]["hits"]]

    async def check_holds(self, document_id: str) -> dict[str, dict[str, Any]]:
        """The family's facts, or :class:`DocumentHeld` naming the first held member."""
        facts: dict[str, dict[str, Any]] = {}
        for member in await self.family(document_id):
            facts[member] = await self.guard.document_facts(member)
            missing = member == document_id and not facts[member]
            if missing and not await self._search_hits(document_id):
                raise DocumentNotFound(document_id)
            await self.guard.check(member, facts[member])
        return facts

    async def delete(self, document_id: str, *, deleted_by: str, reason: str) -> DeletionReport:
        """Delete the document and its family from every store (nothing if any is held)."""
        facts = await self.check_holds(document_id)
        root = facts[document_id]
        report = DeletionReport(
            document_id=document_id,
            tenant=root.get("tenant"),
            matter_id=root.get("matter_id"),
            deleted_by=deleted_by,
            deleted_at=datetime.now(UTC).isoformat(),
            reason=reason,
        )
        await bootstrap_deletions_index(self.es, self.settings)
        family = list(facts)
        # first: a crash half-way leaves a trace, and late events find the tombstone
        await self._record(report, "deleting", family)
        for member in reversed(family):  # children first: a parent never lacks its children
            report.documents[member] = await self._delete_one(member, facts[member], family)
        # gone from searches and look-ups when the call returns
        await self.es.indices.refresh(index=[self.alias, self.statuses], ignore_unavailable=True)
        await self._record(report, "deleted", family)
        log.info(
            "document deleted",
            extra={"document_id": document_id, "count": len(family), "reason": reason},
        )
        return report

    async def _record(self, report: DeletionReport, state: str, family: list[str]) -> None:
        await self.es.index(
            index=self.deletions,
            id=report.document_id,
            document={
                **report.as_dict(),
                "root_document_id": report.document_id,
                "document_ids": family,
                "state": state,
                "removed": {k: asdict(v) for k, v in report.documents.items()},
            },
            refresh=True,
        )

    async def _delete_one(
        self, document_id: str, record: dict[str, Any], family: list[str]
    ) -> Removed:
        removed = Removed()
        derived = self.store.derived
        keys = await asyncio.to_thread(self._list, derived, f"{document_id}/")
        records = self._idempotence_keys(record)
        for key in [*keys, *records]:
            await self.store.remove(ObjectRef(bucket=derived, key=key))
        removed.derived_objects = len(keys)
        removed.idempotence_records = len(records)
        removed.original, removed.text_cache_objects = await self._original(record, family)
        for index, hit_id in await self._search_hits(document_id):
            try:
                await self.es.delete(index=index, id=hit_id)
                removed.search_documents += 1
            except NotFoundError:
                pass
        try:
            await self.es.delete(index=self.statuses, id=document_id)
            removed.status_record = True
        except NotFoundError:
            pass
        return removed

    def _list(self, bucket: str, prefix: str) -> list[str]:
        return [
            o.object_name
            for o in self.store.client.list_objects(bucket, prefix=prefix, recursive=True)
            if o.object_name
        ]

    @staticmethod
    def _idempotence_keys(record: dict[str, Any]) -> list[str]:
        tenant = record.get("tenant") or "default"
        matter, parent = record.get("matter_id"), record.get("parent_document_id")
        keys = []
        if record.get("sha256"):
            keys.append(content_record_key(tenant, matter, record["sha256"], parent))
        provenance = record.get("provenance") or {}
        if provenance.get("external_id"):
            keys.append(
                submission_record_key(
                    tenant,
                    matter,
                    provenance.get("source"),
                    provenance["external_id"],
                    parent,
                    record.get("member"),
                )
            )
        return keys

    async def _original(self, record: dict[str, Any], family: list[str]) -> tuple[str, int]:
        sha256 = record.get("sha256")
        if not sha256 or not record.get("original"):
            return "none", 0
        if record.get("adopted"):
            return "kept: adopted", 0
        ref = ObjectRef(bucket=self.store.originals, key=original_key(sha256))
        if await self._shared(sha256, family):
            return "kept: shared", 0
        await self.store.remove(ref)
        cache = await asyncio.to_thread(
            self._list, self.store.derived, f"{TEXT_CACHE_PREFIX}/{sha256}/"
        )
        for key in cache:
            await self.store.remove(ObjectRef(bucket=self.store.derived, key=key))
        return "removed", len(cache)

    async def _shared(self, sha256: str, family: list[str]) -> bool:
        """Whether a document outside ``family`` still uses these bytes (any tenant, any
        matter): its status record (written when it was stored) or its search document
        names the same sha256."""
        query = {
            "bool": {
                "filter": [{"term": {"sha256": sha256}}],
                "must_not": [{"ids": {"values": family}}],
            }
        }
        for index in (self.statuses, self.alias):
            try:
                found = await self.es.count(index=index, query=query)
            except NotFoundError:
                continue
            if int(found["count"]) > 0:
                return True
        return False


__all__ = [
    "Deleter",
    "DeletionReport",
    "DocumentHeld",
    "DocumentNotFound",
    "bootstrap_deletions_index",
    "content_record_key",
    "deleted_documents",
    "deletions_index",
    "submission_record_key",
]

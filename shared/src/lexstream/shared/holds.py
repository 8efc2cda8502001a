"""Legal holds: the one place that answers "is this document held?".

A hold belongs to a matter of a tenant and has one scope:

- ``matter``: every document of the matter;
- ``custodian``: the documents of the matter whose custodian is the hold's (a document's
  custodians are its ``custodian`` field in ingest's ``document.json``, where an intake path
  sets one, and the person who uploaded it, ``provenance.uploader``);
- ``query``: the documents of the matter that the hold's query matches, evaluated against the
  search index with the document id as a filter (the query is Elasticsearch's
  ``simple_query_string`` with every term required, over the text, title and file name).

The gateway writes holds (``lexstream.gateway.routes_holds``); every path that deletes or
overwrites a document asks :meth:`HoldGuard.holds_on` first and refuses with
:class:`DocumentHeld` (the gateway answers 409): the API delete and retention
(``lexstream.shared.deletion``), DLQ replays (``lexstream.shared.dlq``), re-uploads (ingest
redoing a failed document under its id) and ``reindex --delete-old`` (index). A released hold
stays in the index, with who released it and when, and covers nothing.

Where the S3 server implements object lock, originals under hold also get an S3 legal hold
(:func:`set_object_legal_hold`); S3Proxy 4.1 (the local stack) answers ``NotImplemented``
to object-lock buckets and legal holds, which is recorded on the hold as ``unsupported``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch, BadRequestError, NotFoundError
from minio.error import S3Error

from lexstream.shared.errors import PermanentError
from lexstream.shared.events import ObjectRef
from lexstream.shared.search import deletions_index, documents_alias, status_index
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore, derived_key

log = logging.getLogger(__name__)

HoldScope = Literal["matter", "custodian", "query"]
S3HoldState = Literal["applied", "unsupported", "none"]

#: the fields a hold query is evaluated over (the search documents' text and names)
QUERY_FIELDS = ["content", "content.*", "title", "filename"]
MAX_HOLDS_PER_MATTER = 1000

KEYWORD = {"type": "keyword"}
HOLDS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "hold_id": KEYWORD,
        "tenant": KEYWORD,
        "matter_id": KEYWORD,
        "name": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
        "reason": {"type": "text"},
        "scope": KEYWORD,
        "custodian": KEYWORD,
        "query": {"type": "keyword", "index": False},
        "status": KEYWORD,
        "s3_legal_hold": KEYWORD,
        "created_by": KEYWORD,
        "created_at": {"type": "date"},
        "released_by": KEYWORD,
        "released_at": {"type": "date"},
        "release_reason": {"type": "text"},
    },
}


class DocumentHeld(PermanentError):
    """A deletion or overwrite refused because legal holds cover the document (409; on a
    topic, a permanent error: the message goes to the DLQ with this reason)."""

    def __init__(self, document_id: str, hold_ids: Iterable[str]) -> None:
        self.document_id = document_id
        self.hold_ids = sorted(hold_ids)
        super().__init__(
            f"document {document_id} is under legal hold ({', '.join(self.hold_ids)})",
            error_type="DocumentHeld",
        )


def holds_index(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-holds"


def hold_doc_id(tenant: str, hold_id: str) -> str:
    return f"{tenant}\x1f{hold_id}"


async def bootstrap_holds_index(es: AsyncElasticsearch, settings: CommonSettings) -> None:
    """Create ``<prefix>-holds`` (idempotent; new fields are added to an existing one)."""
    name = holds_index(settings)
    if await es.indices.exists(index=name):
        await es.indices.put_mapping(index=name, properties=HOLDS_MAPPINGS["properties"])
        return
    try:
        await es.indices.create(
            index=name,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
            mappings=HOLDS_MAPPINGS,
        )
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def custodians_of(record: dict[str, Any]) -> set[str]:
    """A document's custodians from its ingest record (``document.json``)."""
    provenance = record.get("provenance") or {}
    found = {record.get("custodian"), provenance.get("custodian"), provenance.get("uploader")}
    return {c for c in found if isinstance(c, str) and c}


def hold_query(query: str) -> dict[str, Any]:
    """The Elasticsearch clause of a hold by query (strict: every term required)."""
    return {
        "simple_query_string": {
            "query": query,
            "fields": QUERY_FIELDS,
            "default_operator": "and",
            "flags": "ALL",
            "lenient": True,
        }
    }


class HoldGuard:
    """Answers which active holds cover a document (reads only; never caches: a hold
    created a moment ago must already protect)."""

    def __init__(
        self, es: AsyncElasticsearch, store: ObjectStore, settings: CommonSettings
    ) -> None:
        self.es = es
        self.store = store
        self.index = holds_index(settings)
        self.alias = documents_alias(settings)
        self.statuses = status_index(settings)
        self.deletions = deletions_index(settings)  # the tombstones (lexstream.shared.deletion)

    async def active_holds(self, tenant: str, matter_id: str) -> list[dict[str, Any]]:
        try:
            found = await self.es.search(
                index=self.index,
                query={
                    "bool": {
                        "filter": [
                            {"term": {"tenant": tenant}},
                            {"term": {"matter_id": matter_id}},
                            {"term": {"status": "active"}},
                        ]
                    }
                },
                size=MAX_HOLDS_PER_MATTER,
            )
        except NotFoundError:  # no hold was ever created (no index)
            return []
        return [hit["_source"] for hit in found["hits"]["hits"]]

    async def document_facts(self, document_id: str) -> dict[str, Any]:
        """Tenant, matter and ingest record of a document: the status record's tenant and
        matter (a move changes them there), ingest's ``document.json`` for the rest."""
        ref = ObjectRef(bucket=self.store.derived, key=derived_key(document_id, "document.json"))
        record = await self.store.get_json_if_exists(ref)
        facts: dict[str, Any] = dict(record) if isinstance(record, dict) else {}
        try:
            status = await self.es.get(
                index=self.statuses, id=document_id, source_includes=["tenant", "matter_id"]
            )
            source = status.get("_source") or {}
            facts.update({k: source[k] for k in ("tenant", "matter_id") if source.get(k)})
        except NotFoundError:
            pass
        return facts

    async def holds_on(
        self,
        document_id: str,
        facts: dict[str, Any] | None = None,
        *,
        unindexed_held: bool = True,
    ) -> list[str]:
        """The ids of the active holds that cover ``document_id`` (empty: none). A query hold
        covers a document still on its way to the index (its text not known yet) unless
        ``unindexed_held`` is False (ingest redoing a submission that never finished: it
        rewrites nothing that was indexed)."""
        facts = facts if facts is not None else await self.document_facts(document_id)
        tenant, matter_id = facts.get("tenant") or "default", facts.get("matter_id")
        if not matter_id:
            return []  # holds are per matter: a document in no matter is in no hold
        covering: list[str] = []
        custodians = custodians_of(facts)
        for hold in await self.active_holds(tenant, matter_id):
            if self._covers(hold, custodians) or (
                hold.get("scope") == "query"
                and await self._matches(document_id, hold.get("query") or "", unindexed_held)
            ):
                covering.append(hold["hold_id"])
        return covering

    @staticmethod
    def _covers(hold: dict[str, Any], custodians: set[str]) -> bool:
        """Whether a hold by matter or custodian covers a document with ``custodians``."""
        scope = hold.get("scope")
        return scope == "matter" or (scope == "custodian" and hold.get("custodian") in custodians)

    async def _matches(self, document_id: str, query: str, unindexed_held: bool = True) -> bool:
        """Whether the hold's query matches the document's words; a document the index does
        not hold yet and that has not failed (still on its way) counts as matched unless
        ``unindexed_held`` is False, so that nothing the query may match once indexed is
        deleted before anyone could tell. One search answers both: is it indexed, does it
        match."""
        indexed = matched = 0
        try:
            found = await self.es.search(
                index=self.alias,
                size=0,
                query={"ids": {"values": [document_id]}},
                aggs={"matched": {"filter": hold_query(query)}},
                track_total_hits=True,
            )
            indexed = int(found["hits"]["total"]["value"])
            matched = int(found["aggregations"]["matched"]["doc_count"])
        except NotFoundError:
            pass
        if matched > 0:
            return True
        if indexed > 0 or not unindexed_held:
            return False
        try:
            status = await self.es.get(
                index=self.statuses, id=document_id, source_includes=["status"]
            )
        except NotFoundError:
            return False  # no document at all: nothing to hold
        return (status.get("_source") or {}).get("status") != "failed"

    async def check(
        self, document_id: str, facts: dict[str, Any] | None = None, *, unindexed_held: bool = True
    ) -> None:
        """Raise :class:`DocumentHeld` where an active hold covers the document."""
        holds = await self.holds_on(document_id, facts, unindexed_held=unindexed_held)
        if holds:
            raise DocumentHeld(document_id, holds)

    async def covered_documents(self, hold: dict[str, Any], limit: int = 10_000) -> list[str]:
        """The documents a hold covers now (for its S3 legal holds): from the search index."""
        filters: list[dict[str, Any]] = [
            {"term": {"tenant": hold["tenant"]}},
            {"term": {"matter_id": hold["matter_id"]}},
        ]
        must = [hold_query(hold["query"])] if hold.get("scope") == "query" else []
        try:
            found = await self.es.search(
                index=self.alias,
                query={"bool": {"filter": filters, "must": must}},
                source=False,
                size=limit,
            )
        except NotFoundError:
            return []
        ids = [hit["_id"] for hit in found["hits"]["hits"]]
        if hold.get("scope") != "custodian":
            return ids
        facts = await asyncio.gather(*(self.document_facts(i) for i in ids))
        return [i for i, f in zip(ids, facts, strict=True) if hold["custodian"] in custodians_of(f)]


async def set_object_legal_hold(store: ObjectStore, ref: ObjectRef, on: bool) -> S3HoldState:
    """Turn the S3 legal hold of one original on or off, where the server implements it.

    MinIO does on a bucket made with object lock; S3Proxy 4.1 answers ``NotImplemented``
    (``unsupported`` is returned, and the hold in the index is what protects)."""
    call = store.client.enable_object_legal_hold if on else store.client.disable_object_legal_hold
    try:
        await asyncio.to_thread(call, ref.bucket, ref.key)
    except S3Error as exc:
        if exc.code in ("NotImplemented", "InvalidRequest", "ObjectLockConfigurationNotFoundError"):
            return "unsupported"
        raise
    return "applied"

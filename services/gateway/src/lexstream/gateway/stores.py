"""The gateway's own records in Elasticsearch: matters (members, screens) and API keys.

Each lives in an index the gateway creates at start (``<prefix>-matters``,
``<prefix>-apikeys``). Changes are read-modify-write guarded by ``if_seq_no`` /
``if_primary_term`` (no server-side scripts), retried on a conflict.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from elasticsearch import AsyncElasticsearch, BadRequestError, ConflictError, NotFoundError

from lexstream.shared.matters import matter_doc_id, matters_index
from lexstream.shared.settings import CommonSettings

MATTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
KEY_PREFIX = "lxk_"
MAX_CONFLICT_RETRIES = 10


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Scope(StrEnum):
    READ = "read"  # search, documents, text, transcripts, downloads
    WRITE = "write"  # upload, move documents
    MATTERS = "matters"  # create matters
    ADMIN = "admin"  # every matter of the tenant, API keys, the audit trail


class StoreConflict(Exception):
    """A change that contradicts the record (answered with 409)."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def apikeys_index(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-apikeys"


def audit_index(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-audit"


KEYWORD = {"type": "keyword"}

MATTERS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "matter_id": KEYWORD,
        "tenant": KEYWORD,
        "name": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
        "description": {"type": "text"},
        "client": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
        # who speaks on which channel of the matter's recordings ("1:the court,2:...")
        "channels": {"type": "keyword", "index": False},
        "status": KEYWORD,
        "members": {"type": "object", "properties": {"subject": KEYWORD, "role": KEYWORD}},
        "member_subjects": KEYWORD,
        "screened": KEYWORD,
        "created_by": KEYWORD,
        "created_at": {"type": "date"},
        "updated_at": {"type": "date"},
        # the retention policy (routes_holds; applied by python -m lexstream.gateway.retention)
        "retention": {
            "type": "object",
            "properties": {
                "delete_after_days": {"type": "integer"},
                "basis": KEYWORD,
                "set_by": KEYWORD,
                "set_at": {"type": "date"},
            },
        },
    },
}

APIKEYS_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "key_id": KEYWORD,
        "key_sha256": KEYWORD,
        "tenant": KEYWORD,
        "subject": KEYWORD,
        "name": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
        "scopes": KEYWORD,
        "revoked": {"type": "boolean"},
        "revoked_at": {"type": "date"},
        "created_by": KEYWORD,
        "created_at": {"type": "date"},
        "last_used_at": {"type": "date"},
    },
}

AUDIT_MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "event_id": KEYWORD,
        "at": {"type": "date"},
        "tenant": KEYWORD,
        "subject": KEYWORD,
        "key_id": KEYWORD,
        "action": KEYWORD,
        "document_id": KEYWORD,
        "matter_id": KEYWORD,
        "status_code": {"type": "integer"},
        "client_ip": KEYWORD,
        "user_agent": {"type": "keyword", "ignore_above": 512},
        "query": {"type": "object", "enabled": False},
        "hits": {"type": "integer"},
    },
}


async def bootstrap_gateway_indices(es: AsyncElasticsearch, settings: CommonSettings) -> None:
    for name, mappings in (
        (matters_index(settings), MATTERS_MAPPINGS),
        (apikeys_index(settings), APIKEYS_MAPPINGS),
        (audit_index(settings), AUDIT_MAPPINGS),
    ):
        if await es.indices.exists(index=name):
            # fields added since the index was made (additive: a strict index refuses
            # documents with a field its mapping lacks)
            await es.indices.put_mapping(index=name, properties=mappings["properties"])
            continue
        try:
            await es.indices.create(
                index=name,
                settings={"number_of_shards": 1, "number_of_replicas": 0},
                mappings=mappings,
            )
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise


def hash_key(key: str) -> str:
    """API keys are long random tokens, so one fast hash is enough (no password stretching)."""
    return hashlib.sha256(key.encode()).hexdigest()


async def read_modify_write(
    es: AsyncElasticsearch,
    index: str,
    doc_id: str,
    change: Callable[[dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Apply ``change`` to one record with optimistic concurrency; NotFoundError if absent."""
    for _ in range(MAX_CONFLICT_RETRIES):
        current = await es.get(index=index, id=doc_id)
        changed = change(dict(current["_source"]))
        new = changed if isinstance(changed, dict) else await changed
        try:
            await es.index(
                index=index,
                id=doc_id,
                document=new,
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
                refresh="wait_for",
            )
            return new
        except ConflictError:
            continue
    raise StoreConflict(f"{index}/{doc_id} kept changing; retry")


@dataclass(frozen=True)
class Grants:
    roles: dict[str, Role]
    screened: frozenset[str]


class TTLCache:
    """A small time-bounded cache; ``clear`` is called on every local write."""

    def __init__(self, ttl_s: float, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._items: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> Any | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, key: Any, value: Any) -> None:
        if self.ttl_s <= 0:
            return
        if len(self._items) >= self.max_entries:
            self._items.clear()
        self._items[key] = (time.monotonic() + self.ttl_s, value)

    def clear(self) -> None:
        self._items.clear()


class ApiKeyStore:
    def __init__(self, es: AsyncElasticsearch, settings: CommonSettings, cache_ttl_s: float):
        self.es = es
        self.index = apikeys_index(settings)
        self.cache = TTLCache(cache_ttl_s)

    async def create(
        self, *, tenant: str, subject: str, name: str, scopes: list[Scope], created_by: str
    ) -> tuple[str, dict[str, Any]]:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        digest = hash_key(key)
        record = {
            "key_id": digest[:16],
            "key_sha256": digest,
            "tenant": tenant,
            "subject": subject,
            "name": name,
            "scopes": sorted(s.value for s in scopes),
            "revoked": False,
            "revoked_at": None,
            "created_by": created_by,
            "created_at": now_iso(),
            "last_used_at": None,
        }
        await self.es.index(
            index=self.index, id=digest, document=record, op_type="create", refresh="wait_for"
        )
        return key, record

    async def lookup(self, key: str) -> dict[str, Any] | None:
        digest = hash_key(key)
        cached = self.cache.get(digest)
        if cached is not None:
            return dict(cached)
        try:
            found = await self.es.get(index=self.index, id=digest)
        except NotFoundError:
            return None
        record: dict[str, Any] = found["_source"]
        self.cache.put(digest, record)
        return record

    async def list(self, tenant: str) -> list[dict[str, Any]]:
        result = await self.es.search(
            index=self.index,
            query={"term": {"tenant": tenant}},
            size=1000,
            sort=[{"created_at": "desc"}],
            source_excludes=["key_sha256"],
        )
        return [hit["_source"] for hit in result["hits"]["hits"]]

    async def _find(self, tenant: str, key_id: str) -> str | None:
        result = await self.es.search(
            index=self.index,
            query={
                "bool": {"filter": [{"term": {"tenant": tenant}}, {"term": {"key_id": key_id}}]}
            },
            size=1,
            source=False,
        )
        hits = result["hits"]["hits"]
        return str(hits[0]["_id"]) if hits else None

    async def revoke(self, tenant: str, key_id: str) -> dict[str, Any] | None:
        doc_id = await self._find(tenant, key_id)
        if doc_id is None:
            return None

        def change(record: dict[str, Any]) -> dict[str, Any]:
            return {**record, "revoked": True, "revoked_at": record["revoked_at"] or now_iso()}

        record = await read_modify_write(self.es, self.index, doc_id, change)
        self.cache.clear()
        return {k: v for k, v in record.items() if k != "key_sha256"}

    async def touch(self, digest: str) -> None:
        """Record the last use (best effort; a lost update only makes it a little older)."""
        await self.es.update(index=self.index, id=digest, doc={"last_used_at": now_iso()})


class MatterStore:
    def __init__(self, es: AsyncElasticsearch, settings: CommonSettings, cache_ttl_s: float):
        self.es = es
        self.index = matters_index(settings)
        self.cache = TTLCache(cache_ttl_s)

    @staticmethod
    def doc_id(tenant: str, matter_id: str) -> str:
        return matter_doc_id(tenant, matter_id)  # the id ingest's registry reads

    async def grants(self, tenant: str, subject: str) -> Grants:
        """Which matters ``subject`` holds a role in, and which it is screened from."""
        cached = self.cache.get((tenant, subject))
        if isinstance(cached, Grants):
            return cached
        result = await self.es.search(
            index=self.index,
            query={
                "bool": {
                    "filter": [{"term": {"tenant": tenant}}],
                    "should": [
                        {"term": {"member_subjects": subject}},
                        {"term": {"screened": subject}},
                    ],
                    "minimum_should_match": 1,
                }
            },
            source_includes=["matter_id", "members", "screened"],
            size=10_000,
        )
        roles: dict[str, Role] = {}
        screened: set[str] = set()
        for hit in result["hits"]["hits"]:
            source = hit["_source"]
            if subject in source.get("screened", []):
                screened.add(source["matter_id"])
            for member in source.get("members", []):
                if member["subject"] == subject:
                    roles[source["matter_id"]] = Role(member["role"])
        grants = Grants(roles=roles, screened=frozenset(screened))
        self.cache.put((tenant, subject), grants)
        return grants

    async def create(
        self,
        *,
        tenant: str,
        matter_id: str | None,
        name: str,
        description: str | None,
        client: str | None,
        owner: str,
        channels: str | None = None,
    ) -> dict[str, Any]:
        matter_id = matter_id or f"M-{secrets.token_hex(6)}"
        if not MATTER_ID.match(matter_id):
            raise ValueError("matter_id: letters, digits, '.', '_' and '-', at most 100")
        now = now_iso()
        record = {
            "matter_id": matter_id,
            "tenant": tenant,
            "name": name,
            "description": description,
            "client": client,
            "channels": channels,
            "status": "open",
            "members": [{"subject": owner, "role": Role.OWNER.value}],
            "member_subjects": [owner],
            "screened": [],
            "created_by": owner,
            "created_at": now,
            "updated_at": now,
        }
        try:
            await self.es.index(
                index=self.index,
                id=self.doc_id(tenant, matter_id),
                document=record,
                op_type="create",
                refresh="wait_for",
            )
        except ConflictError as exc:
            raise StoreConflict(f"matter {matter_id} exists already") from exc
        self.cache.clear()
        return record

    async def get(self, tenant: str, matter_id: str) -> dict[str, Any] | None:
        try:
            found = await self.es.get(index=self.index, id=self.doc_id(tenant, matter_id))
        except NotFoundError:
            return None
        record: dict[str, Any] = found["_source"]
        return record

    async def list(
        self, tenant: str, matter_ids: list[str] | None, include_archived: bool
    ) -> list[dict[str, Any]]:
        """Matters of the tenant; ``matter_ids`` limits them (None: all of them)."""
        filters: list[dict[str, Any]] = [{"term": {"tenant": tenant}}]
        if matter_ids is not None:
            filters.append({"terms": {"matter_id": matter_ids}})
        if not include_archived:
            filters.append({"term": {"status": "open"}})
        result = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            size=1000,
            sort=[{"matter_id": "asc"}],
        )
        return [hit["_source"] for hit in result["hits"]["hits"]]

    async def change(
        self, tenant: str, matter_id: str, change: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> dict[str, Any] | None:
        def stamped(record: dict[str, Any]) -> dict[str, Any]:
            new = change(record)
            new["member_subjects"] = sorted({m["subject"] for m in new["members"]})
            new["updated_at"] = now_iso()
            return new

        try:
            record = await read_modify_write(
                self.es, self.index, self.doc_id(tenant, matter_id), stamped
            )
        except NotFoundError:
            return None
        self.cache.clear()
        return record

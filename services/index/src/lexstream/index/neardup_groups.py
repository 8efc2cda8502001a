"""Near-duplicate groups in the search index, with no store besides it.

Each search document carries its ``near_dup`` fields (:mod:`lexstream.index.neardup`): the
signature (stored), the LSH band keys (indexed keywords) and a ``group``, first its own id.
After a batch is written and searchable, :meth:`NearDuplicates.assign` looks up, per document,
the candidates (a ``terms`` query on its band keys, in the same tenant, oldest first), keeps
those whose estimated Jaccard similarity reaches the threshold, and applies the rule:

    **a group is the documents connected by near-duplicate pairs; its principal, whose
    ``document_id`` is the group key, is the earliest of them by ``document_id``** (ids are
    UUIDv7, so the first ingested).

So a document joins the smallest group key among its near-duplicates (or keeps its own id,
when it is older than all of them), and a group whose key is larger than the one it joins is
merged into it (its members get the smaller key, by partial updates).

Concurrency: the look-up runs after the batch's own write is visible (``refresh=wait_for``),
so of two near-duplicates written at the same time by two replicas, at least the one whose
look-up comes second finds the other; both end with the smaller key either way (the one that
finds the other joins it, or merges the other's group into its own). Two documents of one
batch find each other through the index as well, and are handled in id order with the
batch's own changes applied in memory. A crash between the write and the group update
redelivers the batch (the offsets are committed after ``write``), which does it again.

Deleting the principal: the members keep the group key (it is only a key), so they still
collapse into one hit and still list one another; the route names as principal the earliest
member the caller can see. A later near-duplicate of any member joins the same key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch

from lexstream.index.bulk import BulkAction, BulkWriter
from lexstream.index.neardup import Scheme, signature_fields
from lexstream.shared.errors import is_transient
from lexstream.shared.neardup import (
    BANDS_FIELD,
    FIELD,
    GROUP_FIELD,
    SCHEME_FIELD,
    SIGNATURE_FIELD,
    decode_signature,
    estimated_similarity,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    document_id: str
    group: str
    similarity: float


def near_duplicate_matches(
    signature: str, scheme: Scheme, hits: Sequence[dict[str, Any]]
) -> list[Match]:
    """The candidates (search hits with their ``near_dup`` source) whose signature is of the
    same scheme and whose estimated similarity reaches the threshold."""
    mine = decode_signature(signature)
    matches = []
    for hit in hits:
        fields = (hit.get("_source") or {}).get(FIELD) or {}
        theirs = fields.get("signature")
        if not theirs or fields.get("scheme") != scheme.name:
            continue
        similarity = estimated_similarity(mine, decode_signature(theirs))
        if similarity >= scheme.threshold:
            matches.append(Match(hit["_id"], fields.get("group") or hit["_id"], similarity))
    return matches


class GroupKeys:
    """The group keys changed in one pass: ``renamed[old] = new``, followed to the end."""

    def __init__(self) -> None:
        self.renamed: dict[str, str] = {}

    def resolve(self, key: str) -> str:
        seen = set()
        while key in self.renamed and key not in seen:
            seen.add(key)
            key = self.renamed[key]
        return key

    def join(self, own_id: str, current: str, matches: Sequence[Match]) -> str:
        """The group of a document with these matches; the larger keys are merged into it."""
        keys = {self.resolve(current), *(self.resolve(m.group) for m in matches)}
        target = min(keys | {own_id})
        for key in keys:
            if key != target:
                self.renamed[key] = target
        return target


def _batch_candidates(signed: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """For each document of a batch, the others of the batch sharing a band key, as hits."""
    by_band: dict[str, list[dict[str, Any]]] = {}
    for doc in signed:
        for band in doc[FIELD]["bands"]:
            by_band.setdefault(band, []).append(doc)
    found: dict[str, list[dict[str, Any]]] = {}
    for doc in signed:
        others = {
            o["document_id"]: o
            for band in doc[FIELD]["bands"]
            for o in by_band[band]
            if o["document_id"] != doc["document_id"]
        }
        found[doc["document_id"]] = [
            {"_id": key, "_source": {FIELD: dict(o[FIELD])}} for key, o in sorted(others.items())
        ]
    return found


class NearDuplicates:
    def __init__(
        self,
        es: AsyncElasticsearch,
        alias: str,
        scheme: Scheme,
        writer: BulkWriter,
        *,
        max_candidates: int = 50,
        max_group: int = 1_000,
    ) -> None:
        self.es = es
        self.alias = alias
        self.scheme = scheme
        self.writer = writer
        self.max_candidates = max_candidates
        self.max_group = max_group

    def sign(self, docs: Sequence[dict[str, Any]]) -> None:
        """Give each search document its ``near_dup`` fields (CPU: call it in a thread)."""
        for doc in docs:
            doc.update(signature_fields(doc["document_id"], doc.get("content") or "", self.scheme))

    def _candidates_query(self, doc: dict[str, Any]) -> dict[str, Any]:
        filters: list[dict[str, Any]] = [
            {"terms": {BANDS_FIELD: doc[FIELD]["bands"]}},
            {"term": {SCHEME_FIELD: self.scheme.name}},
        ]
        if doc.get("tenant"):
            filters.append({"term": {"tenant": doc["tenant"]}})
        return {
            "query": {
                "bool": {"filter": filters, "must_not": [{"ids": {"values": [doc["document_id"]]}}]}
            },
            "size": self.max_candidates,
            "sort": [{"document_id": "asc"}],
            "_source": [GROUP_FIELD, SIGNATURE_FIELD, SCHEME_FIELD],
        }

    async def assign(self, docs: Sequence[dict[str, Any]]) -> dict[str, str]:
        """Group the written documents (see the module); returns ``{document_id: group}`` of
        every document whose group changed. Elasticsearch trouble that is transient raises
        (the batch is redelivered); a permanent refusal is logged and leaves groups as they
        are (a document is never failed for its near-duplicates)."""
        signed = sorted(
            (d for d in docs if (d.get(FIELD) or {}).get("signature")),
            key=lambda d: str(d["document_id"]),
        )
        if not signed:
            return {}
        try:
            return await self._assign(signed)
        except ApiError as exc:
            if is_transient(exc):
                raise
            log.warning("near-duplicate groups not updated: %s", exc)
            return {}

    async def _assign(self, signed: list[dict[str, Any]]) -> dict[str, str]:
        searches: list[dict[str, Any]] = []
        for doc in signed:
            searches += [{"index": self.alias}, self._candidates_query(doc)]
        found = await self.es.msearch(searches=searches)
        keys = GroupKeys()
        in_batch = _batch_candidates(signed)
        for doc, response in zip(signed, found["responses"], strict=True):
            if "error" in response:
                log.warning("near-duplicate candidates of %s: %s", doc["document_id"], response)
                continue
            # the batch's own documents count even where the index does not show them yet
            hits = list(response["hits"]["hits"])
            seen = {hit["_id"] for hit in hits}
            hits += [h for h in in_batch[doc["document_id"]] if h["_id"] not in seen]
            matches = near_duplicate_matches(doc[FIELD]["signature"], self.scheme, hits)
            keys.join(doc["document_id"], doc[FIELD]["group"], matches)
        if not keys.renamed:
            return {}
        changed = {
            d["document_id"]: keys.resolve(d[FIELD]["group"])
            for d in signed
            if keys.resolve(d[FIELD]["group"]) != d[FIELD]["group"]
        }
        changed.update(await self._members_of(keys))
        actions = [
            BulkAction(
                key,
                self.alias,
                {"doc": {FIELD: {"group": group}}},
                op="update",
                meta={"retry_on_conflict": 3},
            )
            for key, group in sorted(changed.items())
        ]
        result = await self.writer.write(actions)
        for key, reason in result.failed.items():
            log.warning("document %s: its near-duplicate group was not updated: %s", key, reason)
        for doc in signed:
            doc[FIELD]["group"] = changed.get(doc["document_id"], doc[FIELD]["group"])
        return {k: g for k, g in changed.items() if k in result.written}

    async def _members_of(self, keys: GroupKeys) -> dict[str, str]:
        """Every document of a merged group, with the key it moves to."""
        old = sorted(keys.renamed)
        result = await self.es.search(
            index=self.alias,
            query={"terms": {GROUP_FIELD: old}},
            size=self.max_group,
            sort=[{"document_id": "asc"}],
            source_includes=[GROUP_FIELD],
        )
        hits = result["hits"]["hits"]
        if len(hits) >= self.max_group:
            log.warning("a near-duplicate merge moved only the first %d members", self.max_group)
        moved = {}
        for hit in hits:
            current = ((hit.get("_source") or {}).get(FIELD) or {}).get("group") or hit["_id"]
            target = keys.resolve(current)
            if target != current:
                moved[hit["_id"]] = target
        return moved

"""``python -m lexstream.index reindex``: a new backing index behind the alias, no downtime.

Readers and writers only ever use the alias. The command:

1. puts the current index template (the mapping the code declares) and creates
   ``<alias>-<N+1>`` from it;
2. copies every document from the indices behind the alias with scroll + ``_bulk`` (the
   ``_reindex`` API is not used: the local build has none, and this works on any ES 8);
3. catches up: while it copied, the service kept writing to the old index through the alias,
   so it copies again the documents whose ``indexed_at`` is at or after the previous pass's
   start (minus ``margin_s``, which covers the time between building a document and writing
   it), until a pass finds nothing new or ``passes`` is reached;
4. swaps the alias in one atomic ``update_aliases`` (remove from the old, add to the new
   with ``is_write_index``): a reader sees either index, never none;
5. copies once more what reached the old index between the last pass and the swap. After the
   swap the service writes to the new index, so these copies are guarded: a document is
   copied only if the new index has none (``create``) or an older ``indexed_at``, and with
   ``if_seq_no``/``if_primary_term`` of what was read, so a concurrent newer write always wins.

The old index is kept (``--delete-old`` removes it) so a bad mapping can be rolled back by
pointing the alias back. ``--delete-old`` keeps it too while a document under legal hold is
in it but not in the new index (a copy that failed): see :func:`held_missing`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch
from elasticsearch.helpers import async_scan

from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.bulk import BulkAction, BulkWriter
from lexstream.index.vectors import vector_fields
from lexstream.shared.holds import HoldGuard
from lexstream.shared.search import documents_alias
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

log = logging.getLogger(__name__)

PAGE = 200


@dataclass
class ReindexReport:
    alias: str
    source_indices: list[str]
    target_index: str
    copied: int = 0
    caught_up: list[int] = field(default_factory=list)
    after_swap: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    deleted_old: bool = False
    kept_for_holds: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def next_index_name(alias: str, existing: Sequence[str]) -> str:
    """``<alias>-000001`` -> ``<alias>-000002``: one more than the highest number in use."""
    pattern = re.compile(rf"^{re.escape(alias)}-(\d+)$")
    numbers = [int(m.group(1)) for name in existing if (m := pattern.match(name))]
    return f"{alias}-{max(numbers, default=0) + 1:06d}"


def _since(mark: datetime, margin_s: float) -> dict[str, Any]:
    return {"range": {"indexed_at": {"gte": (mark - timedelta(seconds=margin_s)).isoformat()}}}


async def _copy(
    es: AsyncElasticsearch,
    sources: list[str],
    target: str,
    writer: BulkWriter,
    report: ReindexReport,
    *,
    query: dict[str, Any] | None = None,
    guarded: bool = False,
) -> int:
    await es.indices.refresh(index=sources)  # what was written just before is visible
    copied = 0
    page: list[dict[str, Any]] = []

    async def flush() -> None:
        nonlocal copied
        if not page:
            return
        await asyncio.to_thread(re_embed, [hit["_source"] for hit in page])
        actions = await _guarded(es, target, page) if guarded else _plain(target, page)
        result = await writer.write(actions)
        copied += len(result.written)
        report.failed.update(result.failed)
        page.clear()

    async for hit in async_scan(
        es,
        index=",".join(sources),
        query={"query": query or {"match_all": {}}},
        size=PAGE,
        scroll="5m",
    ):
        page.append(hit)
        if len(page) >= PAGE:
            await flush()
    await flush()
    return copied


def re_embed(sources: list[dict[str, Any]]) -> int:
    """Passage vectors again for the copies that had them: the documents mapping keeps
    ``chunks.vector`` out of ``_source`` (it would double the index and every fetch), so a
    copy from ``_source`` has its passages' pages but not their vectors. Returns how many
    documents were embedded (with the current model: a copy also upgrades the model)."""
    embedded = [s for s in sources if s.get("embedding_model") or s.get("chunks")]
    for source, fields in zip(embedded, vector_fields(embedded), strict=True):
        source.update(fields)
    return len(embedded)


def _plain(target: str, hits: list[dict[str, Any]]) -> list[BulkAction]:
    return [BulkAction(hit["_id"], target, hit["_source"]) for hit in hits]


async def _guarded(
    es: AsyncElasticsearch, target: str, hits: list[dict[str, Any]]
) -> list[BulkAction]:
    """Copies that never overwrite a newer write in the target (see step 5)."""
    found = await es.mget(
        index=target, ids=[hit["_id"] for hit in hits], source_includes=["indexed_at"]
    )
    actions = []
    for hit, doc in zip(hits, found["docs"], strict=True):
        if not doc.get("found"):
            actions.append(BulkAction(hit["_id"], target, hit["_source"], op="create"))
            continue
        theirs = (doc.get("_source") or {}).get("indexed_at") or ""
        ours = hit["_source"].get("indexed_at") or ""
        if _parse(ours) > _parse(theirs):
            meta = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
            actions.append(BulkAction(hit["_id"], target, hit["_source"], meta=meta))
    return actions


def _parse(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def reindex(
    es: AsyncElasticsearch,
    settings: CommonSettings,
    *,
    delete_old: bool = False,
    passes: int = 3,
    margin_s: float = 120.0,
) -> ReindexReport:
    alias = documents_alias(settings)
    await bootstrap_indices(es, settings)  # the template now holds the current mapping
    sources = sorted(await es.indices.get_alias(name=alias))
    existing = list(await es.indices.get(index=f"{alias}-*", expand_wildcards="all"))
    target = next_index_name(alias, existing)
    report = ReindexReport(alias=alias, source_indices=sources, target_index=target)
    writer = BulkWriter(es)

    await es.indices.create(index=target, settings={"refresh_interval": "-1"})
    mark = datetime.now(UTC)
    report.copied = await _copy(es, sources, target, writer, report)
    for _ in range(passes):
        started = datetime.now(UTC)
        copied = await _copy(
            es, sources, target, writer, report, query=_since(mark, margin_s), guarded=True
        )
        report.caught_up.append(copied)
        mark = started
        if copied == 0:
            break
    await es.indices.put_settings(index=target, settings={"refresh_interval": None})
    await es.indices.refresh(index=target)

    await es.indices.update_aliases(
        actions=[
            *({"remove": {"index": source, "alias": alias}} for source in sources),
            {"add": {"index": target, "alias": alias, "is_write_index": True}},
        ]
    )
    log.info("alias swapped", extra={"alias": alias, "target": target, "sources": sources})
    report.after_swap = await _copy(
        es, sources, target, writer, report, query=_since(mark, margin_s), guarded=True
    )
    await es.indices.refresh(index=target)
    if delete_old:
        report.kept_for_holds = await held_missing(
            es, ObjectStore(settings), settings, sources, target
        )
        if report.kept_for_holds:
            log.warning(
                "old indices kept: documents under legal hold are missing from the new one",
                extra={"count": len(report.kept_for_holds)},
            )
        else:
            await es.indices.delete(index=sources)
            report.deleted_old = True
    return report


async def held_missing(
    es: AsyncElasticsearch,
    store: ObjectStore,
    settings: CommonSettings,
    sources: list[str],
    target: str,
) -> list[str]:
    """The documents under legal hold that are in ``sources`` but not in ``target``: while
    there is one, ``--delete-old`` would delete it, so the old indices are kept."""
    guard = HoldGuard(es, store, settings)
    held: list[str] = []
    page: list[str] = []

    async def check() -> None:
        found = await es.mget(index=target, ids=page, source=False)
        for doc in found["docs"]:
            if not doc.get("found") and await guard.holds_on(doc["_id"]):
                held.append(doc["_id"])
        page.clear()

    async for hit in async_scan(
        es, index=",".join(sources), query={"query": {"match_all": {}}}, _source=False
    ):
        page.append(hit["_id"])
        if len(page) >= PAGE:
            await check()
    if page:
        await check()
    return held

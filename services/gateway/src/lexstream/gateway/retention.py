"""``python -m lexstream.gateway.retention``: apply the matters' retention policies.

For each matter with a policy (``PUT /v1/matters/{id}/retention``), every top-level document
received more than ``delete_after_days`` ago (``provenance.received_at`` in ingest's record)
is deleted with its attachments and members (``lexstream.shared.deletion``), unless a legal
hold covers it or one of them: that one is skipped and counted as ``held``, and the run goes
on. Each deletion and each refusal is an entry in the audit index (``action``
``retention.delete`` / ``retention.refused``, subject ``retention``). Run it from cron (or a
Kubernetes CronJob); ``--dry-run`` lists what it would delete.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch, NotFoundError
from elasticsearch.helpers import async_scan

from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import audit_index, now_iso
from lexstream.shared.deletion import Deleter, DocumentHeld, DocumentNotFound
from lexstream.shared.logs import setup_logging
from lexstream.shared.matters import matters_index
from lexstream.shared.search import make_search_client, status_index
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

log = logging.getLogger(__name__)
SUBJECT = "retention"


@dataclass
class RetentionReport:
    deleted: list[str] = field(default_factory=list)
    held: dict[str, list[str]] = field(default_factory=dict)
    kept: int = 0
    failed: dict[str, str] = field(default_factory=dict)


def _received_at(record: dict[str, Any]) -> datetime | None:
    value = (record.get("provenance") or {}).get("received_at")
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def _policies(es: AsyncElasticsearch, settings: CommonSettings) -> list[dict[str, Any]]:
    try:
        found = await es.search(
            index=matters_index(settings),
            query={"exists": {"field": "retention.delete_after_days"}},
            source_includes=["tenant", "matter_id", "retention"],
            size=10_000,
        )
    except NotFoundError:
        return []
    return [hit["_source"] for hit in found["hits"]["hits"]]


async def _audit(
    es: AsyncElasticsearch, settings: CommonSettings, action: str, matter: dict[str, Any], **kw: Any
) -> None:
    await es.index(
        index=audit_index(settings),
        id=(event_id := str(uuid.uuid4())),
        document={
            "event_id": event_id,
            "at": now_iso(),
            "tenant": matter["tenant"],
            "subject": SUBJECT,
            "action": action,
            "matter_id": matter["matter_id"],
            **kw,
        },
    )


async def apply_retention(
    es: AsyncElasticsearch,
    store: ObjectStore,
    settings: CommonSettings,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    matter_ids: set[str] | None = None,
) -> RetentionReport:
    """Delete what the policies say has expired (of ``matter_ids`` only, where given);
    held documents are skipped."""
    now = now or datetime.now(UTC)
    report = RetentionReport()
    deleter = Deleter(es, store, settings)
    for matter in await _policies(es, settings):
        if matter_ids is not None and matter["matter_id"] not in matter_ids:
            continue
        policy = matter["retention"]
        cutoff = now - timedelta(days=int(policy["delete_after_days"]))
        query = {
            "bool": {
                "filter": [
                    {"term": {"tenant": matter["tenant"]}},
                    {"term": {"matter_id": matter["matter_id"]}},
                ],
                "must_not": [{"exists": {"field": "parent_document_id"}}],
            }
        }
        try:
            ids = [
                hit["_id"]
                async for hit in async_scan(
                    es, index=status_index(settings), query={"query": query}, _source=False
                )
            ]
        except NotFoundError:
            ids = []
        for document_id in ids:
            facts = await deleter.guard.document_facts(document_id)
            received = _received_at(facts)
            if received is None or received > cutoff:
                report.kept += 1
                continue
            if dry_run:
                report.deleted.append(document_id)
                continue
            try:
                deleted = await deleter.delete(
                    document_id, deleted_by=SUBJECT, reason=f"retention:{policy['basis']}"
                )
            except DocumentHeld as exc:
                report.held[document_id] = exc.hold_ids
                await _audit(
                    es,
                    settings,
                    "retention.refused",
                    matter,
                    document_id=document_id,
                    status_code=409,
                    query={"held_by": exc.hold_ids},
                )
                continue
            except DocumentNotFound:
                continue
            except Exception as exc:  # one document's failure never stops the others
                report.failed[document_id] = type(exc).__name__
                log.exception("retention failed", extra={"document_id": document_id})
                continue
            report.deleted.append(document_id)
            await _audit(
                es,
                settings,
                "retention.delete",
                matter,
                document_id=document_id,
                status_code=200,
                query={"deleted": list(deleted.documents), "policy": policy},
                hits=len(deleted.documents),
            )
    return report


async def _main(dry_run: bool) -> RetentionReport:
    settings = GatewaySettings()
    es = make_search_client(settings)
    try:
        return await apply_retention(es, ObjectStore(settings), settings, dry_run=dry_run)
    finally:
        await es.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lexstream.gateway.retention")
    parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
    args = parser.parse_args()
    setup_logging("retention", GatewaySettings().log_level)
    report = asyncio.run(_main(args.dry_run))
    sys.stdout.write(json.dumps(asdict(report), indent=2) + "\n")
    if report.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()

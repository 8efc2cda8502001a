"""The per-document status record: monotonic, whatever order the events arrive in.

Events for one document arrive on several topics, so the record only moves forward by stage
rank; between the two terminal states (indexed, failed) the later event wins, so a replay from
the DLQ can turn ``failed`` into ``indexed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from lexstream.shared.events import DocumentStatus

RANK = {
    DocumentStatus.RECEIVED: 0,
    DocumentStatus.STORED: 1,
    DocumentStatus.EXTRACTING: 2,
    DocumentStatus.TRANSCRIBING: 2,
    DocumentStatus.INDEXED: 3,
    DocumentStatus.FAILED: 3,
}

_SCRIPT = """
def src = ctx._source;
if (src.stages == null) { src.stages = [:]; }
if (!src.stages.containsKey(params.status)) { src.stages[params.status] = params.at; }
for (entry in params.always.entrySet()) {
  if (entry.getValue() != null) { src[entry.getKey()] = entry.getValue(); }
}
if (src.rank == null || params.rank > src.rank
    || (params.rank == src.rank && params.at.compareTo(src.updated_at) >= 0)) {
  src.status = params.status;
  src.rank = params.rank;
  src.updated_at = params.at;
  for (entry in params.fields.entrySet()) { src[entry.getKey()] = entry.getValue(); }
}
"""


async def record_status(
    es: AsyncElasticsearch,
    index: str,
    *,
    document_id: str,
    status: DocumentStatus,
    at: datetime,
    fields: dict[str, Any] | None = None,
    always: dict[str, Any] | None = None,
) -> None:
    """Advance a document's status; ``always`` fields are merged whatever the order."""
    await es.update(
        index=index,
        id=document_id,
        script={
            "source": _SCRIPT,
            "lang": "painless",
            "params": {
                "status": status.value,
                "rank": RANK[status],
                "at": at.isoformat(),
                "fields": fields or {},
                "always": {k: v for k, v in (always or {}).items() if v is not None},
            },
        },
        scripted_upsert=True,
        upsert={"document_id": document_id},
        retry_on_conflict=5,
    )

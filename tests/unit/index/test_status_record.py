"""``record_event_status``: the status record an event writes, through a stand-in for the two
Elasticsearch calls it makes (get, then a guarded index)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from elasticsearch import AsyncElasticsearch, NotFoundError
from tests.support.factories import document_stored

from lexstream.index.status import failure_fields, record_event_status
from lexstream.shared.events import DocumentFailed, DocumentStatus, Stage


class Indices:
    """``get`` and ``index`` over a dict of ``(index, id)``, recording the guard each write
    carried."""

    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}
        self.guards: list[dict[str, Any]] = []

    async def get(self, *, index: str, id: str) -> dict[str, Any]:
        if (index, id) not in self.docs:
            raise NotFoundError(404, "not found", {})  # type: ignore[arg-type]
        source = self.docs[index, id]
        return {"_source": source, "_seq_no": len(self.guards), "_primary_term": 1}

    async def index(self, *, index: str, id: str, document: dict[str, Any], **guard: Any) -> None:
        self.guards.append(guard)
        self.docs[index, id] = document


async def test_a_failure_creates_the_record_with_why_where_and_what() -> None:
    es = Indices()
    failed = DocumentFailed(
        document_id="doc-1", reason="no text", stage=Stage.OCR, error_type="ExtractionError"
    )
    fields = failure_fields(failed.reason, failed.stage.value, failed.error_type)
    client = cast(AsyncElasticsearch, es)
    await record_event_status(client, "status", failed, DocumentStatus.FAILED, fields=fields)

    record = es.docs["status", "doc-1"]
    assert (record["status"], record["failure_reason"]) == ("failed", "no text")
    assert (record["failure_stage"], record["error_type"]) == ("ocr", "ExtractionError")
    assert record["stages"] == {"failed": failed.occurred_at.isoformat()}
    assert es.guards == [{"op_type": "create"}]


async def test_a_later_event_updates_the_record_it_read_and_an_older_one_is_kept_out() -> None:
    es = Indices()
    client = cast(AsyncElasticsearch, es)
    stored = document_stored("doc-1")
    await record_event_status(
        client, "status", stored, DocumentStatus.STORED, always={"filename": stored.filename}
    )
    failed = DocumentFailed(
        document_id="doc-1",
        reason="no text",
        stage=Stage.OCR,
        error_type="ExtractionError",
        occurred_at=stored.occurred_at + timedelta(seconds=1),
    )
    await record_event_status(client, "status", failed, DocumentStatus.FAILED)
    assert es.docs["status", "doc-1"]["status"] == "failed"
    assert es.guards[1] == {"if_seq_no": 1, "if_primary_term": 1}  # guarded by what it read

    # the stored event replayed: the record does not move back, and nothing is written
    await record_event_status(client, "status", stored, DocumentStatus.STORED)
    assert es.docs["status", "doc-1"]["status"] == "failed"
    assert es.docs["status", "doc-1"]["filename"] == "brief.pdf"
    assert len(es.guards) == 2

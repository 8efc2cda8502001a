"""An operator follows one document in Jaeger: found by its ``lexstream.document_id`` through
Jaeger's query API, it is one trace holding a span of every service it passed, every span's
parent inside the trace; a failed document's trace shows the failing span and its error."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.observability.conftest import Upload
from tests.observability.live import JAEGER_URL
from tests.support.wait import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    span_id: str
    parent_id: str | None
    tags: dict[str, Any]


def traces_of(document_id: str) -> list[list[Span]]:
    """The traces Jaeger finds by the document id, each as its spans."""
    response = httpx.get(
        f"{JAEGER_URL}/api/traces",
        params={
            "service": "lexstream-ingest",
            "tags": json.dumps({"lexstream.document_id": document_id}),
            "lookback": "2h",
            "limit": 20,
        },
        timeout=30,
    )
    response.raise_for_status()
    traces = []
    for trace in response.json()["data"] or []:
        services = {pid: p["serviceName"] for pid, p in trace["processes"].items()}
        spans = []
        for span in trace["spans"]:
            parents = [
                r["spanID"] for r in span.get("references", []) if r["refType"] == "CHILD_OF"
            ]
            spans.append(
                Span(
                    service=services[span["processID"]],
                    name=span["operationName"],
                    span_id=span["spanID"],
                    parent_id=parents[0] if parents else None,
                    tags={t["key"]: t["value"] for t in span.get("tags", [])},
                )
            )
        traces.append(spans)
    return traces


def orphans_of(spans: list[Span]) -> list[Span]:
    """The spans whose parent is not in ``spans`` (a root has no parent)."""
    ids = {s.span_id for s in spans}
    return [s for s in spans if s.parent_id is not None and s.parent_id not in ids]


def complete_trace(upload: Upload, services: set[str]) -> list[Span]:
    """Wait until the document's single trace holds every service, connected."""
    seen: list[list[Span]] = []

    def complete() -> list[Span] | None:
        nonlocal seen
        seen = traces_of(upload.document_id)
        if len(seen) != 1:
            return None
        spans = seen[0]
        connected = not orphans_of(spans)
        return spans if connected and services <= {s.service for s in spans} else None

    try:
        return eventually(complete, what="the document's trace", timeout_s=90, interval_s=1)
    except AssertionError:
        summary = [sorted({(s.service, s.name) for s in t}) for t in seen]
        orphans = [sorted((s.service, s.name) for s in orphans_of(t)) for t in seen]
        raise AssertionError(
            f"{upload.name}: {len(seen)} traces found for {upload.document_id}: {summary};"
            f" spans whose parent is not in the trace: {orphans}"
        ) from None


def assert_one_tree(spans: list[Span]) -> None:
    roots = [(s.service, s.name) for s in spans if s.parent_id is None]
    orphans = [(s.service, s.name) for s in orphans_of(spans)]
    assert len(roots) == 1, roots
    assert roots[0][0] == "lexstream-gateway", roots  # the upload request starts it
    assert not orphans, orphans


@pytest.mark.parametrize("name", ["text.pdf", "scan.pdf", "jfk.flac"])
def test_an_indexed_document_is_one_trace_through_every_service(
    mixed_batch: list[Upload], name: str
) -> None:
    upload = next(u for u in mixed_batch if u.name == name)
    services = {"lexstream-gateway", "lexstream-ingest", upload.worker, "lexstream-index"}
    spans = complete_trace(upload, services)
    assert_one_tree(spans)
    # lookups that answer 404 (an S3 object or a status record not there yet) are error
    # spans of their clients; no stage failed this document
    failed = [(s.service, s.name) for s in spans if s.tags.get("lexstream.failure_reason")]
    assert not failed, failed


def test_a_failed_document_shows_its_failing_span_and_error(mixed_batch: list[Upload]) -> None:
    upload = next(u for u in mixed_batch if u.status == "failed")
    spans = complete_trace(
        upload, {"lexstream-gateway", "lexstream-ingest", "lexstream-ocr", "lexstream-index"}
    )
    assert_one_tree(spans)
    failing = [s for s in spans if s.tags.get("error") is True]
    assert failing, [(s.service, s.name, s.tags) for s in spans]
    # the stage's span says why it failed; the ocr's other error spans are its clients'
    # expected misses (an S3 object not there yet, the text cache)
    ocr = [
        s
        for s in failing
        if s.service == "lexstream-ocr" and s.tags.get("lexstream.failure_reason")
    ]
    assert ocr, [(s.service, s.name, s.tags) for s in failing]
    assert ocr[0].tags.get("otel.status_code") == "ERROR", ocr[0].tags
    assert ocr[0].tags.get("lexstream.failure_reason"), ocr[0].tags
    assert ocr[0].tags.get("lexstream.document_id") == upload.document_id

"""One upload is one trace: gateway -> ingest -> ocr/transcribe -> index, linked across Kafka.

The services export by OTLP/HTTP to an in-test receiver (tests/e2e/conftest.py), exactly as
they would to an OpenTelemetry Collector.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import ReceivedSpan, RunningSystem
from tests.samples import SCANNED_COURT_PDF, STEREO_WAV, sample
from tests.support.wait import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def _trace_of(system: RunningSystem, document_id: str, services: set[str]) -> list[ReceivedSpan]:
    """Wait until the document's trace holds every service, connected; return the trace."""
    spans: list[ReceivedSpan] = []

    def complete_trace() -> list[ReceivedSpan] | None:
        nonlocal spans
        spans = system.otlp.snapshot()
        traces = {
            s.trace_id for s in spans if s.attributes.get("lexstream.document_id") == document_id
        }
        for trace_id in traces:
            in_trace = [s for s in spans if s.trace_id == trace_id]
            # spans are exported in batches: wait until the parents of every span arrived too
            ids = {s.span_id for s in in_trace}
            connected = all(not s.parent_span_id or s.parent_span_id in ids for s in in_trace)
            if services <= {s.service for s in in_trace} and connected:
                return in_trace
        return None

    try:
        return eventually(complete_trace, what="a complete trace", timeout_s=60, interval_s=0.5)
    except AssertionError:
        seen = sorted({(s.service, s.name) for s in spans})
        raise AssertionError(
            f"no complete trace for {document_id}; spans seen: {seen[:40]}"
        ) from None


def unique_bytes(path: object) -> bytes:
    """The fixture's bytes, made unique for PDFs (a trailing comment) so that no earlier
    upload of the same file in this session is deduplicated into this one."""
    from pathlib import Path

    data = Path(str(path)).read_bytes()
    if data.startswith(b"%PDF"):
        data += f"\n% trace-test {time.time_ns()}\n".encode()
    return data


def _assert_one_connected_tree(spans: list[ReceivedSpan]) -> None:
    ids = {s.span_id for s in spans}
    roots = [s for s in spans if not s.parent_span_id]
    orphans = [s for s in spans if s.parent_span_id and s.parent_span_id not in ids]
    assert len(roots) == 1, [(s.service, s.name) for s in roots]
    assert not orphans, [(s.service, s.name) for s in orphans]


def _crosses(spans: list[ReceivedSpan], parent_service: str, child_service: str) -> bool:
    by_id = {s.span_id: s for s in spans}
    return any(
        s.service == child_service
        and s.parent_span_id in by_id
        and by_id[s.parent_span_id].service == parent_service
        for s in spans
    )


@pytest.mark.parametrize(
    ("fixture", "media_type", "worker"),
    [
        (SCANNED_COURT_PDF, "application/pdf", "lexstream-ocr"),
        (STEREO_WAV, "audio/wav", "lexstream-transcribe"),
    ],
    ids=["scanned-pdf", "audio"],
)
def test_one_upload_is_one_trace(
    running_system: RunningSystem, fixture: object, media_type: str, worker: str
) -> None:
    path = sample(str(fixture))
    with running_system.client() as client:
        response = client.post(
            "/v1/documents",
            files={"file": (path.name, unique_bytes(path), media_type)},
            data={"external_id": f"trace-{path.name}", "source": "trace-test"},
        )
        assert response.status_code == 202, response.text
        document_id = response.json()["document_id"]
        final = running_system.wait_terminal(client, document_id)
        assert final["status"] == "indexed", final

    services = {"lexstream-gateway", "lexstream-ingest", worker, "lexstream-index"}
    spans = _trace_of(running_system, document_id, services)
    _assert_one_connected_tree(spans)
    assert _crosses(spans, "lexstream-gateway", "lexstream-ingest")  # httpx -> FastAPI
    assert _crosses(spans, "lexstream-ingest", worker)  # Kafka headers
    assert _crosses(spans, worker, "lexstream-index")  # Kafka headers

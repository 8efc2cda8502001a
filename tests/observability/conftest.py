"""The five services as processes (tests/support/launcher.py) exporting to the observability
profile of the local stack: OTLP to Jaeger (traces kept, metrics re-exported), Prometheus
scraping it. One session-wide mixed batch feeds the panel, trace and alert tests."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import stack_env_for
from tests.observability.live import (
    JAEGER_URL,
    OTLP_ENDPOINT,
    PROMETHEUS_URL,
    require_server,
)
from tests.samples import FEDERAL_CIRCUIT_PDF, JFK_FLAC, SCANNED_COURT_PDF, sample
from tests.support.launcher import Services, new_prefix, service_ports
from tests.support.wait import eventually, wait_terminal

# gateway 18280, ingest 18281, ocr 18291, transcribe 18292, index 18293: beside the e2e suite's
PORT_BASE = int(os.environ.get("LEXSTREAM_OBSERVE_PORT_BASE", "18280"))


@dataclass(frozen=True)
class Upload:
    name: str
    document_id: str
    status: str
    worker: str  # the service that extracted it


@dataclass
class ObservedSystem:
    services: Services
    prefix: str
    uploads: list[Upload] = field(default_factory=list)

    def client(self) -> httpx.Client:
        return self.services.admin_client()

    def upload(self, name: str, data: bytes, media_type: str, worker: str) -> Upload:
        with self.client() as client:
            response = client.post(
                "/v1/documents",
                data={"external_id": f"observe-{name}-{time.time_ns()}", "source": "observe"},
                files={"file": (name, data, media_type)},
            )
            assert response.status_code == 202, response.text
            document_id = response.json()["document_id"]
            final = wait_terminal(client, document_id, 300, poll_s=0.5)
        upload = Upload(name, document_id, str(final["status"]), worker)
        self.uploads.append(upload)
        return upload


def unique(data: bytes) -> bytes:
    """PDF bytes no earlier session uploaded (a trailing comment), so none is deduplicated."""
    return data + f"\n% observe {time.time_ns()}\n".encode()


def prometheus_query(expr: str) -> list[dict[str, Any]]:
    """An instant query against the live Prometheus; an error answer fails the test."""
    response = httpx.get(f"{PROMETHEUS_URL}/api/v1/query", params={"query": expr}, timeout=30)
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


@pytest.fixture(scope="session")
def observe_servers() -> None:
    require_server("Prometheus", f"{PROMETHEUS_URL}/-/ready")
    require_server("Jaeger", f"{JAEGER_URL}/api/services")


@pytest.fixture(scope="session")
def observed_system(
    observe_servers: None,  # noqa: ARG001 - the servers are checked first
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ObservedSystem]:
    # Its own topics, consumer groups and indices: in `make test` the e2e suite's session
    # system is still running on the session prefix, and its workers (exporting to the e2e
    # suite's own OTLP receiver) would take this system's documents from shared topics.
    prefix = new_prefix("lxo")
    services = Services(
        env=stack_env_for(prefix),
        logs=tmp_path_factory.mktemp("observe-logs"),
        ports=dict(service_ports(PORT_BASE)),
        tuning={
            "LEXSTREAM_WORKERS": "1",
            "LEXSTREAM_LANGUAGES": "eng",
            "LEXSTREAM_RETRY_MAX_WAIT_S": "2",
            "LEXSTREAM_CPU_THREADS": "2",
            "LEXSTREAM_OTLP_ENDPOINT": OTLP_ENDPOINT,
            # export every 2 s (Prometheus scrapes every 5 s locally), not the default 15 s
            "OTEL_METRIC_EXPORT_INTERVAL": "2000",
            "OTEL_BSP_SCHEDULE_DELAY": "500",
        },
    )
    with services.running():
        yield ObservedSystem(services, prefix)


@pytest.fixture(scope="session")
def mixed_batch(observed_system: ObservedSystem) -> list[Upload]:
    """A text PDF, a scan, a recording and a broken PDF, each through the whole pipeline."""
    text_pdf = sample(FEDERAL_CIRCUIT_PDF).read_bytes()
    scan = sample(SCANNED_COURT_PDF).read_bytes()
    recording = sample(JFK_FLAC).read_bytes()
    uploads = [
        observed_system.upload("text.pdf", unique(text_pdf), "application/pdf", "lexstream-ocr"),
        observed_system.upload("scan.pdf", unique(scan), "application/pdf", "lexstream-ocr"),
        observed_system.upload("jfk.flac", recording, "audio/flac", "lexstream-transcribe"),
        observed_system.upload(
            "broken.pdf",
            scan[: len(scan) // 3] + os.urandom(64),
            "application/pdf",
            "lexstream-ocr",
        ),
    ]
    statuses = [(u.name, u.status) for u in uploads]
    assert statuses == [
        ("text.pdf", "indexed"),
        ("scan.pdf", "indexed"),
        ("jfk.flac", "indexed"),
        ("broken.pdf", "failed"),
    ], statuses
    prefix = observed_system.prefix
    # the batch has reached Prometheus once the index's gauges count the failed document and
    # the stage counters show the batch on this session's topics
    eventually(
        lambda: (
            prometheus_query('lexstream_pipeline_documents{status="failed"} > 0')
            and prometheus_query(f'lexstream_documents_processed_total{{topic=~"{prefix}\\\\..*"}}')
        ),
        what="the batch's metrics in Prometheus",
        timeout_s=90,
        interval_s=2,
    )
    return uploads


def read_logs(system: ObservedSystem) -> str:
    return "\n".join(f"--- {k}\n{v[-3000:]}" for k, v in system.services.logs_text().items())


__all__ = ["ObservedSystem", "Path", "Upload", "prometheus_query", "read_logs"]

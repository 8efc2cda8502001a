"""Run the five services as processes against the real local stack (tests/support/launcher.py),
with an OTLP receiver the services export their traces to."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.support.greenmail import greenmail_running
from tests.support.launcher import Services, admin_client, service_ports
from tests.support.wait import wait_terminal

# Ports of the services under test: base + offset (LEXSTREAM_TEST_PORT_BASE, default 18080),
# away from the ports `make up` uses, so a running system and the tests can coexist.
PORT_BASE = int(os.environ.get("LEXSTREAM_TEST_PORT_BASE", "18080"))
SERVICES = service_ports(PORT_BASE)


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, str]


@dataclass
class OtlpReceiver:
    """A minimal OTLP/HTTP trace receiver: the services export to it like to a collector."""

    endpoint: str
    spans: list[ReceivedSpan] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, payload: bytes) -> None:
        request = ExportTraceServiceRequest()
        request.ParseFromString(payload)
        received = []
        for resource_spans in request.resource_spans:
            service = next(
                (
                    a.value.string_value
                    for a in resource_spans.resource.attributes
                    if a.key == "service.name"
                ),
                "?",
            )
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        ReceivedSpan(
                            service=service,
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            attributes={
                                a.key: a.value.string_value or str(a.value.int_value)
                                for a in span.attributes
                            },
                        )
                    )
        with self.lock:
            self.spans.extend(received)

    def snapshot(self) -> list[ReceivedSpan]:
        with self.lock:
            return list(self.spans)


@pytest.fixture(scope="session")
def otlp_receiver() -> Iterator[OtlpReceiver]:
    server_ref: dict[str, OtlpReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if self.path == "/v1/traces":
                server_ref["receiver"].add(body)
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, _format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = OtlpReceiver(endpoint=f"http://127.0.0.1:{server.server_address[1]}")
    server_ref["receiver"] = receiver
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()


@dataclass(frozen=True)
class RunningSystem:
    gateway_url: str
    admin_key: str
    logs: Path
    otlp: OtlpReceiver

    def client(self) -> httpx.Client:
        return admin_client(self.gateway_url, self.admin_key)

    def wait_terminal(
        self, client: httpx.Client, document_id: str, timeout_s: float = 240
    ) -> dict[str, Any]:
        return wait_terminal(client, document_id, timeout_s, poll_s=0.25)


#: The mailbox the running ingest service polls (GreenMail, users made on first login): its
#: folder's messages go into IMAP_MATTER (tests/e2e/test_mailbox_intake.py fills it).
IMAP_USER = f"custodian-{uuid.uuid4().hex[:8]}@lexstream.test"
IMAP_FOLDER = "Custodian A"
IMAP_MATTER = f"M-IMAP-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def greenmail() -> Iterator[int]:
    with greenmail_running() as port:
        yield port


@pytest.fixture(scope="session")
def running_system(
    stack_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    otlp_receiver: OtlpReceiver,
    greenmail: int,
) -> Iterator[RunningSystem]:
    imap_account = {
        "host": "127.0.0.1",
        "port": greenmail,
        "user": IMAP_USER,
        "password": "pw",
        "folders": {IMAP_FOLDER: IMAP_MATTER},
        "ssl": False,
        "batch": 200,
    }
    services = Services(
        env=stack_env,
        logs=tmp_path_factory.mktemp("service-logs"),
        ports=dict(SERVICES),
        # the services' own language and thread defaults (as `make up` runs them), two workers
        tuning={"LEXSTREAM_WORKERS": "2", "LEXSTREAM_OTLP_ENDPOINT": otlp_receiver.endpoint},
        # Every e2e client comes from 127.0.0.1, and the authorization matrix alone makes
        # about 150 deliberately unauthenticated requests: the per-address limit on failed
        # logins would answer them 429. That limit has its own test
        # (tests/integration/gateway/test_query_cost.py).
        extra_env={
            "gateway": {"LEXSTREAM_AUTH_FAILURE_BURST": "100000"},
            "ingest": {
                "LEXSTREAM_IMAP_ACCOUNTS": json.dumps([imap_account]),
                "LEXSTREAM_IMAP_POLL_INTERVAL_S": "1",
            },
        },
    )
    with services.running():
        yield RunningSystem(services.gateway_url, services.admin_key, services.logs, otlp_receiver)

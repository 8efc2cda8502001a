"""Run the five services as processes against the real local stack."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.conftest import ROOT, wait_terminal

# Ports of the services under test: base + offset (LEXSTREAM_TEST_PORT_BASE, default 18080),
# away from the ports `make up` uses, so a running system and the tests can coexist.
PORT_BASE = int(os.environ.get("LEXSTREAM_TEST_PORT_BASE", "18080"))
SERVICES = {
    # name: (port variable, port)
    "index": ("LEXSTREAM_HEALTH_PORT", PORT_BASE + 13),
    "ocr": ("LEXSTREAM_HEALTH_PORT", PORT_BASE + 11),
    "transcribe": ("LEXSTREAM_HEALTH_PORT", PORT_BASE + 12),
    "ingest": ("LEXSTREAM_HTTP_PORT", PORT_BASE + 1),
    "gateway": ("LEXSTREAM_HTTP_PORT", PORT_BASE),
}


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

        def log_message(self, format: str, *args: object) -> None:
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
        return httpx.Client(
            base_url=self.gateway_url, headers={"X-API-Key": self.admin_key}, timeout=60
        )

    def wait_terminal(
        self, client: httpx.Client, document_id: str, timeout_s: float = 240
    ) -> dict[str, Any]:
        return wait_terminal(client, document_id, timeout_s, poll_s=0.25)


def _wait_ready(name: str, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} not ready in time:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def running_system(
    stack_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    otlp_receiver: OtlpReceiver,
) -> Iterator[RunningSystem]:
    logs = tmp_path_factory.mktemp("service-logs")
    admin_key = secrets.token_urlsafe(24)
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    try:
        for name, (port_env, port) in SERVICES.items():
            env = {
                **os.environ,
                **stack_env,
                port_env: str(port),
                "LEXSTREAM_BOOTSTRAP_ADMIN_KEY": admin_key,
                "LEXSTREAM_INGEST_URL": f"http://127.0.0.1:{SERVICES['ingest'][1]}",
                "LEXSTREAM_WORKERS": "2",
                "LEXSTREAM_MAX_DURATION_S": "120",
                "LEXSTREAM_OTLP_ENDPOINT": otlp_receiver.endpoint,
            }
            log = logs / f"{name}.log"
            proc = subprocess.Popen(
                [sys.executable, "-m", f"lexstream.{name}"],
                cwd=ROOT,
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            procs.append((name, proc))
        for name, proc in procs:
            _wait_ready(name, SERVICES[name][1], proc, logs / f"{name}.log")
        yield RunningSystem(
            f"http://127.0.0.1:{SERVICES['gateway'][1]}", admin_key, logs, otlp_receiver
        )
    finally:
        for _, proc in reversed(procs):
            proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

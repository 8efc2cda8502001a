"""Run the five services as processes against the real local stack."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

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
class RunningSystem:
    gateway_url: str
    admin_key: str
    logs: Path

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.gateway_url, headers={"X-API-Key": self.admin_key}, timeout=60
        )

    def wait_terminal(self, client: httpx.Client, document_id: str, timeout_s: float = 240) -> dict:  # type: ignore[type-arg]
        deadline = time.monotonic() + timeout_s
        last: dict = {}  # type: ignore[type-arg]
        while time.monotonic() < deadline:
            response = client.get(f"/v1/documents/{document_id}")
            if response.status_code == 200:
                last = response.json()
                if last["status"] in ("indexed", "failed"):
                    return last
            time.sleep(0.25)
        raise AssertionError(f"document {document_id} did not finish in time; last: {last}")


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
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
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
                "LEXSTREAM_OCR_WORKERS": "2",
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
        yield RunningSystem(f"http://127.0.0.1:{SERVICES['gateway'][1]}", admin_key, logs)
    finally:
        for _, proc in reversed(procs):
            proc.terminate()
        for _, proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

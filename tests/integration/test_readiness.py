"""Readiness follows the dependencies: stop Elasticsearch, the index worker goes not-ready.

This stops and restarts the local stack's real Elasticsearch (deploy/local/stack.sh), so it
runs in the serial suite of `make test` only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.conftest import ROOT
from tests.support.wait import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

STACK = str(ROOT / "deploy" / "local" / "stack.sh")
PORT = int(os.environ.get("LEXSTREAM_TEST_PORT_BASE", "18080")) + 40
LOG = Path(tempfile.gettempdir()) / f"lexstream-readiness-{PORT}.log"


def _ready() -> int:
    try:
        return httpx.get(f"http://127.0.0.1:{PORT}/health/ready", timeout=5).status_code
    except httpx.HTTPError:
        return 0


def _wait_for(status: int, timeout_s: float) -> None:
    eventually(lambda: _ready() == status, what=f"readiness {status}", timeout_s=timeout_s)


def _wait_logged(line: str, timeout_s: float = 10) -> None:
    eventually(lambda: line in LOG.read_text(), what=f"{line!r} in the log", timeout_s=timeout_s)


@pytest.fixture
def index_worker(stack_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, **stack_env, "LEXSTREAM_HEALTH_PORT": str(PORT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lexstream.index"],
        cwd=ROOT,
        env=env,
        stdout=LOG.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(200, 180)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_readiness_flips_when_elasticsearch_stops_and_returns(
    index_worker: subprocess.Popen[bytes],
) -> None:
    subprocess.run([STACK, "stop", "elasticsearch"], check=True, timeout=120)
    try:
        _wait_for(503, 10)  # fails the test if it takes longer
        body = httpx.get(f"http://127.0.0.1:{PORT}/health/ready", timeout=5).json()
        assert body["checks"]["elasticsearch"].startswith("down")
        assert body["checks"]["kafka"] == "ok"
        assert index_worker.poll() is None, "the worker must not crash while ES is away"
        _wait_logged("consumption paused")
    finally:
        subprocess.run([STACK, "start", "elasticsearch"], check=True, timeout=300)
    _wait_for(200, 60)
    _wait_logged("consumption resumed")

"""A private copy of the local stack, and the five services on it, for tests that break things.

Fault tests stop Kafka, Elasticsearch and S3 and kill services with SIGKILL; they must never
touch the shared stack (:9092/:9200/:9000) that other test sessions use. :class:`PrivateStack`
runs ``deploy/local/stack.sh`` with its own directory and ports (``LEXSTREAM_STACK_DIR`` and the
port variables), reusing the distribution already fetched into ``.stack/dist`` through a
symlink, so nothing is downloaded twice. The services run on it through the one launcher,
:class:`tests.support.launcher.Services`, on the ports of :data:`SERVICES`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.launcher import ROOT, StackError, service_ports

STACK_SH = ROOT / "deploy" / "local" / "stack.sh"
SHARED_DIST = Path(os.environ.get("LEXSTREAM_STACK_SHARED_DIST", str(ROOT / ".stack" / "dist")))

# Ports of the private stack and of its services (LEXSTREAM_RELIABILITY_PORT_BASE moves them).
# They must stay below Linux's ephemeral range (32768+): while a server is down, clients that
# reconnect many times a second to a port in that range can end up connected to themselves
# (TCP simultaneous open) and hold the port, and the server cannot bind it when it restarts.
BASE = int(os.environ.get("LEXSTREAM_RELIABILITY_PORT_BASE", "29000"))
KAFKA_PORT = BASE + 92
KAFKA_CONTROLLER_PORT = BASE + 93
ES_PORT = BASE + 200
ES_TRANSPORT_PORT = BASE + 300
S3_PORT = BASE
SERVICE_BASE = BASE - 1920  # 27080 with the default base

SERVICES = service_ports(SERVICE_BASE)  # 27080 (gateway) ... 27093 (index)
WORKERS = ("ingest", "ocr", "transcribe", "index", "gateway")


@dataclass
class PrivateStack:
    """Kafka, Elasticsearch and S3Proxy on their own ports, data and pid files."""

    directory: Path
    owns_directory: bool = True

    @classmethod
    def create(cls) -> PrivateStack:
        directory = Path(tempfile.mkdtemp(prefix="lexstream-private-stack-"))
        if not SHARED_DIST.is_dir():
            raise StackError(f"{SHARED_DIST} is missing: run deploy/local/stack.sh fetch first")
        (directory / "dist").symlink_to(SHARED_DIST)
        return cls(directory)

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "LEXSTREAM_STACK_DIR": str(self.directory),
            "LEXSTREAM_STACK_KAFKA_PORT": str(KAFKA_PORT),
            "LEXSTREAM_STACK_KAFKA_CONTROLLER_PORT": str(KAFKA_CONTROLLER_PORT),
            "LEXSTREAM_STACK_ES_PORT": str(ES_PORT),
            "LEXSTREAM_STACK_ES_TRANSPORT_PORT": str(ES_TRANSPORT_PORT),
            "LEXSTREAM_STACK_S3_PORT": str(S3_PORT),
            # no secured Kafka listener: its default port (9094) is the shared stack's, and
            # these suites test faults, not transport security
            "LEXSTREAM_STACK_KAFKA_SECURE_PORT": "0",
            "LEXSTREAM_STACK_ES_HEAP": os.environ.get("LEXSTREAM_STACK_ES_HEAP", "512m"),
            "LEXSTREAM_STACK_KAFKA_HEAP": os.environ.get("LEXSTREAM_STACK_KAFKA_HEAP", "384m"),
            "LEXSTREAM_STACK_PYTHON": sys.executable,
        }

    def _run(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [str(STACK_SH), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"stack.sh {' '.join(args)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def start(self, *components: str) -> None:
        self._run("start", *components)

    def stop(self, *components: str) -> None:
        self._run("stop", *components)

    def status(self) -> str:
        return self._run("status")

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            if self.owns_directory:
                shutil.rmtree(self.directory, ignore_errors=True)

    def service_env(self) -> dict[str, str]:
        """What a service or client needs to reach this stack."""
        return {
            "LEXSTREAM_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{KAFKA_PORT}",
            "LEXSTREAM_ELASTICSEARCH_URL": f"http://127.0.0.1:{ES_PORT}",
            "LEXSTREAM_S3_ENDPOINT": f"127.0.0.1:{S3_PORT}",
        }

"""A private copy of the local stack and of the five services, for tests that break things.

Fault tests stop Kafka, Elasticsearch and S3 and kill services with SIGKILL; they must never
touch the shared stack (:9092/:9200/:9000) that other test sessions use. :class:`PrivateStack`
runs ``deploy/local/stack.sh`` with its own directory and ports (``LEXSTREAM_STACK_DIR`` and the
port variables), reusing the distribution already fetched into ``.stack/dist`` through a
symlink, so nothing is downloaded twice. :class:`Services` runs the five services against it
as processes (each in its own process group, so SIGKILL takes a worker's children too).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
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

SERVICES: dict[str, tuple[str, int]] = {
    # name: (port variable, port) - start order: index bootstraps the indices and buckets
    "index": ("LEXSTREAM_HEALTH_PORT", SERVICE_BASE + 13),
    "ocr": ("LEXSTREAM_HEALTH_PORT", SERVICE_BASE + 11),
    "transcribe": ("LEXSTREAM_HEALTH_PORT", SERVICE_BASE + 12),
    "ingest": ("LEXSTREAM_HTTP_PORT", SERVICE_BASE + 1),
    "gateway": ("LEXSTREAM_HTTP_PORT", SERVICE_BASE),
}
WORKERS = ("ingest", "ocr", "transcribe", "index", "gateway")


class StackError(RuntimeError):
    pass


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


def prefix_env(prefix: str) -> dict[str, str]:
    return {
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_INDEX_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
    }


def new_prefix() -> str:
    return f"lxr{secrets.token_hex(4)}"


@dataclass
class Services:
    """The five services as processes against one stack, with one topic/index prefix."""

    env: dict[str, str]
    logs: Path
    admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)
    ports: dict[str, tuple[str, int]] = field(default_factory=lambda: dict(SERVICES))
    names: tuple[str, ...] = tuple(SERVICES)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway'][1]}"

    @property
    def ingest_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['ingest'][1]}"

    def service_env(self, name: str) -> dict[str, str]:
        port_env, port = self.ports[name]
        return {
            **os.environ,
            **self.env,
            port_env: str(port),
            "LEXSTREAM_BOOTSTRAP_ADMIN_KEY": self.admin_key,
            "LEXSTREAM_INGEST_URL": self.ingest_url,
            "LEXSTREAM_WORKERS": "1",
            "LEXSTREAM_LANGUAGES": "eng",
            "LEXSTREAM_MAX_DURATION_S": "120",
            "LEXSTREAM_RETRY_MAX_WAIT_S": "2",
            "LEXSTREAM_CPU_THREADS": "1",
            **self.extra_env.get(name, {}),
        }

    def start(self, name: str, *, wait: bool = True) -> None:
        log = self.logs / f"{name}.log"
        proc = subprocess.Popen(
            [sys.executable, "-m", f"lexstream.{name}"],
            cwd=ROOT,
            env=self.service_env(name),
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        if wait:
            self.wait_ready(name)

    def start_all(self) -> None:
        for name in self.names:
            self.start(name, wait=False)
        for name in self.names:
            self.wait_ready(name)

    def wait_ready(self, name: str, timeout_s: float = 240) -> None:
        proc, port = self.procs[name], self.ports[name][1]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise StackError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise StackError(f"{name} not ready in {timeout_s}s:\n{self.log_tail(name)}")

    def log_tail(self, name: str, chars: int = 4000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def kill9(self, name: str) -> None:
        """SIGKILL the service and everything it started (its process group), like a pod OOM."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def rss_kib(self, name: str) -> int:
        """Resident memory of the service's process group (the service and its workers)."""
        pgid = self.procs[name].pid
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                fields = stat.rsplit(")", 1)[1].split()
                if int(fields[2]) != pgid:  # field 5 of /proc/pid/stat: process group
                    continue
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (OSError, ValueError, IndexError):
                continue
        return total

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                proc.terminate()
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9(name)

    def logs_text(self) -> Mapping[str, str]:
        return {
            path.stem: path.read_text(errors="replace") for path in sorted(self.logs.glob("*.log"))
        }

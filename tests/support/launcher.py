"""The five services as processes: the one launcher of the e2e, security and reliability suites.

:class:`Services` starts ``python -m lexstream.<name>`` for each service with the
environment of one stack and one topic/index prefix, each in its own process group (so a
SIGKILL takes a worker's children too), waits for ``/health/ready``, and stops them. Each
suite picks its own port block (:func:`service_ports`) so that suites, and a system started
with ``make up``, can run side by side.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.instrumentation.utils import suppress_http_instrumentation
from tests.support.wait import wait_http_ready

ROOT = Path(__file__).resolve().parents[2]

# Start order: index first, since it bootstraps the indices and buckets.
NAMES = ("index", "ocr", "transcribe", "ingest", "gateway")
_OFFSETS = {"index": 13, "ocr": 11, "transcribe": 12, "ingest": 1, "gateway": 0}
_PORT_VARIABLE = {
    "index": "LEXSTREAM_HEALTH_PORT",
    "ocr": "LEXSTREAM_HEALTH_PORT",
    "transcribe": "LEXSTREAM_HEALTH_PORT",
    "ingest": "LEXSTREAM_HTTP_PORT",
    "gateway": "LEXSTREAM_HTTP_PORT",
}

# Small services for suites that run many of them: one worker, English OCR only, short waits.
LEAN = {
    "LEXSTREAM_WORKERS": "1",
    "LEXSTREAM_LANGUAGES": "eng",
    "LEXSTREAM_RETRY_MAX_WAIT_S": "2",
    "LEXSTREAM_CPU_THREADS": "1",
}


class StackError(RuntimeError):
    pass


def service_ports(base: int, names: tuple[str, ...] = NAMES) -> dict[str, tuple[str, int]]:
    """``{name: (port variable, port)}``: gateway at ``base``, ingest +1, ocr +11,
    transcribe +12, index +13."""
    return {name: (_PORT_VARIABLE[name], base + _OFFSETS[name]) for name in names}


def prefix_env(prefix: str) -> dict[str, str]:
    """Settings that give every topic, index and bucket the names of ``prefix``."""
    return {
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_INDEX_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
    }


def new_prefix(kind: str = "lxr") -> str:
    """A fresh prefix, valid as a topic, index and bucket name."""
    return f"{kind}{secrets.token_hex(4)}"


class OutsideClient(httpx.Client):
    """An httpx client that calls as someone outside the system: it never sends W3C trace
    context, even when an earlier test in this process instrumented httpx globally
    (``setup_telemetry`` through an in-process ``create_app``). A ``traceparent`` from the
    test process would make the gateway's request span the child of a span nobody exports,
    and the document's trace would not start at the gateway."""

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        with suppress_http_instrumentation():
            return super().send(request, **kwargs)


def admin_client(gateway_url: str, admin_key: str) -> httpx.Client:
    """A client of the gateway at ``gateway_url`` sending ``admin_key`` as its API key."""
    return OutsideClient(base_url=gateway_url, headers={"X-API-Key": admin_key}, timeout=60)


@dataclass
class Services:
    """The services as processes against one stack, with one topic/index prefix.

    ``env`` reaches every service (the stack's addresses and the prefix), ``tuning`` holds
    the sizes (workers, languages), and ``extra_env`` per service comes last.
    """

    env: dict[str, str]
    logs: Path
    ports: dict[str, tuple[str, int]]
    admin_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # the service credential between gateway and ingest (LEXSTREAM_INGEST_TOKEN)
    ingest_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    tuning: dict[str, str] = field(default_factory=lambda: dict(LEAN))
    extra_env: dict[str, dict[str, str]] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.ports)

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
            "LEXSTREAM_INGEST_TOKEN": self.ingest_token,
            "LEXSTREAM_INGEST_URL": self.ingest_url,
            "LEXSTREAM_MAX_DURATION_S": "120",
            **self.tuning,
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

    def start_stopped(self) -> None:
        """Start again, and wait for, every service whose process is gone (killed, crashed)."""
        gone = [
            name
            for name in self.names
            if name in self.procs and self.procs[name].poll() is not None
        ]
        for name in gone:
            self.start(name, wait=False)
        for name in gone:
            self.wait_ready(name)

    def start_all(self) -> None:
        for name in self.names:
            self.start(name, wait=False)
        for name in self.names:
            self.wait_ready(name)

    @contextlib.contextmanager
    def running(self) -> Iterator[Services]:
        """Every service started and ready; all stopped on leaving, also where one did not
        start."""
        try:
            self.start_all()
            yield self
        finally:
            self.stop_all()

    def admin_client(self) -> httpx.Client:
        """A client of the gateway as its bootstrap admin."""
        return admin_client(self.gateway_url, self.admin_key)

    def wait_ready(self, name: str, timeout_s: float = 240) -> None:
        proc, port = self.procs[name], self.ports[name][1]

        def exited() -> str | None:
            if proc.poll() is None:
                return None
            return f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}"

        try:
            wait_http_ready(
                f"http://127.0.0.1:{port}/health/ready", timeout_s=timeout_s, alive=exited
            )
        except RuntimeError as exc:
            raise StackError(str(exc)) from None
        except AssertionError:
            raise StackError(f"{name} not ready in {timeout_s}s:\n{self.log_tail(name)}") from None

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

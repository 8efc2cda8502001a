"""Test fixtures shared by the integration and end-to-end suites.

Integration and e2e tests run against the real local stack (deploy/local/stack.sh, which
`make test` starts): real Kafka, Elasticsearch and an S3-API server. Each test session uses
its own topic prefix, index prefix and buckets, so it never collides with `make up`.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from lexstream.shared.settings import CommonSettings
from tests.containers import (
    MODE_VARIABLE,
    containers_requested,
    docker_engine_answers,
    start_containers,
)

S = TypeVar("S", bound=CommonSettings)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


def _stack_settings() -> CommonSettings:
    return CommonSettings()


def _server_versions() -> list[str]:
    settings = _stack_settings()
    lines = []
    try:
        info = httpx.get(settings.elasticsearch_url, timeout=3).json()
        lines.append(
            f"elasticsearch: {info['version'].get('distribution', 'elasticsearch')} "
            f"{info['version']['number']} at {settings.elasticsearch_url}"
        )
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        lines.append(f"elasticsearch: unreachable ({type(exc).__name__})")
    try:
        response = httpx.get(f"http://{settings.s3_endpoint}/", timeout=3)
        server = response.headers.get("server", "unknown server")
        lines.append(f"s3: {server} at {settings.s3_endpoint} (HTTP {response.status_code})")
    except httpx.HTTPError as exc:
        lines.append(f"s3: unreachable ({type(exc).__name__})")
    try:
        out = subprocess.run(
            [str(ROOT / "deploy/local/stack.sh"), "versions"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        lines.append(f"local stack: {out.stdout.strip()}")
    except (OSError, subprocess.SubprocessError) as exc:
        lines.append(f"local stack: versions unavailable ({exc})")
    return lines


def pytest_configure(config: pytest.Config) -> None:
    """With LEXSTREAM_TEST_SERVERS=containers, start the servers from testcontainers and
    point every setting at them (tests/containers.py); by default use the local stack."""
    if not containers_requested():
        return
    if not docker_engine_answers():
        raise pytest.UsageError(
            f"{MODE_VARIABLE}=containers needs a Docker engine, and none answers here;"
            " run without it to use the local stack (deploy/local/stack.sh)"
        )
    environment, stop = start_containers()
    os.environ.update(environment)
    config.add_cleanup(stop)


def pytest_report_header(config: pytest.Config) -> list[str]:
    servers = "testcontainers" if containers_requested() else "local stack"
    return [f"servers reached ({servers}):", *(f"  {line}" for line in _server_versions())]


def wait_terminal(
    client: httpx.Client, document_id: str, timeout_s: float = 240, poll_s: float = 0.25
) -> dict[str, Any]:
    """The document's metadata once it is ``indexed`` or ``failed`` (through the gateway)."""
    deadline = time.monotonic() + timeout_s
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = client.get(f"/v1/documents/{document_id}")
        if response.status_code == 200:
            last = response.json()
            if last["status"] in ("indexed", "failed"):
                return last
        time.sleep(poll_s)
    raise AssertionError(f"document {document_id} did not finish in time; last: {last}")


@pytest.fixture(scope="session")
def session_prefix() -> str:
    """A fresh, valid prefix for topics, indices and buckets of this test session."""
    return f"lxt{secrets.token_hex(4)}"


def stack_env_for(prefix: str) -> dict[str, str]:
    """Environment for services and settings using ``prefix`` for every name."""
    return {
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_INDEX_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
        "LEXSTREAM_RETRY_MAX_WAIT_S": "2",
    }


def settings_for(env: dict[str, str], cls: type[S] = CommonSettings) -> S:  # type: ignore[assignment]
    """Settings of ``cls`` built with ``env`` applied (the process environment is restored)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return cls()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def stack_env(session_prefix: str) -> dict[str, str]:
    """Environment for services and settings of this session (isolated names)."""
    return stack_env_for(session_prefix)


@pytest.fixture(scope="session")
def settings(stack_env: dict[str, str]) -> CommonSettings:
    return settings_for(stack_env)

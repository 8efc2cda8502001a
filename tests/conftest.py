"""Test fixtures shared by the integration and end-to-end suites.

Integration and e2e tests run against the real local stack (deploy/local/stack.sh, which
`make test` starts): real Kafka, Elasticsearch and an S3-API server. Each test session uses
its own topic prefix, index prefix and buckets, so it never collides with `make up`.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any, TypeVar

import pytest

from lexstream.shared.settings import CommonSettings
from tests.containers import (
    MODE_VARIABLE,
    containers_requested,
    docker_engine_answers,
    start_containers,
)
from tests.support.launcher import new_prefix, prefix_env
from tests.support.servers import configured_addresses, reached_versions

S = TypeVar("S", bound=CommonSettings)

# One numeric path for Whisper on every x86 test machine. CTranslate2 picks Intel MKL on Intel
# CPUs and oneDNN on others, and the widest ISA the CPU has; each path rounds differently, and
# Whisper's beam search turns the difference into other words (in multilingual.mp3 MKL hears
# "unentgeltlich", oneDNN "unentgärtlich"; in the synthetic hearing one hears "Margaret Hale",
# the other "moderate hail"). Tests that assert words run on one path: oneDNN with AVX2, which
# every x86-64 host since 2013 has (MKL runs on AMD too, but three times slower). Deployments
# keep the automatic choice. Set before any test imports ctranslate2; the services the tests
# start inherit it.
if platform.machine().lower() in {"x86_64", "amd64"}:
    for _variable, _value in (
        ("CT2_USE_MKL", "0"),
        ("CT2_FORCE_CPU_ISA", "AVX2"),
        ("ONEDNN_MAX_CPU_ISA", "AVX2"),
    ):
        os.environ.setdefault(_variable, _value)

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


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


def pytest_report_header() -> list[str]:
    """The configured addresses only: the header must do no I/O (a unit run reaches nothing).
    The versions of the servers reached are printed at the end of runs that used them."""
    servers = "testcontainers" if containers_requested() else "local stack"
    lines = configured_addresses(CommonSettings())
    return [f"servers configured ({servers}):", *(f"  {line}" for line in lines)]


_REACHED = pytest.StashKey[list[str]]()
_USES_STACK = ("integration", "e2e")


@pytest.fixture(scope="session")
def reached_servers(pytestconfig: pytest.Config) -> list[str]:
    """The versions of the servers this session reaches (asked once, printed at the end)."""
    lines = reached_versions(CommonSettings())
    pytestconfig.stash[_REACHED] = lines
    return lines


@pytest.fixture(autouse=True)
def _note_reached_servers(request: pytest.FixtureRequest) -> None:
    """Tests of the suites that use the stack ask for the servers' versions (once)."""
    if any(request.node.get_closest_marker(name) for name in _USES_STACK):
        request.getfixturevalue("reached_servers")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(_REACHED, None)
    if lines:
        terminalreporter.section("servers reached")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def session_prefix() -> str:
    """A fresh, valid prefix for topics, indices and buckets of this test session."""
    return new_prefix("lxt")


def stack_env_for(prefix: str) -> dict[str, str]:
    """Environment for services and settings using ``prefix`` for every name."""
    return {**prefix_env(prefix), "LEXSTREAM_RETRY_MAX_WAIT_S": "2"}


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

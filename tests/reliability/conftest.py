"""Fixtures of the reliability suite: a private stack (session) and fresh services per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from elasticsearch import Elasticsearch

from tests.reliability.stack import ES_PORT, KAFKA_PORT, SERVICES, PrivateStack
from tests.support.launcher import Services, new_prefix, prefix_env


@pytest.fixture(scope="session")
def private_stack() -> Iterator[PrivateStack]:
    """Kafka, Elasticsearch and S3 of our own: fault tests stop them, never the shared stack."""
    existing = os.environ.get("LEXSTREAM_RELIABILITY_STACK_DIR")
    if existing:  # a stack a developer keeps running between sessions (not stopped here)
        stack = PrivateStack(Path(existing), owns_directory=False)
        stack.start()
        yield stack
        return
    stack = PrivateStack.create()
    try:
        stack.start()
        yield stack
    finally:
        stack.destroy()


@dataclass
class System:
    stack: PrivateStack
    services: Services
    prefix: str
    es: Elasticsearch
    matter_id: str

    @property
    def kafka(self) -> str:
        return f"127.0.0.1:{KAFKA_PORT}"

    def admin(self) -> httpx.Client:
        return self.services.admin_client()

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.services.env}


def make_system(
    stack: PrivateStack, logs: Path, extra: dict[str, dict[str, str]] | None = None
) -> System:
    prefix = new_prefix()
    services = Services(
        env={**stack.service_env(), **prefix_env(prefix)},
        logs=logs,
        ports=dict(SERVICES),
        extra_env=extra or {},
    )
    services.start_all()
    matter_id = f"REL-{prefix}"
    with services.admin_client() as admin:
        response = admin.post("/v1/matters", json={"matter_id": matter_id, "name": "Reliability"})
        assert response.status_code == 201, response.text
    es = Elasticsearch(f"http://127.0.0.1:{ES_PORT}", request_timeout=30)
    return System(stack, services, prefix, es, matter_id)


@contextmanager
def system_running(
    stack: PrivateStack, tmp_path: Path, extra: dict[str, dict[str, str]] | None = None
) -> Iterator[System]:
    """Fresh services (a new prefix) on the private stack; whatever a test stopped of the
    stack is started again afterwards, for the next test."""
    logs = tmp_path / "logs"
    logs.mkdir()
    built = make_system(stack, logs, extra)
    try:
        yield built
    finally:
        built.services.stop_all()
        built.es.close()
        stack.start()


@pytest.fixture
def system(private_stack: PrivateStack, tmp_path: Path) -> Iterator[System]:
    with system_running(private_stack, tmp_path) as built:
        yield built

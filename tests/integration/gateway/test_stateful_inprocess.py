"""The stateful schemathesis run of tests/support/stateful.py against the gateway and ingest
in this process (each on uvicorn in a thread, on an ephemeral loopback port), over the real
Elasticsearch, S3 and Kafka: the same state machine as tests/e2e/test_gateway_stateful.py,
bounded to run in about a minute."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from tests.support.gateway import ADMIN_KEY, service_fields
from tests.support.stateful import fuzzing_key, run_stateful, seed_secret

from lexstream.gateway.app import create_app as create_gateway
from lexstream.gateway.settings import GatewaySettings
from lexstream.index.bootstrap import bootstrap
from lexstream.ingest.app import create_app as create_ingest
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

TOKEN = "stateful-ingest-token-0123456789abcdef"


@pytest.fixture
def serving() -> Iterator[Any]:
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def serve(app: FastAPI) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 120
        while not server.started:
            assert thread.is_alive(), "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield serve
    for server, thread in reversed(servers):
        server.should_exit = True
        thread.join(30)


def test_stateful_linked_operations_no_5xx_and_no_foreign_reads(
    settings: CommonSettings, serving: Any
) -> None:
    # as in a deployment: the indices and buckets exist before the gateway serves
    asyncio.run(bootstrap(settings))
    ingest_url = serving(
        create_ingest(
            IngestSettings(**service_fields(settings, IngestSettings), ingest_token=TOKEN)
        )
    )
    gateway_url = serving(
        create_gateway(
            GatewaySettings(
                **service_fields(settings, GatewaySettings),
                bootstrap_admin_key=ADMIN_KEY,
                ingest_url=ingest_url,
                ingest_token=TOKEN,
                rate_limit_per_s=1000.0,
                rate_limit_burst=1000,
            )
        )
    )
    with httpx.Client(base_url=gateway_url, headers={"X-API-Key": ADMIN_KEY}, timeout=60) as admin:
        document = admin.get("/v1/openapi.json").json()
        secret = seed_secret(admin)
        key = fuzzing_key(admin)
    calls = run_stateful(
        document, base_url=gateway_url, key=key, secret=secret, max_examples=25, step_count=8
    )
    # the chain was walked, not skipped: uploads into the fuzzer's matters, and reads of them
    assert ("POST", "/v1/documents", 202) in calls, "; ".join(map(str, sorted(set(calls))))
    reads = [c for c in calls if c[0] == "GET" and c[1].startswith("/v1/documents/")]
    assert any(status == 200 for _, _, status in reads), calls

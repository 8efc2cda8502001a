"""The audit trail on the real stack: nothing lost through a Kafka outage, every read audited.

The outage is real from the client's side: the publisher's bootstrap address is a TCP
forwarder this test owns, closed while entries pile up (connections are refused) and opened
later in front of the local Kafka; the shared Kafka itself is never stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from fastapi import FastAPI
from starlette.requests import Request
from tests.reliability.corpus import text_pdf
from tests.support.factories import text_document
from tests.support.gateway import gateway_client, gateway_settings

from lexstream.gateway.app import create_app
from lexstream.gateway.audit import AuditLog, audit_topic
from lexstream.gateway.authz import TABLE
from lexstream.gateway.stores import audit_index, bootstrap_gateway_indices
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.events import ObjectRef
from lexstream.shared.health import run_checks
from lexstream.shared.kafka import ensure_topics, make_broker
from lexstream.shared.search import documents_alias, make_search_client, status_index
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import derived_key
from lexstream.shared.telemetry import setup_telemetry

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ENTRIES = 400  # the producer's batch buffer overflowed at about 27


class Forwarder:
    """A TCP forwarder to Kafka that can be closed (connections refused) and opened again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def reserve(self) -> None:
        """Pick a free port and leave nothing listening on it."""
        server = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._tasks):
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        for task in (
            asyncio.create_task(pipe(reader, up_writer)),
            asyncio.create_task(pipe(up_reader, writer)),
        ):
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


def _request(n: int) -> Request:
    """A request as the routes see it, with user agents of many sizes."""
    agent = f"client-{n}-" + "x" * (n % 7 * 80)
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/v1/search",
            "query_string": b"",
            "headers": [(b"user-agent", agent.encode())],
            "client": ("127.0.0.1", 40_000 + n),
        }
    )


async def _consume_ids(settings: CommonSettings, topic: str, wanted: set[str]) -> Counter[str]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    seen: Counter[str] = Counter()
    try:
        deadline = time.monotonic() + 60
        while not wanted <= set(seen) and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                seen.update(json.loads(r.value)["event_id"] for r in records if r.value)
        # anything more that a retry might have repeated is already on the topic: read it too
        for records in (await consumer.getmany(timeout_ms=1000)).values():
            seen.update(json.loads(r.value)["event_id"] for r in records if r.value)
    finally:
        await consumer.stop()
    return seen


async def _wait(condition: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_every_entry_arrives_after_a_kafka_outage(settings: CommonSettings) -> None:
    kafka_host, kafka_port = settings.kafka_bootstrap_servers.split(",")[0].rsplit(":", 1)
    proxy = Forwarder((kafka_host, int(kafka_port)))
    await proxy.reserve()
    topic_prefix = f"{settings.topic_prefix}-audit{time.time_ns()}"
    direct = gateway_settings(settings, topic_prefix=topic_prefix)
    await ensure_topics(direct, [audit_topic(direct)])  # for the test's own consumer
    outage = gateway_settings(
        settings,
        topic_prefix=topic_prefix,
        kafka_bootstrap_servers=f"127.0.0.1:{proxy.port}",
        audit_flush_interval_s=0.2,
        audit_publish_timeout_s=3.0,
        audit_ready_max_delay_s=1.0,
        audit_ready_max_backlog=100,
    )
    client = make_search_client(direct)
    await bootstrap_gateway_indices(client, direct)
    telemetry = setup_telemetry("audit-test", None, set_global=False, instrument_http=False)
    broker = make_broker(outage, telemetry, client_id="audit-test")
    log = AuditLog(client, broker, outage)
    log.start()
    try:
        for n in range(ENTRIES):
            log.record(_request(n), "search", query={"q": "w" * (n % 13 * 150)}, hits=n)
        ids = {entry["event_id"] for entry in log._to_index}
        assert len(ids) == ENTRIES

        # Kafka is away: the backlog holds everything and readiness says so, with the count
        await asyncio.sleep(outage.audit_ready_max_delay_s + 1.0)
        verdict = (await run_checks({"audit": log.check}, timeout_s=10))["audit"]
        assert verdict.startswith(f"down: audit backlog {ENTRIES}"), verdict
        assert "not published" in verdict, verdict
        assert log.backlog == ENTRIES
        assert log.last_published_at is None

        # Kafka comes back: the backlog drains, readiness returns, nothing was lost
        await proxy.open()
        await _wait(lambda: log.backlog == 0, 90)
        assert (await run_checks({"audit": log.check}))["audit"] == "ok"
        assert log.last_published_at is not None
        seen = await _consume_ids(direct, audit_topic(direct), ids)
        assert set(seen) == ids, f"missing {len(ids - set(seen))}, unknown {set(seen) - ids}"
        repeated = sum(count - 1 for count in seen.values())
        assert repeated < ENTRIES, f"{repeated} repeats: more than one retry of each entry"

        # and the index has each entry exactly once (created under its event id)
        await client.indices.refresh(index=audit_index(direct))
        counted = await client.count(
            index=audit_index(direct), query={"ids": {"values": sorted(ids)}}
        )
        assert counted["count"] == ENTRIES
    finally:
        await log.stop()
        await broker.stop()
        await proxy.close()
        await client.close()


# --- every read path audited, and GET /v1/audit answers (it was a 500) -----------------------

AUDITED_READS = {
    "/v1/search": "search",
    "/v1/cited-by": "cited-by",
    "/v1/suggest": "suggest",
    "/v1/documents/{document_id}": "view",
    "/v1/documents/{document_id}/children": "children",
    "/v1/documents/{document_id}/similar": "similar",
    "/v1/documents/{document_id}/near-duplicates": "near-duplicates",
    "/v1/documents/{document_id}/thread": "thread",
    "/v1/matters/{matter_id}/holds": "hold.list",
    "/v1/documents/{document_id}/text": "text",
    "/v1/documents/{document_id}/transcript": "transcript",
    "/v1/documents/{document_id}/original": "download",
    "/v1/documents/{document_id}/pages/{number}.png": "page",
    "/v1/audit": "audit.read",
    "/v1/search/batches/{batch_id}/hits": "batch-search.export",  # test_batch_search.py
    "/v1/documents/{document_id}/authorities": "authorities",
    "/v1/authorities": "authority-lookup",
    "/v1/authorities/{authority_id:path}": "authority",
    "/v1/matters/{matter_id}/citation-graph": "citation-graph",
    # a statute's or judgment's structure: the seeded document has none (404, not audited as
    # a read); test_structure_routes.py reads them
    "/v1/documents/{document_id}/structure": "structure",
    "/v1/documents/{document_id}/provisions/{provision_id:path}": "provision",
    "/v1/documents/{document_id}/paragraphs/{number}": "paragraph",
    "/v1/documents/{document_id}/contract": "contract",  # test_contract_route.py
}
NOT_CALLED_HERE = {
    "/v1/audit",
    "/v1/search/batches/{batch_id}/hits",
    "/v1/documents/{document_id}/structure",
    "/v1/documents/{document_id}/provisions/{provision_id:path}",
    "/v1/documents/{document_id}/paragraphs/{number}",
    "/v1/documents/{document_id}/contract",
}


def test_the_list_covers_every_audited_read_of_the_table() -> None:
    audited_gets = {
        path for (method, path), rule in TABLE.items() if method == "GET" and rule.audited
    }
    assert audited_gets == set(AUDITED_READS)


@pytest.fixture
async def gateway(settings: CommonSettings) -> AsyncIterator[FastAPI]:
    app = create_app(gateway_settings(settings, audit_flush_interval_s=30.0))  # reads must not wait
    async with app.router.lifespan_context(app):
        yield app


async def _seed_document(app: FastAPI, matter: str) -> str:
    """A document with a child, text, transcript and original, as the pipeline leaves it."""
    gw = app.state.gateway
    es, store, tenant = gw.es, gw.store, gw.settings.tenant
    await bootstrap_indices(es, gw.settings)
    await store.bootstrap()
    doc_id = f"aud{time.time_ns()}"
    base = {"tenant": tenant, "matter_id": matter, "status": "indexed"}
    await es.index(
        index=status_index(gw.settings),
        id=doc_id,
        document={**base, "document_id": doc_id, "filename": "a.txt", "media_type": "text/plain"},
    )
    await es.index(
        index=status_index(gw.settings),
        id=f"{doc_id}-c",
        document={**base, "document_id": f"{doc_id}-c", "parent_document_id": doc_id},
        refresh=True,
    )
    await es.index(
        index=documents_alias(gw.settings),
        id=doc_id,
        document={
            "document_id": doc_id,
            "tenant": tenant,
            "matter_id": matter,
            "acl": [f"matter:{matter}"],
            "title": "Audited opinion",
            "content": "The court audited the records twice.",
        },
        refresh=True,
    )
    derived = gw.store.derived

    async def put(name: str, payload: Any) -> None:
        await store.put_json(ObjectRef(bucket=derived, key=derived_key(doc_id, name)), payload)

    await put("text.json", text_document(["audited"], doc_id).model_dump(mode="json"))
    await put(
        "transcript.json",
        {
            "document_id": doc_id,
            "media_type": "audio/wav",
            "duration": 1.0,
            "segments": [],
            "model": "tiny",
            "device": "cpu",
            "compute_type": "int8",
        },
    )
    original = ObjectRef(bucket=store.originals, key=f"sha256/00/{doc_id}")
    await store.put_bytes(original, b"audited", content_type="text/plain")
    await put("document.json", {"original": f"s3://{original.bucket}/{original.key}"})
    searchable = ObjectRef(bucket=derived, key=derived_key(doc_id, "searchable.pdf"))
    await store.put_bytes(searchable, text_pdf(["audited"]), content_type="application/pdf")
    return doc_id


async def test_every_read_path_is_audited_and_the_trail_answers(gateway: FastAPI) -> None:
    async with gateway_client(gateway, headers={"X-Forwarded-For": "198.51.100.9"}) as admin:
        matter = f"AUD-{time.time_ns()}"
        assert (await admin.post("/v1/matters", json={"matter_id": matter, "name": "m"})).is_success
        doc_id = await _seed_document(gateway, matter)
        # more entries than the producer's batch buffer held (the 500 came with about 27)
        for _ in range(40):
            assert (await admin.get(f"/v1/documents/{doc_id}")).status_code == 200
        calls = {
            "/v1/search": ("/v1/search", {"q": "audited"}),
            "/v1/cited-by": ("/v1/cited-by", {"citation": "410 U.S. 113"}),
            "/v1/suggest": ("/v1/suggest", {"q": "Aud"}),
            "/v1/documents/{document_id}/children": (f"/v1/documents/{doc_id}/children", {}),
            "/v1/documents/{document_id}/similar": (f"/v1/documents/{doc_id}/similar", {}),
            "/v1/documents/{document_id}/near-duplicates": (
                f"/v1/documents/{doc_id}/near-duplicates",
                {},
            ),
            "/v1/documents/{document_id}/thread": (f"/v1/documents/{doc_id}/thread", {}),
            "/v1/matters/{matter_id}/holds": (f"/v1/matters/{matter}/holds", {}),
            "/v1/documents/{document_id}/text": (f"/v1/documents/{doc_id}/text", {}),
            "/v1/documents/{document_id}/transcript": (f"/v1/documents/{doc_id}/transcript", {}),
            "/v1/documents/{document_id}/original": (
                f"/v1/documents/{doc_id}/original",
                {"redirect": "false"},
            ),
            "/v1/documents/{document_id}/pages/{number}.png": (
                f"/v1/documents/{doc_id}/pages/1.png",
                {"width": "160"},
            ),
            "/v1/documents/{document_id}/authorities": (f"/v1/documents/{doc_id}/authorities", {}),
            "/v1/authorities": ("/v1/authorities", {"q": "410 U.S. 113"}),
            "/v1/authorities/{authority_id:path}": ("/v1/authorities/us:reporter:410/US/113", {}),
            "/v1/matters/{matter_id}/citation-graph": (f"/v1/matters/{matter}/citation-graph", {}),
        }
        for route, (path, params) in calls.items():
            answer = await admin.get(path, params=params)
            assert answer.status_code == 200, (route, answer.status_code, answer.text)
        trail = await admin.get("/v1/audit", params={"subject": "bootstrap-admin", "size": 1000})
        assert trail.status_code == 200, trail.text  # it was a 500
        # reading the trail is audited too
        reads = await admin.get("/v1/audit", params={"action": "audit.read", "size": 10})
        assert reads.status_code == 200, reads.text
        assert reads.json()["entries"], reads.text
    queries = (
        {"q": "audited"},
        {"citation": "410 U.S. 113"},
        {"q": "Aud"},
        {"q": "410 U.S. 113"},
        {"authority_id": "us:reporter:410/US/113"},
    )
    mine = [
        e
        for e in trail.json()["entries"]
        if e["document_id"] == doc_id
        or e["query"] in queries
        or (e["action"] in ("citation-graph", "hold.list") and e["matter_id"] == matter)
    ]
    actions = Counter(e["action"] for e in mine)
    for route, action in AUDITED_READS.items():
        if route not in NOT_CALLED_HERE:
            assert actions[action] >= 1, (route, actions)
    assert actions["view"] == 40, actions
    assert all(e["matter_id"] == matter for e in mine if e["document_id"]), mine
    # the test client is not a trusted proxy: its X-Forwarded-For is not believed
    assert all(e["client_ip"] == "127.0.0.1" and e["forwarded_for"] is None for e in mine)
    # readiness carries the audit check (ingest is not running here, so only that one counts)
    async with gateway_client(gateway, None) as probe:
        checks = (await probe.get("/health/ready")).json()["checks"]
    assert checks["audit"] == "ok", checks

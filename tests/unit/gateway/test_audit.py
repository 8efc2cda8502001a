"""The audit publisher: batches the producer accepts, believed client addresses, readiness."""

from __future__ import annotations

import asyncio
import json
import random
from ipaddress import ip_network
from typing import Any

import pytest
from aiokafka.producer.message_accumulator import BatchBuilder
from faststream.kafka.exceptions import BatchBufferOverflowException
from starlette.requests import Request

from lexstream.gateway.audit import (
    KAFKA_BATCH_BYTES,
    AuditBacklogFull,
    AuditLog,
    client_address,
    split_batches,
)
from lexstream.gateway.settings import GatewaySettings
from lexstream.shared.health import run_checks

# What FastStream and its telemetry middleware put on each record besides our own header.
PRODUCER_HEADERS = [
    ("correlation_id", b"5b0c8a4e-3f5d-4a55-9d0e-1c1f1b9f7c2a"),
    ("event-type", b"audit.recorded"),
    ("traceparent", b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ("tracestate", b"lexstream=00f067aa0ba902b7"),
]


def _fits_one_producer_batch(values: list[bytes]) -> bool:
    """What aiokafka's create_batch() takes, asked of aiokafka itself."""
    batch = BatchBuilder(KAFKA_BATCH_BYTES, 0)
    return all(
        batch.append(timestamp=None, key=None, value=v, headers=PRODUCER_HEADERS) is not None
        for v in values
    )


def _entry(size: int, n: int) -> bytes:
    return json.dumps({"event_id": f"e{n}", "user_agent": "u" * size}).encode()


@pytest.mark.parametrize("seed", range(5))
def test_batches_never_exceed_the_producer_buffer_and_keep_every_entry(seed: int) -> None:
    rng = random.Random(seed)
    sizes = [rng.choice([50, 300, 900, 2_500, 6_000, 9_000, 15_000]) for _ in range(400)]
    values = [_entry(size, n) for n, size in enumerate(sizes)]
    batches = split_batches(values)
    assert [v for batch in batches for v in batch] == values  # nothing lost, order kept
    for batch in batches:
        assert len(batch) == 1 or _fits_one_producer_batch(batch)


def test_small_entries_share_batches() -> None:
    values = [_entry(200, n) for n in range(1_000)]
    batches = split_batches(values)
    assert all(_fits_one_producer_batch(b) for b in batches)
    # the overflow reported in the field came at about 27 entries; far more than one per batch
    assert len(batches) < 1_000 / 10


def test_an_entry_larger_than_a_batch_goes_alone() -> None:
    values = [_entry(100, 0), _entry(40_000, 1), _entry(100, 2)]
    assert split_batches(values) == [[values[0]], [values[1]], [values[2]]]


def _request(peer: str | None, forwarded: list[str] | None = None) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded or []]
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/v1/search",
        "query_string": b"",
        "headers": [(b"user-agent", b"unit-test"), *headers],
        "client": (peer, 50_000) if peer else None,
    }
    return Request(scope)


PROXIES = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]


def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    spoofed = _request("203.0.113.7", ["198.51.100.1"])
    assert client_address(spoofed, PROXIES) == ("203.0.113.7", None)
    # with no proxies configured (the default) nobody's header is believed
    assert client_address(_request("10.1.2.3", ["198.51.100.1"]), []) == ("10.1.2.3", None)


def test_forwarded_for_from_a_trusted_proxy_gives_the_client() -> None:
    one = _request("10.1.2.3", ["198.51.100.1"])
    assert client_address(one, PROXIES) == ("198.51.100.1", "198.51.100.1")
    # a client's own header is kept left of what the proxies append: read from the right
    chain = _request("10.1.2.3", ["6.6.6.6, 198.51.100.1, 10.9.9.9"])
    assert client_address(chain, PROXIES)[0] == "198.51.100.1"
    split_headers = _request("fd00::1", ["6.6.6.6", "2001:db8::5"])
    assert client_address(split_headers, PROXIES)[0] == "2001:db8::5"
    # not an address: stop at the last proxy we trust
    garbage = _request("10.1.2.3", ["198.51.100.1, not-an-ip"])
    assert client_address(garbage, PROXIES)[0] == "10.1.2.3"


def test_the_setting_takes_comma_separated_cidrs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEXSTREAM_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7")
    assert [str(n) for n in GatewaySettings().trusted_proxies] == ["10.0.0.0/8", "192.168.1.7/32"]
    monkeypatch.delenv("LEXSTREAM_TRUSTED_PROXIES")
    assert GatewaySettings().trusted_proxies == []


def test_recorded_entries_carry_the_believed_address() -> None:
    log = AuditLog(
        FakeIndex(),  # type: ignore[arg-type]
        None,
        GatewaySettings(trusted_proxies=[ip_network("10.0.0.0/8")]),
    )
    log.record(_request("203.0.113.7", ["198.51.100.1"]), "search")
    log.record(_request("10.0.0.2", ["198.51.100.1"]), "search")
    spoofed, proxied = log._to_index
    assert (spoofed["client_ip"], spoofed["forwarded_for"]) == ("203.0.113.7", None)
    assert (proxied["client_ip"], proxied["peer_ip"]) == ("198.51.100.1", "10.0.0.2")


class FakeIndex:
    """Elasticsearch's bulk API: takes everything, remembers the ids."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    async def bulk(self, operations: list[dict[str, Any]]) -> dict[str, Any]:
        actions = operations[::2]
        self.ids += [a["create"]["_id"] for a in actions]
        return {"items": [{"create": {"status": 201}} for _ in actions]}


class ProducerLikeBroker:
    """publish_batch as FastStream does it: one aiokafka batch, overflow raises."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self.down = False

    async def connect(self) -> None:
        return None

    # the real signature: AuditLog passes topic= and headers= by keyword
    async def publish_batch(self, *values: bytes, topic: str, headers: dict[str, str]) -> None:  # noqa: ARG002
        if self.down:
            raise ConnectionError("kafka is away")
        batch = BatchBuilder(KAFKA_BATCH_BYTES, 0)
        for position, value in enumerate(values):
            if (
                batch.append(timestamp=None, key=None, value=value, headers=PRODUCER_HEADERS)
                is None
            ):
                raise BatchBufferOverflowException(message_position=position)
        self.published += [json.loads(v)["event_id"] for v in values]


def _log(broker: ProducerLikeBroker, **settings: Any) -> tuple[AuditLog, FakeIndex]:
    index = FakeIndex()
    log = AuditLog(index, broker, GatewaySettings(**settings))  # type: ignore[arg-type]
    log._kafka_ready = True  # no topic to create against the fake
    return log, index


async def test_a_large_backlog_drains_through_the_producer_limit() -> None:
    broker = ProducerLikeBroker()
    log, index = _log(broker)
    for n in range(600):
        log.record(_request("127.0.0.1"), "search", query={"q": "x" * (n % 50) * 40})
    await log.drain()
    ids = list(index.ids)
    assert len(ids) == 600
    assert sorted(broker.published) == sorted(ids)
    assert log.backlog == 0
    assert log.last_published_at is not None


async def test_readiness_reports_a_stalled_backlog_and_recovers() -> None:
    broker = ProducerLikeBroker()
    log, _ = _log(broker, audit_ready_max_delay_s=0.05, audit_ready_max_backlog=1_000)
    broker.down = True
    for _ in range(40):
        log.record(_request("127.0.0.1"), "view")
    with pytest.raises(ConnectionError):
        await log.drain()
    assert (await run_checks({"audit": log.check}))["audit"] == "ok"  # not stalled yet
    await asyncio.sleep(0.1)
    verdict = (await run_checks({"audit": log.check}))["audit"]
    assert verdict.startswith("down: audit backlog 40")
    assert "not published" in verdict
    broker.down = False
    await log.drain()
    assert (await run_checks({"audit": log.check}))["audit"] == "ok"
    assert len(broker.published) == 40


async def test_readiness_turns_on_a_backlog_over_its_threshold() -> None:
    log, _ = _log(ProducerLikeBroker(), audit_ready_max_backlog=10)
    for _ in range(11):
        log.record(_request("127.0.0.1"), "view")
    assert "backlog 11 > 10" in (await run_checks({"audit": log.check}))["audit"]


def test_a_full_backlog_refuses_rather_than_drops() -> None:
    log, _ = _log(ProducerLikeBroker(), audit_max_backlog=3)
    for _ in range(3):
        log.record(_request("127.0.0.1"), "view")
    with pytest.raises(AuditBacklogFull):
        log.record(_request("127.0.0.1"), "view")
    assert log.backlog == 3

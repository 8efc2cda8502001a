"""The shared clients against the real stack: S3 storage, Elasticsearch bootstrap, Kafka runner."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from tests.support.factories import ocr_requested
from tests.support.wait import eventually_async

from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import ObjectRef, OcrRequested, Stage, Topics
from lexstream.shared.kafka import (
    DLQ_ERROR,
    DLQ_ORIGINAL_TOPIC,
    StageRunner,
    ensure_topics,
    make_broker,
    publish_event,
    subscriber_options,
)
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore, original_key, sha256_file
from lexstream.shared.telemetry import setup_telemetry

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def test_storage_put_get_presign(settings: CommonSettings, tmp_path: Path) -> None:
    store = ObjectStore(settings)
    await store.bootstrap()
    await store.bootstrap()  # idempotent
    path = tmp_path / "claim.txt"
    path.write_bytes(b"the claimant's statement " * 1000)
    digest = sha256_file(path)
    ref = ObjectRef(bucket=store.originals, key=original_key(digest))
    await store.put_file(ref, path, content_type="text/plain", metadata={"sha256": digest})
    assert await store.exists(ref)
    assert await store.get_bytes(ref) == path.read_bytes()
    url = await store.presign_get(ref, expires=timedelta(minutes=2), filename="claim.txt")
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.content == path.read_bytes()
    assert not await store.exists(ObjectRef(bucket=store.originals, key="sha256/00/missing"))


async def test_search_bootstrap_creates_template_and_write_alias(settings: CommonSettings) -> None:
    es = make_search_client(settings)
    try:
        await bootstrap_indices(es, settings)
        await bootstrap_indices(es, settings)  # idempotent
        alias = documents_alias(settings)
        aliases = await es.indices.get_alias(name=alias)
        # one backing index (-000001, or a later one if a reindex ran in this session)
        assert len(aliases) == 1
        (backing,) = aliases
        assert backing.startswith(f"{alias}-00000")
        assert aliases[backing]["aliases"][alias]["is_write_index"] is True
        analyzed = await es.indices.analyze(index=alias, field="jurisdiction", text="EU/DE")
        assert [t["token"] for t in analyzed["tokens"]] == ["EU", "EU/DE"]
        french = await es.indices.analyze(index=alias, field="content.fr", text="les décisions")
        assert [t["token"] for t in french["tokens"]] == ["decision"]
    finally:
        await es.close()


async def test_runner_sends_poison_to_dlq_and_keeps_consuming(settings: CommonSettings) -> None:
    topics = Topics(f"{settings.topic_prefix}-runner{secrets.token_hex(3)}")
    await ensure_topics(settings, topics.all())
    telemetry = setup_telemetry("test", None, set_global=False, instrument_http=False)
    broker: KafkaBroker = make_broker(settings, telemetry, client_id="test-runner")
    runner = StageRunner(broker, topics, Stage.OCR, settings)
    handled: list[str] = []

    async def work(event: OcrRequested) -> None:
        if event.filename == "bad.pdf":
            raise PermanentError("the PDF is encrypted")
        handled.append(event.document_id)

    options = subscriber_options(settings, "test-runner")
    options["group_id"] = f"{topics.prefix}-group"

    @broker.subscriber(topics.ocr_requested, **options)
    async def on_request(message: KafkaMessage) -> None:
        await runner.run(message, OcrRequested, work)

    dlq = AIOKafkaConsumer(
        Topics.dlq(topics.ocr_requested),
        topics.failed,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=f"{topics.prefix}-observer",
    )
    async with broker:
        await broker.start()
        await dlq.start()
        try:
            await broker.publish(b"{not json", topics.ocr_requested, key=b"x")
            bad = ocr_requested("doc-bad", filename="bad.pdf")
            await publish_event(broker, topics.ocr_requested, bad)
            good = ocr_requested("doc-good", filename="good.pdf")
            await publish_event(broker, topics.ocr_requested, good)
            seen: dict[str, list[dict[str, object]]] = {"dlq": [], "failed": []}

            async def all_three_handled() -> bool:
                batch = await dlq.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        kind = "failed" if record.topic == topics.failed else "dlq"
                        headers = {k: v.decode() for k, v in record.headers}
                        seen[kind].append({"headers": headers, "value": record.value})
                return len(seen["dlq"]) >= 2 and bool(seen["failed"]) and bool(handled)

            await eventually_async(
                all_three_handled, what="two DLQ messages, one failure, one success", interval_s=0
            )
        finally:
            await dlq.stop()
    assert handled == ["doc-good"]
    reasons = sorted(str(m["headers"][DLQ_ERROR]) for m in seen["dlq"])  # type: ignore[index]
    assert any("invalid OcrRequested" in r for r in reasons)
    assert any("the PDF is encrypted" in r for r in reasons)
    assert all(
        m["headers"][DLQ_ORIGINAL_TOPIC] == topics.ocr_requested  # type: ignore[index]
        for m in seen["dlq"]
    )
    failed = [json.loads(m["value"]) for m in seen["failed"]]  # type: ignore[arg-type]
    assert [f["document_id"] for f in failed] == ["doc-bad"]
    assert failed[0]["reason"] == "the PDF is encrypted"
    assert failed[0]["stage"] == "ocr"

"""The operator gauges read from the real local stack (integration): a group's lag after it
committed part of a topic, DLQ depth, and the status counts of a status index."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import uuid_utils
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from lexstream.shared.opsmetrics import read_kafka, read_statuses
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from tests.conftest import settings_for, stack_env_for
from tests.support.launcher import new_prefix

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


async def _lag_scenario(settings: CommonSettings) -> None:
    prefix = settings.topic_prefix
    topic, dlq = f"{prefix}.ocr.requested.v1", f"{prefix}.ocr.requested.v1.dlq"
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1), NewTopic(dlq, 1, 1)])
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            for n in range(5):
                await producer.send_and_wait(topic, f"m{n}".encode(), partition=0)
            await producer.send_and_wait(dlq, b"dead", partition=0)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=f"{prefix}-ocr",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            consumer.assign([TopicPartition(topic, 0)])
            await consumer.commit({TopicPartition(topic, 0): 2})  # 2 of 5 handled
        finally:
            await consumer.stop()
        snapshot = await read_kafka(settings)
        assert snapshot.lag == {(f"{prefix}-ocr", topic, 0): 3}
        assert snapshot.offsets[(topic, 0)] == (0, 5)
        assert snapshot.dlq_depth() == {dlq: 1}
        assert snapshot.members == {f"{prefix}-ocr": 0}  # nobody consumes now
    finally:
        with contextlib.suppress(Exception):
            await admin.delete_consumer_groups([f"{prefix}-ocr"])
        with contextlib.suppress(Exception):
            await admin.delete_topics([topic, dlq])
        await admin.close()


def test_lag_offsets_and_dlq_depth_from_kafka() -> None:
    settings: CommonSettings = settings_for(stack_env_for(new_prefix("lxo")))
    asyncio.run(_lag_scenario(settings))


async def _status_scenario(settings: CommonSettings) -> None:
    es = make_search_client(settings)
    index = f"{settings.index_prefix}-status-probe"
    try:
        await es.indices.create(
            index=index,
            mappings={
                "properties": {"document_id": {"type": "keyword"}, "status": {"type": "keyword"}}
            },
        )
        oldest = str(uuid_utils.uuid7())
        await asyncio.sleep(0.01)
        docs = [(oldest, "extracting"), (str(uuid_utils.uuid7()), "stored")]
        docs += [(str(uuid_utils.uuid7()), "indexed") for _ in range(3)]
        docs.append((str(uuid_utils.uuid7()), "failed"))
        for document_id, status in docs:
            await es.index(
                index=index, id=document_id, document={"document_id": document_id, "status": status}
            )
        await es.indices.refresh(index=index)
        snapshot = await read_statuses(es, index)
        assert snapshot.counts == {
            "received": 0,
            "stored": 1,
            "extracting": 1,
            "transcribing": 0,
            "indexed": 3,
            "failed": 1,
        }
        assert 0 < snapshot.oldest_pending_age_s < 60
    finally:
        await es.options(ignore_status=404).indices.delete(index=index)
        await es.close()


def test_statuses_and_the_oldest_pending_document_from_elasticsearch() -> None:
    settings: CommonSettings = settings_for(stack_env_for(new_prefix("lxo")))
    asyncio.run(_status_scenario(settings))

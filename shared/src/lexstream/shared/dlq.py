"""Replay a dead-letter topic: ``python -m lexstream.shared.dlq replay --topic T.dlq``.

Each DLQ message is published back to the topic it failed on (its
``x-lexstream-original-topic`` header), with the error headers removed, and the replay
group's offset is committed only after the publish was acknowledged.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from elasticsearch import AsyncElasticsearch

from lexstream.shared.holds import DocumentHeld, HoldGuard
from lexstream.shared.kafka import (
    DLQ_ERROR,
    DLQ_ERROR_TYPE,
    DLQ_FAILED_AT,
    DLQ_ORIGINAL_TOPIC,
    DLQ_STAGE,
)
from lexstream.shared.logs import setup_logging
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore
from lexstream.shared.transport import kafka_client_options

log = logging.getLogger(__name__)
HELD = "x-lexstream-held"
_DROP = {HELD, DLQ_ERROR, DLQ_ERROR_TYPE, DLQ_FAILED_AT, DLQ_ORIGINAL_TOPIC, DLQ_STAGE}


#: checks a message's key (the document id) before it is replayed; raises DocumentHeld
ReplayGuard = Callable[[bytes | None], Awaitable[None]]


def replay_guard(
    es: AsyncElasticsearch, store: ObjectStore, settings: CommonSettings
) -> ReplayGuard:
    """The legal-hold check of a replay: a replayed message redoes its document's work
    (text, transcript, search document written again), so a document under hold is not
    replayed (:class:`lexstream.shared.holds.DocumentHeld`)."""
    guard = HoldGuard(es, store, settings)

    async def check(key: bytes | None) -> None:
        if key:
            await guard.check(key.decode(errors="replace"))

    return check


async def replay(
    settings: CommonSettings,
    dlq_topic: str,
    *,
    limit: int | None = None,
    idle_s: float = 5.0,
    guard: ReplayGuard | None = None,
) -> int:
    """Re-publish up to ``limit`` DLQ messages; returns how many were replayed.

    Only the messages in the DLQ when the replay starts are replayed: one that fails again
    lands behind them and waits for the next replay (else a poison message would circle
    between the topic and its DLQ for ever). A message whose document ``guard`` finds under
    legal hold is put back at the end of the DLQ instead (header ``x-lexstream-held``), for
    a replay after the hold is released.
    """
    consumer = AIOKafkaConsumer(
        **kafka_client_options(settings),
        group_id=f"{settings.topic_prefix}-dlq-replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(
        **kafka_client_options(settings), acks="all", enable_idempotence=True
    )
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        # the producer fetches the topic's metadata (an unsubscribed consumer has none)
        partitions = [
            TopicPartition(dlq_topic, p) for p in sorted(await producer.partitions_for(dlq_topic))
        ]
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        while limit is None or replayed < limit:
            remaining = [tp for tp in partitions if await consumer.position(tp) < end[tp]]
            if not remaining:
                break
            batch = await consumer.getmany(
                *remaining, timeout_ms=int(idle_s * 1000), max_records=100
            )
            if not batch:
                break
            done: dict[TopicPartition, int] = {}
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= end[tp] or (limit is not None and replayed >= limit):
                        break
                    headers = dict(record.headers or [])
                    original = headers.get(DLQ_ORIGINAL_TOPIC, b"").decode()
                    if not original:
                        original = dlq_topic.removesuffix(".dlq")
                    kept = [(k, v) for k, v in (record.headers or []) if k not in _DROP]
                    try:
                        if guard is not None:
                            await guard(record.key)
                    except DocumentHeld as exc:
                        log.info("dlq message held", extra={"document_id": exc.document_id})
                        back = [*(record.headers or []), (HELD, ",".join(exc.hold_ids).encode())]
                        await producer.send_and_wait(
                            dlq_topic, record.value, key=record.key, headers=back
                        )
                        done[tp] = record.offset + 1
                        continue
                    await producer.send_and_wait(
                        original, record.value, key=record.key, headers=kept
                    )
                    replayed += 1
                    done[tp] = record.offset + 1
            if done:
                await consumer.commit(done)
            for tp in batch:
                # records fetched past the end or the limit are read again next time
                consumer.seek(tp, done.get(tp, end[tp]))
    finally:
        await producer.stop()
        await consumer.stop()
    log.info("dlq replayed", extra={"topic": dlq_topic, "count": replayed})
    return replayed


async def _replay_guarded(settings: CommonSettings, topic: str, limit: int | None) -> int:
    es = make_search_client(settings)
    try:
        guard = replay_guard(es, ObjectStore(settings), settings)
        return await replay(settings, topic, limit=limit, guard=guard)
    finally:
        await es.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lexstream.shared.dlq")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("replay", help="re-publish a DLQ's messages to their original topic")
    cmd.add_argument(
        "--topic", required=True, help="the DLQ topic, e.g. lexstream.ocr.requested.v1.dlq"
    )
    cmd.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    settings = CommonSettings()
    setup_logging("dlq", settings.log_level)
    count = asyncio.run(_replay_guarded(settings, args.topic, args.limit))
    log.info("done", extra={"replayed": count})


if __name__ == "__main__":
    main()

"""The StageRunner's decisions, on FastStream's in-memory broker (no Kafka, runs in seconds).

One subscriber runs a scripted stage through :class:`StageRunner`; subscribers on
``<topic>.dlq`` and ``documents.failed`` in the same :class:`TestKafkaBroker` record what the
runner published, so each test asserts on the messages the broker saw: retried and done, left
uncommitted for redelivery, or dead-lettered with a reason a person can read.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import AckStatus
from tests.support.factories import ocr_requested

from lexstream.shared.errors import PermanentError, TransientError
from lexstream.shared.events import DocumentFailed, OcrRequested, Stage, Topics
from lexstream.shared.kafka import (
    DLQ_ERROR,
    DLQ_ERROR_TYPE,
    DLQ_ORIGINAL_TOPIC,
    DLQ_STAGE,
    StageRunner,
    publish_event,
)
from lexstream.shared.settings import CommonSettings

ATTEMPTS = 3


@dataclass
class Pipeline:
    """The broker under test and everything it saw."""

    broker: KafkaBroker
    topics: Topics
    outcomes: dict[str, list[Exception | None]] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    consumed: list[KafkaMessage] = field(default_factory=list)
    dlq: list[KafkaMessage] = field(default_factory=list)
    failed: list[DocumentFailed] = field(default_factory=list)

    def script(self, document_id: str, *outcomes: Exception | None) -> None:
        """What the stage does on each attempt for this document: raise, or (None) succeed."""
        self.outcomes[document_id] = list(outcomes)

    async def work(self, event: OcrRequested) -> None:
        self.attempts[event.document_id] = self.attempts.get(event.document_id, 0) + 1
        outcome = self.outcomes.get(event.document_id, [None]).pop(0)
        if outcome is not None:
            raise outcome
        self.done.append(event.document_id)


@pytest.fixture
async def pipeline() -> AsyncIterator[Pipeline]:
    settings = CommonSettings(retry_attempts=ATTEMPTS, retry_max_wait_s=0)
    broker = KafkaBroker()
    topics = Topics("lxmem")
    runner = StageRunner(broker, topics, Stage.OCR, settings)
    seen = Pipeline(broker, topics)

    @broker.subscriber(topics.ocr_requested, group_id="ocr", ack_policy=AckPolicy.NACK_ON_ERROR)
    async def on_requested(message: KafkaMessage) -> None:
        seen.consumed.append(message)
        await runner.run(message, OcrRequested, seen.work)

    @broker.subscriber(Topics.dlq(topics.ocr_requested), group_id="observer")
    async def on_dlq(message: KafkaMessage) -> None:
        seen.dlq.append(message)

    @broker.subscriber(topics.failed, group_id="observer")
    async def on_failed(event: DocumentFailed) -> None:
        seen.failed.append(event)

    async with TestKafkaBroker(broker):
        yield seen


def _only(items: list[KafkaMessage], what: str) -> KafkaMessage:
    assert len(items) == 1, f"expected one {what}, saw {len(items)}"
    return items[0]


def _assert_dead_lettered(
    seen: Pipeline, error_type: str, reason: Callable[[str], bool]
) -> KafkaMessage:
    """One DLQ message: the consumed bytes as they were, with why in its headers."""
    consumed = _only(seen.consumed, "consumed message")
    dead = _only(seen.dlq, "DLQ message")
    assert dead.body == consumed.body, "the DLQ keeps the original bytes, for a replay"
    assert dead.headers[DLQ_ORIGINAL_TOPIC] == seen.topics.ocr_requested
    assert dead.headers[DLQ_STAGE] == "ocr"
    assert dead.headers[DLQ_ERROR_TYPE] == error_type
    assert reason(dead.headers[DLQ_ERROR]), dead.headers[DLQ_ERROR]
    assert seen.done == []
    # handled: the message is committed, so the consumer moves on to the next one
    assert consumed.committed is AckStatus.ACKED
    return dead


async def test_a_transient_error_is_retried_and_then_succeeds(pipeline: Pipeline) -> None:
    event = ocr_requested()
    pipeline.script(event.document_id, TransientError("S3 unreachable"), ConnectionError(), None)

    await publish_event(pipeline.broker, pipeline.topics.ocr_requested, event)

    assert pipeline.attempts[event.document_id] == 3
    assert pipeline.done == [event.document_id]
    assert _only(pipeline.consumed, "consumed message").committed is AckStatus.ACKED
    assert pipeline.dlq == []
    assert pipeline.failed == []


async def test_a_transient_error_beyond_the_cap_is_left_for_redelivery(
    pipeline: Pipeline,
) -> None:
    event = ocr_requested()
    pipeline.script(event.document_id, *[TransientError("Elasticsearch down")] * (ATTEMPTS + 1))

    with pytest.raises(TransientError, match="Elasticsearch down"):
        await publish_event(pipeline.broker, pipeline.topics.ocr_requested, event)

    assert pipeline.attempts[event.document_id] == ATTEMPTS
    # NACKed: not committed, so Kafka delivers it again; and neither dead-lettered nor failed
    assert _only(pipeline.consumed, "consumed message").committed is AckStatus.NACKED
    assert pipeline.dlq == []
    assert pipeline.failed == []
    assert pipeline.done == []


async def test_a_permanent_error_goes_to_the_dlq_and_fails_the_document(
    pipeline: Pipeline,
) -> None:
    event = ocr_requested(matter_id="M-1", filename="locked.pdf")
    pipeline.script(event.document_id, PermanentError("the PDF is encrypted"))

    await publish_event(pipeline.broker, pipeline.topics.ocr_requested, event)

    assert pipeline.attempts[event.document_id] == 1, "a permanent error is never retried"
    dead = _assert_dead_lettered(pipeline, "PermanentError", lambda r: r == "the PDF is encrypted")
    assert OcrRequested.model_validate_json(dead.body) == event
    (failed,) = pipeline.failed
    assert (failed.document_id, failed.matter_id, failed.stage) == (
        event.document_id,
        "M-1",
        Stage.OCR,
    )
    assert failed.reason == "the PDF is encrypted"
    assert failed.filename == "locked.pdf"


async def test_an_undecodable_message_goes_to_the_dlq(pipeline: Pipeline) -> None:
    await pipeline.broker.publish(b"{not json", pipeline.topics.ocr_requested, key=b"k")

    dead = _assert_dead_lettered(
        pipeline, "InvalidMessage", lambda r: r.startswith("invalid OcrRequested")
    )
    assert dead.body == b"{not json"
    assert pipeline.failed == [], "no document id to fail: the DLQ alone keeps it"


async def test_an_invalid_message_with_a_document_id_fails_that_document(
    pipeline: Pipeline,
) -> None:
    body = json.dumps({"document_id": "doc-x", "matter_id": "M-2", "filename": 7}).encode()
    await pipeline.broker.publish(body, pipeline.topics.ocr_requested, key=b"doc-x")

    dead = _assert_dead_lettered(pipeline, "InvalidMessage", lambda r: "original" in r)
    assert dead.body == body
    (failed,) = pipeline.failed
    assert (failed.document_id, failed.matter_id) == ("doc-x", "M-2")
    assert failed.reason.startswith("invalid OcrRequested message: ")
    assert failed.error_type == "InvalidMessage"


async def test_an_unknown_schema_version_is_permanent(pipeline: Pipeline) -> None:
    payload = ocr_requested(document_id="doc-v7").model_dump_event()
    payload["schema_version"] = 7
    body = json.dumps(payload).encode()

    await pipeline.broker.publish(body, pipeline.topics.ocr_requested, key=b"doc-v7")

    assert pipeline.attempts == {}, "the stage never sees a message it cannot read"
    dead = _assert_dead_lettered(
        pipeline, "InvalidMessage", lambda r: "unsupported schema_version 7" in r
    )
    assert dead.body == body
    (failed,) = pipeline.failed
    assert failed.document_id == "doc-v7"
    assert "unsupported schema_version 7" in failed.reason


async def test_an_unexpected_exception_is_dead_lettered_not_retried(pipeline: Pipeline) -> None:
    event = ocr_requested()
    pipeline.script(event.document_id, ZeroDivisionError("division by zero"))

    await publish_event(pipeline.broker, pipeline.topics.ocr_requested, event)

    assert pipeline.attempts[event.document_id] == 1
    _assert_dead_lettered(
        pipeline, "ZeroDivisionError", lambda r: "ZeroDivisionError: division by zero" in r
    )
    assert pipeline.failed[0].reason.startswith("ocr could not process this document")

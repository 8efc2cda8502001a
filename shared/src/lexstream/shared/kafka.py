"""Kafka: the broker factory, event publishing and the guarded stage runner.

The runner is what makes every handler at-least-once and safe with poison messages:
transient failures retry with backoff and a cap and then leave the message uncommitted
(FastStream's ``NACK_ON_ERROR`` re-delivers it); permanent failures - the input's fault,
undecodable payloads, unknown schema versions - go to ``<topic>.dlq`` with the error, and a
``documents.failed`` event names the reason where a document id is known.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from opentelemetry import metrics, trace
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from lexstream.shared.errors import PermanentError, is_transient
from lexstream.shared.events import DocumentFailed, Event, Stage, Topics
from lexstream.shared.settings import CommonSettings
from lexstream.shared.telemetry import Telemetry
from lexstream.shared.transport import kafka_client_options, kafka_security

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# Header names used on DLQ messages.
DLQ_ORIGINAL_TOPIC = "x-lexstream-original-topic"
DLQ_ERROR = "x-lexstream-error"
DLQ_ERROR_TYPE = "x-lexstream-error-type"
DLQ_STAGE = "x-lexstream-stage"
DLQ_FAILED_AT = "x-lexstream-failed-at"


def make_broker(settings: CommonSettings, telemetry: Telemetry, *, client_id: str) -> KafkaBroker:
    """A broker with trace propagation and acks=all (see below for idempotence).

    TLS and SASL come from the settings (:func:`lexstream.shared.transport.kafka_security`).
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=kafka_security(settings),
        client_id=client_id,
        acks="all",
        # Not aiokafka's idempotent producer: after a broker restart it can fail every later
        # send with OutOfOrderSequenceNumber and never recover (seen in the Kafka-outage fault
        # test: uploads answered 503 for good). acks=all keeps every acknowledged write; a
        # duplicate from a producer retry is absorbed downstream, where every handler is
        # idempotent and writes are keyed by document_id.
        enable_idempotence=False,
        max_request_size=4 * 1024 * 1024,
        middlewares=[
            KafkaTelemetryMiddleware(
                tracer_provider=telemetry.tracer_provider,
                meter_provider=telemetry.meter_provider,
            )
        ],
        logger=logging.getLogger(f"lexstream.{client_id}.broker"),
        log_level=logging.DEBUG,
    )


async def ensure_topics(settings: CommonSettings, names: list[str]) -> None:
    """Create the topics a service consumes (and their DLQs) if they are missing.

    A consumer that subscribes to a topic before it exists only notices it at its next
    metadata refresh; creating them up front keeps the first document fast.
    """
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(**kafka_client_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [n for name in names for n in (name, Topics.dlq(name)) if n not in existing]
        if wanted:
            new = [
                NewTopic(n, settings.kafka_partitions, settings.kafka_replication_factor)
                for n in wanted
            ]
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(new)
    finally:
        await admin.close()


def subscriber_options(settings: CommonSettings, service: str) -> dict[str, Any]:
    """At-least-once consumption: commit only after the handler returned."""
    return {
        "group_id": f"{settings.topic_prefix}-{service}",
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "max_poll_interval_ms": settings.kafka_max_poll_interval_ms,
        # a service's subscribers share its group: each joining one is a rebalance the others
        # hear of at their next heartbeat (index starts six; at 3 s each, 17 s of its start)
        "heartbeat_interval_ms": settings.kafka_heartbeat_interval_ms,
    }


async def publish_event(broker: KafkaBroker, topic: str, event: Event) -> None:
    """Publish an event keyed by its document id (one document's events stay in order)."""
    await broker.publish(
        event.model_dump_event(),
        topic,
        key=event.document_id.encode(),
        headers={"event-type": event.event_type},
    )


def _document_fields(body: bytes) -> dict[str, Any]:
    """Best-effort envelope fields from a payload we could not parse as its model."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    fields: dict[str, Any] = {}
    for key in ("document_id", "tenant", "matter_id", "parent_document_id"):
        value = data.get(key)
        if isinstance(value, str) and value:
            fields[key] = value
    return fields


def describe_validation_error(model: type[BaseModel], exc: ValidationError) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'message'}: {err['msg']}"
        for err in exc.errors()[:5]
    )
    return f"invalid {model.__name__} message: {problems}"


def decode(body: bytes, model: type[M]) -> M:
    """Decode a payload into its model; anything undecodable is a permanent error."""
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise PermanentError(
            describe_validation_error(model, exc), error_type="InvalidMessage"
        ) from exc


class StageRunner:
    """Runs one stage's handler with retries, DLQ routing and failure events."""

    def __init__(
        self,
        broker: KafkaBroker,
        topics: Topics,
        stage: Stage,
        settings: CommonSettings,
    ) -> None:
        self.broker = broker
        self.topics = topics
        self.stage = stage
        self.settings = settings
        meter = metrics.get_meter("lexstream.pipeline")
        self._processed = meter.create_counter(
            "lexstream.documents.processed", description="messages handled successfully"
        )
        self._failures = meter.create_counter(
            "lexstream.failures", description="permanent failures by stage and reason"
        )
        self._retries = meter.create_counter(
            "lexstream.retries", description="transient failures that were retried"
        )
        self._dlq = meter.create_counter(
            "lexstream.dlq.messages", description="messages sent to DLQ"
        )
        self._duration = meter.create_histogram(
            "lexstream.stage.duration", unit="s", description="time to handle one message"
        )

    async def run(
        self,
        message: KafkaMessage,
        model: type[M],
        work: Callable[[M], Awaitable[None]],
        *,
        on_failed: Callable[[M | None, DocumentFailed], Awaitable[None]] | None = None,
    ) -> None:
        topic = message.raw_message.topic if message.raw_message is not None else "unknown"  # type: ignore[union-attr]
        body: bytes = message.body
        event: M | None = None
        started = time.perf_counter()
        span = trace.get_current_span()
        span.set_attribute("lexstream.stage", self.stage.value)
        try:
            event = decode(body, model)
            document_id = getattr(event, "document_id", None)
            if isinstance(document_id, str):
                span.set_attribute("lexstream.document_id", document_id)
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(is_transient),
                stop=stop_after_attempt(self.settings.retry_attempts),
                wait=wait_exponential(multiplier=0.5, max=self.settings.retry_max_wait_s),
                before_sleep=lambda _state: self._note_retry(topic),
                reraise=True,
            ):
                with attempt:
                    await work(event)
            self._processed.add(1, {"stage": self.stage.value, "topic": topic})
            self._duration.record(
                time.perf_counter() - started, {"stage": self.stage.value, "outcome": "ok"}
            )
        except PermanentError as exc:
            await self._fail(topic, body, message, event, exc.reason, exc.error_type, on_failed)
        except Exception as exc:
            if is_transient(exc):
                log.warning(
                    "transient failure, message left for redelivery",
                    extra={"topic": topic, "error_type": type(exc).__name__},
                )
                raise
            # A bug or an input nobody anticipated: never a crash loop, never dropped.
            log.exception("unexpected error, message sent to the DLQ", extra={"topic": topic})
            reason = (
                f"{self.stage.value} could not process this document ({type(exc).__name__}: {exc})"
            )
            await self._fail(
                topic, body, message, event, reason[:2000], type(exc).__name__, on_failed
            )

    def _note_retry(self, topic: str) -> None:
        self._retries.add(1, {"stage": self.stage.value, "topic": topic})
        log.warning("retrying after a transient failure", extra={"topic": topic})

    async def _fail(
        self,
        topic: str,
        body: bytes,
        message: KafkaMessage,
        event: M | None,
        reason: str,
        error_type: str,
        on_failed: Callable[[M | None, DocumentFailed], Awaitable[None]] | None,
    ) -> None:
        self._failures.add(1, {"stage": self.stage.value, "reason": error_type})
        span = trace.get_current_span()
        span.set_attribute("lexstream.failure_reason", reason[:500])
        span.set_status(trace.Status(trace.StatusCode.ERROR, error_type))
        headers = {k: v for k, v in (message.headers or {}).items() if isinstance(v, str)}
        headers.update(
            {
                DLQ_ORIGINAL_TOPIC: topic,
                DLQ_ERROR: reason[:4000],
                DLQ_ERROR_TYPE: error_type,
                DLQ_STAGE: self.stage.value,
                DLQ_FAILED_AT: datetime.now(UTC).isoformat(),
            }
        )
        raw_key = getattr(message.raw_message, "key", None)
        await self.broker.publish(body, Topics.dlq(topic), key=raw_key, headers=headers)
        self._dlq.add(1, {"topic": topic})
        log.warning(
            "permanent failure", extra={"topic": topic, "error_type": error_type, "reason": reason}
        )
        fields = event.model_dump() if isinstance(event, Event) else _document_fields(body)
        document_id = fields.get("document_id")
        if not document_id:
            return
        failed = DocumentFailed(
            document_id=document_id,
            tenant=fields.get("tenant") or self.settings.tenant,
            matter_id=fields.get("matter_id"),
            parent_document_id=fields.get("parent_document_id"),
            stage=self.stage,
            reason=reason,
            error_type=error_type,
            filename=fields.get("filename"),
        )
        if on_failed is not None:
            await on_failed(event, failed)
        await publish_event(self.broker, self.topics.failed, failed)

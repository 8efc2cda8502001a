"""The batch consumer of ``text.extracted`` and ``transcript.ready``.

FastStream hands over up to ``batch_max_docs`` records at once (``batch=True``); the batch
is committed only after this returns, so at-least-once holds: nothing is committed before
its search document and status record are written. Each record still goes through the
:class:`StageRunner` (decode, retries, DLQ, ``documents.failed``), twice:

1. prepare: read the artefact and extract (concurrently, bounded); a record whose input is bad
   goes to the DLQ alone and the others carry on;
2. after one bulk write of everything prepared: a document Elasticsearch refused for good
   (e.g. a mapping error) is failed through the runner the same way; the rest are announced
   on ``documents.indexed``.

Transient trouble that outlasts the retries (Elasticsearch answering 429/5xx, S3 down) raises,
so FastStream rewinds the batch and it is delivered again; writes are keyed by document_id, so
the replay never makes a second hit.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

from lexstream.index.extraction import EXTRACTOR_VERSION
from lexstream.index.indexer import Indexer, Prepared, SourceEvent, common_fields
from lexstream.shared.errors import PermanentError
from lexstream.shared.events import DocumentIndexed, Topics
from lexstream.shared.kafka import StageRunner, publish_event

E = TypeVar("E", bound=SourceEvent)

_tracer = trace.get_tracer("lexstream.index")


def record_context(single: KafkaMessage) -> otel_context.Context:
    """The trace context the record's producer sent, so each document stays in its own trace
    (a batch span can only have one parent)."""
    return propagate.extract(dict(single.headers or {}))


def split_batch(message: KafkaMessage) -> list[KafkaMessage]:
    """One message per record of a batch, so the runner can handle (and DLQ) each alone
    (aiokafka's batch is a tuple of records, FastStream's ``TestKafkaBroker`` hands a list)."""
    raw: Any = message.raw_message
    records = raw if isinstance(raw, tuple | list) else (raw,)
    return [
        KafkaMessage(
            record,
            record.value or b"",
            headers={k: v.decode(errors="replace") for k, v in (record.headers or ())},
            consumer=message.consumer,
        )
        for record in records
    ]


class BatchIndexStage:
    def __init__(
        self,
        runner: StageRunner,
        indexer: Indexer,
        broker: KafkaBroker,
        topics: Topics,
        *,
        concurrency: int,
    ) -> None:
        self.runner = runner
        self.indexer = indexer
        self.broker = broker
        self.topics = topics
        self.concurrency = concurrency

    async def run(self, message: KafkaMessage, model: type[E]) -> None:
        singles = split_batch(message)
        prepared: dict[int, Prepared] = {}
        limit = asyncio.Semaphore(self.concurrency)

        def preparer(position: int) -> Any:
            async def prepare(event: E) -> None:
                async with limit:
                    prepared[position] = await self.indexer.prepare(event)

            return prepare

        contexts = [record_context(single) for single in singles]

        async def prepare_one(position: int) -> None:
            with _tracer.start_as_current_span(
                "index prepare", context=contexts[position], kind=trace.SpanKind.CONSUMER
            ):
                await self.runner.run(singles[position], model, preparer(position))

        try:
            async with asyncio.TaskGroup() as group:
                for position in range(len(singles)):
                    group.create_task(prepare_one(position))
        except BaseExceptionGroup as group_error:
            # Transient trouble outlasted the runner's retries: redeliver the whole batch.
            raise group_error.exceptions[0] from None

        ready = [prepared[position] for position in sorted(prepared)]
        refused, dropped = await self.indexer.write_live(ready)
        await asyncio.gather(
            *(
                self._announce(prepared[position], contexts[position])
                for position in sorted(prepared)
                if prepared[position].document_id not in refused
                and prepared[position].document_id not in dropped
            )
        )
        for position in sorted(prepared):
            reason = refused.get(prepared[position].document_id)
            if reason is not None:
                with _tracer.start_as_current_span("index refused", context=contexts[position]):
                    await self.runner.run(singles[position], model, _refuse(reason))

    async def _announce(self, prepared: Prepared, parent: otel_context.Context) -> None:
        event = prepared.event
        with _tracer.start_as_current_span(
            "index announce",
            context=parent,
            attributes={"lexstream.document_id": event.document_id},
        ):
            await self._publish_indexed(prepared)

    async def _publish_indexed(self, prepared: Prepared) -> None:
        event = prepared.event
        await publish_event(
            self.broker,
            self.topics.indexed,
            DocumentIndexed(
                document_id=event.document_id,
                **common_fields(event),
                index=self.indexer.alias,
                extractor_version=EXTRACTOR_VERSION,
            ),
        )


def _refuse(reason: str) -> Any:
    async def refuse(_event: SourceEvent) -> None:
        raise PermanentError(reason, error_type="IndexRejected")

    return refuse

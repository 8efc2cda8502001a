"""The in-memory tier's stand-ins: an object store over a dict and a collector of what is
published to a topic, for tests that run the real stages on FastStream's ``TestKafkaBroker``
(ingest's routing, the index, ocr and transcribe routers); and what those router tests share:
a stage's harness on a broker (:class:`StageHarness`, made by :func:`wire`), which collects
its failures, and the checks of a failure event and a dead letter."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from minio.error import S3Error
from pydantic import BaseModel
from typing_extensions import override

from lexstream.shared.events import ExtractionRequested, ObjectRef, Stage, Topics
from lexstream.shared.kafka import DLQ_ERROR, DLQ_ERROR_TYPE, DLQ_ORIGINAL_TOPIC, StageRunner
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

S = TypeVar("S", bound=CommonSettings)


def _missing(ref: ObjectRef) -> S3Error:
    return S3Error(None, "NoSuchKey", "no such key", ref.key, "", "")  # type: ignore[arg-type]


class MemoryStore(ObjectStore):
    """The object store's interface over a dict (no S3 client is ever called): keys and
    buckets as in :class:`ObjectStore`, a missing object raises S3's ``NoSuchKey``."""

    def __init__(self, settings: CommonSettings | None = None) -> None:
        super().__init__(settings or CommonSettings())
        self.objects: dict[tuple[str, str], bytes] = {}
        self.content_types: dict[tuple[str, str], str] = {}

    def put_original(self, key: str, data: bytes) -> ObjectRef:
        """Put ``data`` in the originals bucket at once (a test's arrangement)."""
        ref = ObjectRef(bucket=self.originals, key=key)
        self.objects[ref.bucket, ref.key] = data
        return ref

    def read(self, ref: ObjectRef) -> bytes:
        return self.objects[ref.bucket, ref.key]

    @override
    async def exists(self, ref: ObjectRef) -> bool:
        return (ref.bucket, ref.key) in self.objects

    @override
    async def put_file(
        self,
        ref: ObjectRef,
        path: Path,
        *,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        await self.put_bytes(
            ref, await asyncio.to_thread(path.read_bytes), content_type=content_type
        )

    @override
    async def put_bytes(self, ref: ObjectRef, data: bytes, *, content_type: str) -> None:
        self.objects[ref.bucket, ref.key] = data
        self.content_types[ref.bucket, ref.key] = content_type

    @override
    async def create_json(self, ref: ObjectRef, payload: Any) -> bool:
        if (ref.bucket, ref.key) in self.objects:
            return False
        await self.put_json(ref, payload)
        return True

    @override
    async def remove(self, ref: ObjectRef) -> None:
        self.objects.pop((ref.bucket, ref.key), None)
        self.content_types.pop((ref.bucket, ref.key), None)

    @override
    async def remove_prefix(self, bucket: str, prefix: str) -> int:
        names = [key for b, key in self.objects if b == bucket and key.startswith(prefix)]
        for key in names:
            await self.remove(ObjectRef(bucket=bucket, key=key))
        return len(names)

    @override
    async def get_bytes(self, ref: ObjectRef) -> bytes:
        try:
            return self.objects[ref.bucket, ref.key]
        except KeyError:
            raise _missing(ref) from None

    @override
    async def download(self, ref: ObjectRef, path: Path) -> None:
        await asyncio.to_thread(path.write_bytes, await self.get_bytes(ref))


@dataclass
class Published:
    """One message as it was published: its decoded body, key and headers."""

    body: Any
    raw: bytes
    key: bytes | None
    headers: dict[str, Any]


def collect(broker: KafkaBroker, topic: str) -> list[Published]:
    """Every message published to ``topic`` from now on (subscribe before the test broker
    starts)."""
    seen: list[Published] = []

    @broker.subscriber(topic)
    async def _collect(message: KafkaMessage) -> None:
        try:
            body = json.loads(message.body)
        except ValueError:
            body = None
        key = getattr(message.raw_message, "key", None)
        seen.append(Published(body, message.body, key, dict(message.headers or {})))

    return seen


@dataclass
class StageHarness(Generic[S]):
    """One stage's side of a test broker: its settings, topics, object store and runner, and
    what its failures publish: the ``documents.failed`` events (``failed``) and the dead
    letters of the topic it ``consumes`` (``dlq``). A subclass names that topic and declares
    each other topic its tests read as a field that is not an argument and ``collects`` it:
    ``extracted: list[Published] = field(init=False, metadata={"collects": "text_extracted"})``
    (the attribute of :class:`Topics` naming the topic), filled from the harness's start."""

    consumes: ClassVar[str]  # the attribute of Topics naming the topic the stage consumes

    settings: S
    broker: KafkaBroker
    topics: Topics
    store: MemoryStore
    runner: StageRunner
    failed: list[Published] = field(init=False, metadata={"collects": "failed"})
    dlq: list[Published] = field(init=False)

    def __post_init__(self) -> None:
        for each in fields(self):
            if "collects" in each.metadata:
                topic = getattr(self.topics, each.metadata["collects"])
                setattr(self, each.name, self.collect(topic))
        self.dlq = self.collect(Topics.dlq(getattr(self.topics, self.consumes)))

    def collect(self, topic: str) -> list[Published]:
        """What is published to ``topic`` from now on (before the test broker starts)."""
        return collect(self.broker, topic)


H = TypeVar("H", bound=StageHarness[Any])


def wire(harness: type[H], settings_class: type[CommonSettings], stage: Stage, **own: Any) -> H:
    """``harness`` for ``stage`` on a new broker: a topic prefix per test, as FastStream's own
    tests do; two quick attempts; the object store in memory; ``own``, the harness's own fields.
    Include the stage's router, then start the test broker."""
    settings = settings_class(
        topic_prefix=f"t{secrets.token_hex(4)}", retry_attempts=2, retry_max_wait_s=0.01
    )
    broker = KafkaBroker()
    topics = Topics(settings.topic_prefix)
    runner = StageRunner(broker, topics, stage, settings)
    return harness(settings, broker, topics, MemoryStore(settings), runner, **own)


def assert_body(published: Published, **fields: Any) -> None:
    """Each of ``fields`` is in the published body with exactly that value."""
    got = {name: published.body[name] for name in fields}
    assert got == fields, f"published {got}, expected {fields}"


def assert_dead_letter(
    dead: Published,
    message: BaseModel,
    *,
    error: str | None = None,
    error_type: str | None = None,
    original_topic: str | None = None,
) -> None:
    """``dead`` is ``message`` unchanged, with the DLQ headers given (those not None)."""
    assert type(message).model_validate_json(dead.raw) == message, (
        f"dead letter {dead.raw!r} is not the message {message!r}"
    )
    expected = {DLQ_ERROR: error, DLQ_ERROR_TYPE: error_type, DLQ_ORIGINAL_TOPIC: original_topic}
    for header, value in expected.items():
        if value is not None:
            assert dead.headers[header] == value, (
                f"dead letter header {header}: {dead.headers[header]!r}, expected {value!r}"
            )


def assert_failed_for_good(
    harness: StageHarness[Any],
    message: ExtractionRequested,
    *,
    stage: str,
    reason: str,
    error_type: str,
    original_topic: str | None = None,
    **body: Any,
) -> None:
    """The stage failed ``message`` for good: one ``documents.failed`` event of its document
    at ``stage`` with ``reason``, ``error_type`` and ``body``'s fields, and the message itself,
    unchanged, the one dead letter, carrying that reason and type (and ``original_topic``)."""
    [failed] = harness.failed
    assert_body(
        failed,
        document_id=message.document_id,
        stage=stage,
        reason=reason,
        error_type=error_type,
        **body,
    )
    [dead] = harness.dlq
    assert_dead_letter(
        dead, message, error=reason, error_type=error_type, original_topic=original_topic
    )


def assert_invalid_dead_letters(dlq: list[Published], first: bytes, count: int) -> None:
    """``count`` dead letters, the first of them ``first`` as it was sent, every one an
    ``InvalidMessage``."""
    assert [d.raw for d in dlq][:1] == [first], f"first dead letter: {dlq[:1]}"
    assert len(dlq) == count, f"{len(dlq)} dead letters, expected {count}"
    types = {d.headers[DLQ_ERROR_TYPE] for d in dlq}
    assert types == {"InvalidMessage"}, f"dead letter error types: {types}"

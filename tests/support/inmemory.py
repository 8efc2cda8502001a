"""The in-memory tier's stand-ins: an object store over a dict and a collector of what is
published to a topic, for tests that run the real stages on FastStream's ``TestKafkaBroker``
(ingest's routing, the ocr and transcribe routers)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from minio.error import S3Error
from typing_extensions import override

from lexstream.shared.events import ObjectRef
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore


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

"""What a router test with ``TestKafkaBroker`` needs besides the broker: an object store in
memory with the methods the ocr and transcribe stages call (keys and buckets as in
``ObjectStore``), and a collector of what is published to a topic."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from lexstream.shared.events import ObjectRef


@dataclass
class MemoryStore:
    originals: str = "originals"
    derived: str = "derived"
    objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    content_types: dict[tuple[str, str], str] = field(default_factory=dict)

    def put_original(self, key: str, data: bytes) -> ObjectRef:
        ref = ObjectRef(bucket=self.originals, key=key)
        self.objects[ref.bucket, ref.key] = data
        return ref

    def read(self, ref: ObjectRef) -> bytes:
        return self.objects[ref.bucket, ref.key]

    async def exists(self, ref: ObjectRef) -> bool:
        return (ref.bucket, ref.key) in self.objects

    async def download(self, ref: ObjectRef, path: Path) -> None:
        path.write_bytes(self.objects[ref.bucket, ref.key])  # noqa: ASYNC240 (small, in memory)

    async def get_json_if_exists(self, ref: ObjectRef) -> Any | None:
        data = self.objects.get((ref.bucket, ref.key))
        return None if data is None else json.loads(data)

    async def put_json(self, ref: ObjectRef, payload: Any) -> None:
        await self.put_bytes(ref, json.dumps(payload).encode(), content_type="application/json")

    async def put_bytes(self, ref: ObjectRef, data: bytes, *, content_type: str) -> None:
        self.objects[ref.bucket, ref.key] = data
        self.content_types[ref.bucket, ref.key] = content_type

    async def put_file(self, ref: ObjectRef, path: Path, *, content_type: str) -> None:
        data = path.read_bytes()  # noqa: ASYNC240 (a test's small file)
        await self.put_bytes(ref, data, content_type=content_type)


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

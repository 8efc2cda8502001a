"""Object storage over the S3 API (MinIO in deployments) with the minio client.

The minio client is synchronous; calls run in a worker thread so handlers stay async.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from minio import Minio
from minio.error import S3Error
from opentelemetry import trace

from lexstream.shared.events import ObjectRef
from lexstream.shared.settings import CommonSettings
from lexstream.shared.transport import s3_http_client

CHUNK = 1024 * 1024
_tracer = trace.get_tracer("lexstream.storage")
PART_SIZE = 16 * 1024 * 1024
_MISSING = frozenset({"NoSuchKey", "NoSuchObject", "NotFound", "NoSuchBucket"})


def original_key(sha256: str) -> str:
    """Content address of an original: ``sha256/<first two hex>/<sha256>``."""
    return f"sha256/{sha256[:2]}/{sha256}"


def derived_key(document_id: str, name: str) -> str:
    return f"{document_id}/{name}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def attachment_disposition(filename: str | None) -> str:
    """``attachment``, with the name as ASCII and as RFC 5987 UTF-8 (``filename*``).

    ``Brief "v2".pdf`` ->
    ``attachment; filename="Brief v2.pdf"; filename*=UTF-8''Brief%20%22v2%22.pdf``
    """
    if not filename:
        return "attachment"
    name = "".join(c for c in filename if c.isprintable())
    ascii_name = "".join(c for c in name if c.isascii() and c not in '"\\')
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


class ObjectStore:
    def __init__(self, settings: CommonSettings) -> None:
        self.settings = settings
        self.client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
            region=settings.s3_region,
            http_client=s3_http_client(settings),
        )
        self.originals = settings.originals_bucket
        self.derived = settings.derived_bucket

    async def bootstrap(self) -> None:
        """Create the buckets this deployment needs (idempotent)."""
        for bucket in (self.originals, self.derived):
            exists = await asyncio.to_thread(self.client.bucket_exists, bucket)
            if not exists:
                try:
                    await asyncio.to_thread(self.client.make_bucket, bucket)
                except S3Error as exc:
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise

    async def ping(self) -> None:
        await asyncio.to_thread(self.client.bucket_exists, self.originals)

    async def exists(self, ref: ObjectRef) -> bool:
        try:
            await asyncio.to_thread(self.client.stat_object, ref.bucket, ref.key)
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise
        return True

    async def stat(self, ref: ObjectRef) -> Any:
        return await asyncio.to_thread(self.client.stat_object, ref.bucket, ref.key)

    async def put_file(
        self,
        ref: ObjectRef,
        path: Path,
        *,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        with _tracer.start_as_current_span(
            "s3 PutObject", attributes={"s3.bucket": ref.bucket, "s3.key": ref.key}
        ):
            await asyncio.to_thread(self._fput, ref, path, content_type, metadata)

    def _fput(
        self, ref: ObjectRef, path: Path, content_type: str, metadata: Mapping[str, str] | None
    ) -> None:
        self.client.fput_object(
            ref.bucket,
            ref.key,
            str(path),
            content_type=content_type,
            metadata=dict(metadata or {}),
            part_size=PART_SIZE,
        )

    async def put_stream(
        self,
        ref: ObjectRef,
        stream: BinaryIO,
        *,
        length: int,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            ref.bucket,
            ref.key,
            stream,
            length,
            content_type=content_type,
            metadata=dict(metadata or {}),
            part_size=PART_SIZE,
        )

    async def put_bytes(self, ref: ObjectRef, data: bytes, *, content_type: str) -> None:
        await self.put_stream(ref, io.BytesIO(data), length=len(data), content_type=content_type)

    async def put_json(self, ref: ObjectRef, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        await self.put_bytes(ref, data, content_type="application/json")

    async def create_json(self, ref: ObjectRef, payload: Any) -> bool:
        """Put ``payload`` only where no object has the key (``If-None-Match: *``): True if
        this call created it, False if one existed. One writer wins, also across processes,
        where the server honours the condition (MinIO, AWS S3, S3Proxy 4.1 do; ingest checks
        at start, :meth:`honours_create_only`)."""
        data = json.dumps(payload, ensure_ascii=False).encode()
        headers: dict[str, str | list[str] | tuple[str]] = {
            "If-None-Match": "*",
            "Content-Type": "application/json",
        }
        try:
            # minio 7.2's put_object sends no conditional headers; _put_object is its PutObject
            await asyncio.to_thread(self.client._put_object, ref.bucket, ref.key, data, headers)
        except S3Error as exc:
            if exc.code in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise
        return True

    async def honours_create_only(self, bucket: str) -> bool:
        """Whether the server refuses a second :meth:`create_json` of one key (a probe)."""
        ref = ObjectRef(bucket=bucket, key=f"_probe/create-only/{uuid.uuid4().hex}")
        try:
            first = await self.create_json(ref, {"probe": 1})
            second = await self.create_json(ref, {"probe": 2})
        finally:
            await self.remove(ref)
        return first and not second

    async def remove(self, ref: ObjectRef) -> None:
        """Delete an object (no error where there is none)."""
        await asyncio.to_thread(self.client.remove_object, ref.bucket, ref.key)

    async def remove_prefix(self, bucket: str, prefix: str) -> int:
        """Delete every object whose key starts with ``prefix``; how many there were."""

        def _remove() -> int:
            names = [
                o.object_name
                for o in self.client.list_objects(bucket, prefix=prefix, recursive=True)
                if o.object_name
            ]
            for name in names:
                self.client.remove_object(bucket, name)
            return len(names)

        return await asyncio.to_thread(_remove)

    async def get_bytes(self, ref: ObjectRef) -> bytes:
        def _read() -> bytes:
            response = self.client.get_object(ref.bucket, ref.key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        with _tracer.start_as_current_span(
            "s3 GetObject", attributes={"s3.bucket": ref.bucket, "s3.key": ref.key}
        ):
            return await asyncio.to_thread(_read)

    async def get_json(self, ref: ObjectRef) -> Any:
        return json.loads(await self.get_bytes(ref))

    async def get_json_if_exists(self, ref: ObjectRef) -> Any | None:
        """The JSON at ``ref``, or None if there is no such object: one request, where
        ``exists`` + ``get_json`` take two."""
        try:
            return await self.get_json(ref)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise

    async def download(self, ref: ObjectRef, path: Path) -> None:
        with _tracer.start_as_current_span(
            "s3 GetObject", attributes={"s3.bucket": ref.bucket, "s3.key": ref.key}
        ):
            await asyncio.to_thread(self.client.fget_object, ref.bucket, ref.key, str(path))

    async def presign_get(
        self,
        ref: ObjectRef,
        *,
        expires: timedelta,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A download URL: the storage answers it ``Content-Disposition: attachment`` (a browser
        saves the file, never renders it on the storage origin), with ``content_type`` in place
        of the stored type where given."""
        headers = {"response-content-disposition": attachment_disposition(filename)}
        if content_type:
            headers["response-content-type"] = content_type
        return await asyncio.to_thread(
            self.client.presigned_get_object,
            ref.bucket,
            ref.key,
            expires=expires,
            response_headers=headers,  # type: ignore[arg-type]
        )

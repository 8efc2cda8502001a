"""Intake paths: turn an HTTP body, an upstream message or an S3 event into a local file.

No Kafka and no HTTP here: streams, payloads and S3 objects in, temp files and plain
values out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from minio.error import S3Error

from lexstream.shared.errors import PermanentError
from lexstream.shared.events import DocumentSubmitted, ObjectRef
from lexstream.shared.storage import CHUNK, ObjectStore


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the file is larger than the limit of {limit} bytes")
        self.limit = limit


async def spool_stream(
    chunks: AsyncIterator[bytes], spool_dir: Path | None, limit: int
) -> tuple[Path, str, int]:
    """Write a stream to a temp file while hashing it; never the whole file in memory."""
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(dir=spool_dir, prefix="ingest-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - cleanup of our own temp file
        raise
    return path, digest.hexdigest(), size


def spool_base64(content: str, spool_dir: Path | None, limit: int) -> tuple[Path, str, int]:
    if len(content) * 3 // 4 > limit:
        raise PermanentError(
            f"content_base64 is larger than the inline limit of {limit} bytes",
            error_type="InlineTooLarge",
        )
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError(
            f"content_base64 is not valid base64: {exc}", error_type="InvalidBase64"
        ) from exc
    with tempfile.NamedTemporaryFile(dir=spool_dir, prefix="ingest-", delete=False) as handle:
        handle.write(data)
    return Path(handle.name), hashlib.sha256(data).hexdigest(), len(data)


async def iterate_file(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


_MISSING = ("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchBucket", "ResourceNotFound")


async def spool_object(store: ObjectStore, ref: ObjectRef, spool_dir: Path | None) -> Path:
    """Download an object to a temp file; a missing object is the submitter's fault."""
    handle = tempfile.NamedTemporaryFile(dir=spool_dir, prefix="ingest-", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    try:
        await store.download(ref, path)
    except S3Error as exc:
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - our own temp file
        if exc.code in _MISSING:
            raise PermanentError(
                f"the referenced object {ref.uri} does not exist ({exc.code})",
                error_type="MissingObject",
            ) from exc
        if exc.code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
            raise PermanentError(
                f"the referenced object {ref.uri} cannot be read by ingest ({exc.code})",
                error_type="ObjectNotReadable",
            ) from exc
        raise
    except BaseException:
        path.unlink(missing_ok=True)  # noqa: ASYNC240 - our own temp file
        raise
    return path


@dataclass(frozen=True)
class S3ObjectCreated:
    """One object-created record of an S3 event notification (MinIO's Kafka target)."""

    bucket: str
    key: str
    size: int | None
    etag: str | None
    metadata: dict[str, str]

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def parse_s3_event(data: Any) -> list[S3ObjectCreated]:
    """The object-created records of an S3 event (``{"EventName", "Key", "Records": [..]}``).

    Other events (removals, replication) are not documents and give an empty list.
    """
    if not isinstance(data, dict) or not isinstance(data.get("Records"), list):
        raise PermanentError(
            "not an S3 event notification (no Records list)", error_type="InvalidMessage"
        )
    created = []
    for record in data["Records"]:
        if not isinstance(record, dict):
            raise PermanentError("an S3 event record is not an object", error_type="InvalidMessage")
        name = str(record.get("eventName", ""))
        if "ObjectCreated:" not in name:
            continue
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        obj = s3.get("object") or {}
        key = obj.get("key")
        if not isinstance(bucket, str) or not isinstance(key, str) or not bucket or not key:
            raise PermanentError(
                "an S3 event record names no bucket or key", error_type="InvalidMessage"
            )
        raw_meta = obj.get("userMetadata") or {}
        metadata = {
            k.lower().removeprefix("x-amz-meta-"): str(v)
            for k, v in (raw_meta.items() if isinstance(raw_meta, dict) else [])
        }
        size = obj.get("size")
        etag = obj.get("eTag")
        created.append(
            S3ObjectCreated(
                bucket=bucket,
                key=unquote_plus(key),  # keys arrive URL-encoded in S3 events
                size=size if isinstance(size, int) else None,
                etag=etag if isinstance(etag, str) else None,
                metadata=metadata,
            )
        )
    return created


def submission_from_s3(record: S3ObjectCreated) -> DocumentSubmitted:
    """An inbox drop as a submission: object metadata (``x-amz-meta-*``) may name the matter
    and hints; otherwise the first folder of the key is the matter (``M-1/judgment.pdf``)."""
    meta = record.metadata
    folder, _, name = record.key.rpartition("/")
    etag = (record.etag or "").strip('"')
    return DocumentSubmitted(
        source=meta.get("source") or f"s3:{record.bucket}",
        external_id=meta.get("external-id") or f"{record.key}@{etag}",
        filename=meta.get("filename") or name or record.key,
        object_uri=record.uri,
        matter_id=meta.get("matter-id") or (folder.split("/", 1)[0] if folder else None),
        tenant=meta.get("tenant"),
        jurisdiction=meta.get("jurisdiction"),
        language=meta.get("language"),
        media_type=meta.get("content-type"),
        uploader=meta.get("uploader"),
    )

"""Intake paths: turn an HTTP body or an upstream message into a file on local disk."""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from lexstream.shared.errors import PermanentError
from lexstream.shared.storage import CHUNK


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
        raise PermanentError(f"content_base64 is larger than the inline limit of {limit} bytes")
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError(f"content_base64 is not valid base64: {exc}") from exc
    with tempfile.NamedTemporaryFile(dir=spool_dir, prefix="ingest-", delete=False) as handle:
        handle.write(data)
    return Path(handle.name), hashlib.sha256(data).hexdigest(), len(data)


async def iterate_file(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk

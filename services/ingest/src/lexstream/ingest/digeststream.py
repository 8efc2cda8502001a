"""Uploads that declare their digest: checked always, stored while they arrive on request.

A client that knows the file's sha256 (a document management system usually does) can say so
in the standard ``Repr-Digest`` header (RFC 9530, ``sha-256=:<base64>:``); the upload is
refused unless the bytes hash to it (:func:`parse_repr_digest`, checked in ``routes.py``).

An original's key is its sha256, so without a declared digest the body must be received in
full (hashed and spooled) before the put to its content address can start. With one, and
``put_while_receiving`` on, :func:`spool_and_store` starts that put with the first bytes and
feeds it while the rest arrives; the bytes are still hashed here, and the multipart upload is
completed only if they match. On a mismatch (or any failure half-way) the upload is aborted:
nothing is stored under a name the bytes do not have. It is off by default: on a 2-core
machine that also runs the S3 server it was slower (bench/ingest ``--put-while-receiving``).

The body is spooled to local disk as well (the pipeline sniffs the type of the whole file and
checks ZIP containers from it). The S3 object's ``Content-Type`` is sniffed from the first
64 KiB; the pipeline records the type of the whole file in ``document.json`` and the events.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import queue
import re
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import magic

from lexstream.ingest.intake import spool_stream
from lexstream.shared.events import ObjectRef
from lexstream.shared.storage import PART_SIZE, ObjectStore

HEAD_BYTES = 64 * 1024
BLOCK = 1024 * 1024
MAX_BLOCKS_IN_FLIGHT = 8  # besides minio's own part buffers: 8 MiB between receive and put

_SHA256 = re.compile(r"(?:^|,)\s*sha-256\s*=\s*:([^:]*):")


class BadDigest(ValueError):
    """The ``Repr-Digest`` header is malformed, or the bytes do not match it."""


def parse_repr_digest(header: str | None) -> str | None:
    """The sha256 (hex) an RFC 9530 ``Repr-Digest`` header declares, or None if it declares
    none; other algorithms alone are ignored (the content address is sha256)."""
    if not header:
        return None
    match = _SHA256.search(header)
    if match is None:
        return None
    try:
        raw = base64.b64decode(match.group(1), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadDigest(f"Repr-Digest sha-256 is not valid base64: {exc}") from exc
    if len(raw) != 32:
        raise BadDigest(f"Repr-Digest sha-256 has {len(raw)} bytes, not 32")
    return raw.hex()


def check_digest(sha256: str, declared: str) -> None:
    """:class:`BadDigest` unless the bytes' sha256 is the one their Repr-Digest declared."""
    if sha256 != declared:
        raise BadDigest(
            f"the bytes received do not match their Repr-Digest: sha256 {sha256}, "
            f"declared {declared}"
        )


def repr_digest(sha256_hex: str) -> str:
    """The ``Repr-Digest`` header value for a sha256 given in hex."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256_hex)).decode()}:"


def head_media_type(head: bytes) -> str:
    media_type = magic.from_buffer(head, mime=True) or "application/octet-stream"
    return "text/plain" if media_type.startswith("text/x-") else media_type


class _Finished(Exception):
    """The reader (the put) has stopped; nothing more can be handed over."""


class UploadAborted(Exception):
    """Handed to the put when the upload fails half-way: it aborts instead of completing."""


class PartFeed:
    """A blocking, file-like reader for minio's ``put_object`` (in a worker thread), fed with
    blocks from the event loop; it ends with EOF, or with the error it is failed with."""

    def __init__(self) -> None:
        self._blocks: queue.Queue[bytes | BaseException | None] = queue.Queue(MAX_BLOCKS_IN_FLIGHT)
        self._buffer = bytearray()
        self._eof = False
        self.closed = threading.Event()  # set when the reader is gone (done or failed)

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._buffer) < size) and not self._eof:
            item = self._blocks.get()
            if item is None:
                self._eof = True
            elif isinstance(item, BaseException):
                raise item
            else:
                self._buffer += item
        size = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def offer_nowait(self, item: bytes | None) -> None:
        self._blocks.put_nowait(item)

    def offer(self, item: bytes | BaseException | None) -> None:
        """Hand over a block (``None``: EOF; an exception: fail the put). Blocks while the
        reader is behind; gives up, raising ``_Finished``, once the reader has stopped."""
        while not self.closed.is_set():
            try:
                self._blocks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        raise _Finished()


async def spool_and_store(
    chunks: AsyncIterator[bytes],
    spool_dir: Path | None,
    limit: int,
    store: ObjectStore,
    target: ObjectRef,
    expected_sha256: str,
) -> tuple[Path, str, int]:
    """Spool and hash the body while putting it to ``target``; the put is completed only if
    the bytes hash to ``expected_sha256`` (else :class:`BadDigest`, and nothing is stored).
    An empty body is spooled and not put."""
    feed = PartFeed()
    put: asyncio.Task[object] | None = None
    block = bytearray()

    def run_put(content_type: str) -> object:
        try:
            return store.client.put_object(
                target.bucket,
                target.key,
                feed,  # type: ignore[arg-type]  # read() is all minio uses
                -1,
                content_type=content_type,
                metadata={"sha256": expected_sha256},
                part_size=PART_SIZE,
            )
        finally:
            feed.closed.set()

    async def hand_over(item: bytes | None) -> None:
        if not feed.closed.is_set():
            try:
                feed.offer_nowait(item)
                return
            except queue.Full:
                try:
                    await asyncio.to_thread(feed.offer, item)
                    return
                except _Finished:
                    pass
        assert put is not None
        await put  # the put stopped before the body ended: this raises its error
        raise RuntimeError("the put to S3 ended before the upload did")

    async def start_put() -> None:
        nonlocal put
        put = asyncio.create_task(asyncio.to_thread(run_put, head_media_type(bytes(block))))

    async def teed() -> AsyncIterator[bytes]:
        """The body as it comes, handed to the put on the side, a block at a time."""
        async for chunk in chunks:
            block.extend(chunk)
            if put is None and len(block) >= HEAD_BYTES:
                await start_put()
            if put is not None and len(block) >= BLOCK:
                await hand_over(bytes(block))
                block.clear()
            yield chunk

    path: Path | None = None
    try:
        path, sha256, size = await spool_stream(teed(), spool_dir, limit)
        if put is None and size > 0:  # smaller than the head: one put of what came
            await start_put()
        if put is not None and block:
            await hand_over(bytes(block))
        check_digest(sha256, expected_sha256)
        if put is not None:  # an empty body stores nothing (the pipeline fails it)
            await hand_over(None)
            await put
    except BaseException as exc:
        if put is not None:
            # Never EOF here: that would complete the upload with what arrived so far.
            with contextlib.suppress(_Finished):
                await asyncio.to_thread(feed.offer, UploadAborted(repr(exc)))
            with contextlib.suppress(Exception):
                await put  # aborts the multipart upload: nothing is completed
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    return path, sha256, size

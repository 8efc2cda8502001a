"""Read a multipart upload as a stream: form fields first, then the file's bytes as they come.

Starlette's ``request.form()`` spools the whole file before the handler runs; this parser
(python-multipart's push parser) hands the file on chunk by chunk, so the gateway never holds
more than one network chunk of it - when the form fields come before the file (browsers'
FormData, httpx and ``curl -F`` keep the order they are given). When the file comes first,
fields may still follow it and ingest needs them before the bytes; only then is the file
spooled to a temporary file (never memory) until the end of the body.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 16 * 1024


class BadUpload(ValueError):
    """The request is not a well-formed upload (400)."""


class UploadTooLarge(ValueError):
    """More bytes than the limit (413)."""


@dataclass
class FilePart:
    field_name: str
    filename: str | None
    content_type: str | None


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    file: FilePart | None = None
    value: bytearray = field(default_factory=bytearray)


Event = tuple[str, object]


def boundary_of(content_type: str) -> bytes:
    media, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media != b"multipart/form-data" or not boundary:
        raise BadUpload("expected multipart/form-data with a boundary")
    return boundary


class MultipartReader:
    def __init__(self, stream: AsyncIterator[bytes], boundary: bytes, max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.received = 0
        self.events: deque[Event] = deque()
        self._part = _Part()
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._done = False
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._hfield,
                "on_header_value": self._hvalue,
                "on_header_end": self._hend,
                "on_headers_finished": self._headers_done,
                "on_part_data": self._data,
                "on_part_end": self._end,
            },
        )

    def _begin(self) -> None:
        self._part = _Part()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _hend(self) -> None:
        self._part.headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _headers_done(self) -> None:
        part = self._part
        disposition, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise BadUpload("a multipart part has no Content-Disposition: form-data name")
        part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            ctype = part.headers.get(b"content-type")
            part.file = FilePart(
                field_name=part.name,
                filename=options[b"filename"].decode("utf-8", "replace") or None,
                content_type=ctype.decode("latin-1") if ctype else None,
            )
            self.events.append(("file", part.file))

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._part.file is not None:
            self.events.append(("data", bytes(data[start:end])))
        else:
            self._part.value += data[start:end]
            if len(self._part.value) > MAX_FIELD_BYTES:
                raise BadUpload(f"form field {self._part.name!r} is longer than {MAX_FIELD_BYTES}")

    def _end(self) -> None:
        if self._part.file is not None:
            self.events.append(("file_end", None))
        else:
            value = bytes(self._part.value).decode("utf-8", "replace")
            self.events.append(("field", (self._part.name, value)))

    async def next(self) -> Event:
        while not self.events:
            if self._done:
                return ("eof", None)
            chunk = await anext(self.stream, None)
            try:
                if chunk is None:
                    self._done = True
                    self.parser.finalize()
                    continue
                self.received += len(chunk)
                if self.received > self.max_bytes:
                    raise UploadTooLarge(f"the upload is larger than {self.max_bytes} bytes")
                self.parser.write(chunk)
            except (BadUpload, UploadTooLarge):
                raise
            except Exception as exc:  # python-multipart's MultipartParseError and friends
                raise BadUpload(f"malformed multipart body: {exc}") from exc
        return self.events.popleft()

    async def fields_until_file(self) -> tuple[dict[str, str], FilePart]:
        """The form fields before the first file part, and that part."""
        fields: dict[str, str] = {}
        while True:
            kind, payload = await self.next()
            if kind == "field":
                assert isinstance(payload, tuple)
                fields[str(payload[0])] = str(payload[1])
            elif kind == "file":
                assert isinstance(payload, FilePart)
                if payload.field_name != "file":
                    raise BadUpload("the file must be sent in the form field 'file'")
                return fields, payload
            elif kind == "eof":
                raise BadUpload("the upload has no file: send it in the form field 'file'")

    async def file_bytes(self, late_fields: set[str]) -> AsyncIterator[bytes]:
        """The file part's bytes; then the rest of the body, refusing fields that came late."""
        while True:
            kind, payload = await self.next()
            if kind == "data":
                assert isinstance(payload, bytes)
                if payload:
                    yield payload
            elif kind == "file_end":
                break
            elif kind == "eof":
                raise BadUpload("the upload ended inside the file part")
        while True:
            kind, payload = await self.next()
            if kind == "eof":
                return
            if kind == "file":
                raise BadUpload("send one file per upload")
            if kind == "field" and payload[0] in late_fields:  # type: ignore[index]
                raise BadUpload(f"form field {payload[0]!r} must come before the file")  # type: ignore[index]


SPOOL_CHUNK = 1024 * 1024


async def spool_file_then_fields(
    reader: MultipartReader,
) -> tuple[tempfile.SpooledTemporaryFile[bytes], dict[str, str]]:
    """The file part into a temporary file (on disk past 1 MiB), then the fields after it."""
    spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=SPOOL_CHUNK
    )
    fields: dict[str, str] = {}
    try:
        in_file = True
        while True:
            kind, payload = await reader.next()
            if kind == "data" and in_file:
                assert isinstance(payload, bytes)
                await asyncio.to_thread(spool.write, payload)
            elif kind == "file_end":
                in_file = False
            elif kind == "file":
                raise BadUpload("send one file per upload")
            elif kind == "field":
                assert isinstance(payload, tuple)
                fields[str(payload[0])] = str(payload[1])
            elif kind == "eof":
                if in_file:
                    raise BadUpload("the upload ended inside the file part")
                break
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, fields


async def read_spool(spool: tempfile.SpooledTemporaryFile[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(spool.read, SPOOL_CHUNK):
            yield chunk
    finally:
        spool.close()

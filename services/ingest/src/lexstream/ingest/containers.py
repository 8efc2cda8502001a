"""Containers and mailboxes: check the limits before anything is expanded, then expand member
by member.

One common core (:class:`ContainerLimits`, the listing checks in :func:`_check_listing` and the
streaming :class:`_Spool`) and one reader per format (:mod:`lexstream.ingest.archives`): ZIP,
tar (plain, gzip, bzip2, xz), 7z, RAR, MBOX and PST/OST. The format is told by the content
(:func:`container_format`), never by the name.

The checks use what the container declares (the ZIP central directory, tar headers, the 7z
and RAR directories, the mailbox's message count) and are enforced again while extracting:
no reader returns more bytes than the limit, and each member is streamed to a temporary file
and hashed, never held in memory. A member that cannot be read (a CRC error, a link or device
in a tar, a PST message that is damaged) becomes an :class:`ExtractedMember` with ``error``
set: it ends as a failed child document and its siblings go on. A container that cannot be
opened at all, or breaks a limit, is a :class:`ContainerError` and nothing is expanded.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from lexstream.shared.errors import PermanentError
from lexstream.shared.storage import CHUNK

ContainerFormat = Literal["zip", "tar", "7z", "rar", "mbox", "pst"]

#: media types (as libmagic names them, or as ``sniff`` names PST) that are containers
CONTAINER_MEDIA_TYPES = frozenset(
    {
        "application/zip",
        "application/x-tar",
        "application/gzip",
        "application/x-gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/mbox",
        "application/vnd.ms-outlook-pst",
    }
)

MAILBOXES: frozenset[ContainerFormat] = frozenset({"mbox", "pst"})

#: how each format is named in a reason a person reads
LABELS: dict[ContainerFormat, str] = {
    "zip": "ZIP archive",
    "tar": "tar archive",
    "7z": "7z archive",
    "rar": "RAR archive",
    "mbox": "MBOX mailbox",
    "pst": "PST/OST mailbox",
}


@dataclass(frozen=True)
class ContainerLimits:
    max_depth: int = 3
    max_members: int = 1000
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 100.0
    ratio_min_bytes: int = 1024 * 1024
    #: most messages in one mailbox (MBOX, PST/OST): a custodian's mailbox holds tens of
    #: thousands, where an archive of 1,000 files is already large
    max_messages: int = 100_000


#: the name the limits had when only ZIPs were containers
ZipLimits = ContainerLimits


@dataclass(frozen=True)
class MemberInfo:
    """A member as the container declares it; ``compressed_size`` -1 where it says nothing
    per member (tar, mailboxes, solid 7z)."""

    index: int
    name: str
    size: int
    compressed_size: int


@dataclass(frozen=True)
class ExtractedMember:
    """A member on local disk (the caller deletes ``path``); where ``error`` is set, the member
    could not be read: ``path`` is an empty file and the child is a failed document."""

    info: MemberInfo
    path: Path
    sha256: str
    size: int
    error: ContainerError | None = None


class ContainerError(PermanentError):
    """A container (or one member) that cannot be expanded safely; the reason names why."""


def damaged(label: str, exc: BaseException | str) -> ContainerError:
    return ContainerError(
        f"the {label} is damaged or truncated ({exc})", error_type="DamagedArchive"
    )


def encrypted(label: str, what: str = "") -> ContainerError:
    detail = f" ({what} is encrypted)" if what else ""
    return ContainerError(
        f"the {label} is password-protected{detail}; it cannot be expanded",
        error_type="EncryptedArchive",
    )


# -- telling the format by content ---------------------------------------------------------

#: an mbox starts with a "From " separator line followed by a header field
_MBOX_START = re.compile(rb"^From [^\r\n]*\r?\n[A-Za-z0-9-]+:")


def container_format(path: Path) -> ContainerFormat | None:
    """The container format of a file by its first bytes (None: not a container)."""
    with path.open("rb") as handle:
        head = handle.read(512)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"!BDN"):
        return "pst"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar":
        return "tar"
    if _MBOX_START.match(head):
        return "mbox"
    return None


#: the media type each format is given where libmagic says something vaguer
_MEDIA_TYPES: dict[ContainerFormat, str] = {
    "mbox": "application/mbox",  # libmagic: text/plain for most mailboxes
    "pst": "application/vnd.ms-outlook-pst",  # libmagic: application/vnd.ms-outlook, as a MSG
}


def container_media_type(path: Path, sniffed: str) -> str:
    """The media type to route by: ``sniffed`` (libmagic's), made precise for a mailbox."""
    fmt = container_format(path)
    if fmt in _MEDIA_TYPES and sniffed in {
        "text/plain",
        "application/octet-stream",
        "application/vnd.ms-outlook",
        _MEDIA_TYPES[fmt],
    }:
        return _MEDIA_TYPES[fmt]
    return sniffed


# -- the common core -----------------------------------------------------------------------


def _check_listing(
    label: str, members: list[MemberInfo], archive_size: int, limits: ContainerLimits
) -> None:
    if len(members) > limits.max_members:
        raise ContainerError(
            f"the {label} has {len(members)} files, more than the limit of {limits.max_members}",
            error_type="TooManyMembers",
        )
    total = sum(m.size for m in members)
    known = [m.compressed_size for m in members if m.compressed_size >= 0]
    compressed = sum(known) if len(known) == len(members) else archive_size
    if total > limits.max_total_bytes:
        raise ContainerError(
            f"the {label} expands to {total} bytes, more than the limit of "
            f"{limits.max_total_bytes} bytes",
            error_type="ContainerTooLarge",
        )
    if total >= limits.ratio_min_bytes and total > limits.max_ratio * max(compressed, 1):
        raise ContainerError(
            f"the {label} expands {total / max(compressed, 1):.0f} times its compressed "
            f"size, more than the limit of {limits.max_ratio:.0f} (a ZIP bomb)",
            error_type="ZipBomb",
        )
    for m in members:
        if (
            m.compressed_size >= 0
            and m.size >= limits.ratio_min_bytes
            and m.size > limits.max_ratio * max(m.compressed_size, 1)
        ):
            raise ContainerError(
                f"{m.name!r} in the {label} expands "
                f"{m.size / max(m.compressed_size, 1):.0f} times its compressed "
                f"size, more than the limit of {limits.max_ratio:.0f} (a ZIP bomb)",
                error_type="ZipBomb",
            )


def check_depth(label: str, limits: ContainerLimits, depth: int) -> None:
    if depth >= limits.max_depth:
        raise ContainerError(
            f"containers are nested more than {limits.max_depth} levels deep; "
            f"this {label} is not expanded",
            error_type="ContainerTooDeep",
        )


class Spool:
    """Streams members to temporary files, hashing them and holding the expanded total."""

    def __init__(self, label: str, limits: ContainerLimits, spool_dir: Path | None) -> None:
        self.label = label
        self.limits = limits
        self.spool_dir = spool_dir
        self.expanded = 0

    def _handle(self) -> tempfile._TemporaryFileWrapper[bytes]:
        return tempfile.NamedTemporaryFile(
            dir=self.spool_dir, prefix="ingest-member-", delete=False
        )

    def add(self, size: int) -> None:
        self.expanded += size
        if self.expanded > self.limits.max_total_bytes:
            raise ContainerError(
                f"the {self.label} expands to more than the limit of "
                f"{self.limits.max_total_bytes} bytes",
                error_type="ContainerTooLarge",
            )

    def begin(self, info: MemberInfo) -> MemberWriter:
        """A writer for one member (for readers that push bytes, as py7zr does)."""
        return MemberWriter(self, info, self._handle())

    def write(self, info: MemberInfo, chunks: Iterable[bytes]) -> ExtractedMember:
        """Write ``chunks`` to a new temporary file; reader errors propagate (file removed)."""
        writer = self.begin(info)
        try:
            for chunk in chunks:
                writer.write(chunk)
        except BaseException:
            writer.abort()
            raise
        return writer.finish()

    def failed(self, info: MemberInfo, error: ContainerError) -> ExtractedMember:
        """A member that could not be read: an empty file and the reason."""
        handle = self._handle()
        handle.close()
        return ExtractedMember(info, Path(handle.name), "", 0, error=error)


class MemberWriter:
    """One member being written: hashed, counted against the total, on disk."""

    def __init__(
        self, spool: Spool, info: MemberInfo, handle: tempfile._TemporaryFileWrapper[bytes]
    ) -> None:
        self.spool = spool
        self.info = info
        self.handle = handle
        self.path = Path(handle.name)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.spool.add(len(chunk))
        self.size += len(chunk)
        self.digest.update(chunk)
        self.handle.write(chunk)

    def finish(self) -> ExtractedMember:
        self.handle.close()
        return ExtractedMember(self.info, self.path, self.digest.hexdigest(), self.size)

    def abort(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


def read_chunks(source: object) -> Iterator[bytes]:
    """Chunks of a readable binary file object."""
    read = getattr(source, "read")  # noqa: B009 - any object with read(n)
    while chunk := read(CHUNK):
        yield chunk


# -- the entry points (the pipeline calls these for every container) -----------------------


def inspect_container(
    path: Path, limits: ContainerLimits, *, depth: int = 0
) -> tuple[ContainerFormat, list[MemberInfo]]:
    """Check a container against the limits from what it declares; list its members."""
    from lexstream.ingest import archives

    fmt = container_format(path)
    if fmt is None:
        raise ContainerError(
            "the file is not a container this service can expand (ZIP, tar, 7z, RAR, MBOX, "
            "PST/OST)",
            error_type="DamagedArchive",
        )
    label = LABELS[fmt]
    check_depth(label, limits, depth)
    if fmt in MAILBOXES:
        limits = replace(limits, max_members=limits.max_messages)
    members = archives.READERS[fmt].members(path, limits)
    _check_listing(label, members, path.stat().st_size, limits)
    return fmt, members


def inspect_zip(path: Path, limits: ContainerLimits, *, depth: int = 0) -> list[MemberInfo]:
    """Check any container (the name is older than the other formats) and list its files."""
    return inspect_container(path, limits, depth=depth)[1]


def extract_members(
    path: Path, limits: ContainerLimits, spool_dir: Path | None, *, depth: int = 0
) -> Iterator[ExtractedMember]:
    """Yield each member of the container as a temporary file (the caller deletes it)."""
    from lexstream.ingest import archives

    fmt, members = inspect_container(path, limits, depth=depth)
    spool = Spool(LABELS[fmt], limits, spool_dir)  # the total holds for mailboxes too
    yield from archives.READERS[fmt].extract(path, members, spool)

"""ZIP containers: check the limits before anything is expanded, then expand member by member.

The checks use the central directory (declared sizes) and are enforced again while
extracting: :mod:`zipfile` never returns more bytes than a member declares and verifies each
member's CRC, so a directory that lies about sizes ends as a damaged archive, not a bomb.
Nothing is extracted into memory: each member is streamed to a temporary file and hashed.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lexstream.shared.errors import PermanentError
from lexstream.shared.storage import CHUNK


@dataclass(frozen=True)
class ZipLimits:
    max_depth: int = 3
    max_members: int = 1000
    max_total_bytes: int = 2 * 1024**3
    max_ratio: float = 100.0
    ratio_min_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class MemberInfo:
    index: int
    name: str
    size: int
    compressed_size: int


@dataclass(frozen=True)
class ExtractedMember:
    info: MemberInfo
    path: Path
    sha256: str
    size: int


class ContainerError(PermanentError):
    """A container that cannot be expanded safely; the reason names the limit."""


def _open(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ContainerError(
            f"the ZIP archive is damaged or truncated ({exc})", error_type="DamagedArchive"
        ) from exc


def inspect_zip(path: Path, limits: ZipLimits, *, depth: int = 0) -> list[MemberInfo]:
    """Check a ZIP against the limits using its central directory; list its files."""
    if depth >= limits.max_depth:
        raise ContainerError(
            f"ZIP archives are nested more than {limits.max_depth} levels deep; "
            "this one is not expanded",
            error_type="ContainerTooDeep",
        )
    with _open(path) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > limits.max_members:
        raise ContainerError(
            f"the ZIP archive has {len(infos)} files, more than the limit of {limits.max_members}",
            error_type="TooManyMembers",
        )
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if total > limits.max_total_bytes:
        raise ContainerError(
            f"the ZIP archive expands to {total} bytes, more than the limit of "
            f"{limits.max_total_bytes} bytes",
            error_type="ContainerTooLarge",
        )
    if total >= limits.ratio_min_bytes and total > limits.max_ratio * max(compressed, 1):
        raise ContainerError(
            f"the ZIP archive expands {total / max(compressed, 1):.0f} times its compressed "
            f"size, more than the limit of {limits.max_ratio:.0f} (a ZIP bomb)",
            error_type="ZipBomb",
        )
    members = []
    for index, info in enumerate(infos):
        if info.flag_bits & 0x1:
            raise ContainerError(
                f"the ZIP archive is password-protected ({info.filename!r} is encrypted); "
                "it cannot be expanded",
                error_type="EncryptedArchive",
            )
        if info.file_size >= limits.ratio_min_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ContainerError(
                f"{info.filename!r} in the ZIP archive expands "
                f"{info.file_size / max(info.compress_size, 1):.0f} times its compressed "
                f"size, more than the limit of {limits.max_ratio:.0f} (a ZIP bomb)",
                error_type="ZipBomb",
            )
        members.append(MemberInfo(index, info.filename, info.file_size, info.compress_size))
    return members


def extract_members(
    path: Path, limits: ZipLimits, spool_dir: Path | None, *, depth: int = 0
) -> Iterator[ExtractedMember]:
    """Yield each file of the ZIP as a temporary file (the caller deletes it)."""
    members = inspect_zip(path, limits, depth=depth)
    expanded = 0
    with _open(path) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        for member, info in zip(members, infos, strict=True):
            digest = hashlib.sha256()
            size = 0
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - handed to the caller
                dir=spool_dir, prefix="ingest-member-", delete=False
            )
            out = Path(handle.name)
            try:
                with handle, archive.open(info) as source:
                    while chunk := source.read(CHUNK):
                        size += len(chunk)
                        expanded += len(chunk)
                        if expanded > limits.max_total_bytes:
                            raise ContainerError(
                                "the ZIP archive expands to more than the limit of "
                                f"{limits.max_total_bytes} bytes",
                                error_type="ContainerTooLarge",
                            )
                        digest.update(chunk)
                        handle.write(chunk)
            except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as exc:
                out.unlink(missing_ok=True)
                raise ContainerError(
                    f"{info.filename!r} in the ZIP archive cannot be read ({exc})",
                    error_type="DamagedArchive",
                ) from exc
            except BaseException:
                out.unlink(missing_ok=True)
                raise
            yield ExtractedMember(member, out, digest.hexdigest(), size)

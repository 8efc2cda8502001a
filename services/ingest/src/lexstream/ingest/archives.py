"""One reader per container format, on the common core of :mod:`lexstream.ingest.containers`.

Each reader lists what the container declares (``members``; the limits are checked on that
list before anything is expanded) and then streams the members through the
:class:`~lexstream.ingest.containers.Spool` (``extract``), which holds the expanded total.

- ZIP: :mod:`zipfile` (CRC checked; never more bytes than a member declares).
- tar, plain or gzip/bzip2/xz: :mod:`tarfile`; links, devices, FIFOs, absolute names and
  ``..`` in a name are refused member by member (a failed child), never followed.
- 7z: py7zr (LGPL-2.1+); an encrypted archive (or header) is refused.
- RAR: rarfile (ISC) with Debian's ``unar`` as the extractor (Debian's ``unrar`` is non-free;
  bsdtar and 7zip fail on solid and encrypted RAR5).
- MBOX: :mod:`mailbox` (each message as an ``.eml``).
- PST/OST: libpff-python (``pypff``, LGPL-3.0+: a maintained C library with a binary wheel,
  read in-process and message by message; ``readpst`` would write every message to disk
  first, with no per-message failure and no bound on what it writes). Each message becomes
  an ``.eml`` built from its transport headers, bodies and attachments.
"""

from __future__ import annotations

import email.utils
import mailbox
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import HeaderParser
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from lexstream.ingest.containers import (
    LABELS,
    ContainerError,
    ContainerFormat,
    ContainerLimits,
    ExtractedMember,
    MemberInfo,
    MemberWriter,
    Spool,
    damaged,
    encrypted,
    read_chunks,
)


class Reader(Protocol):
    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]: ...

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]: ...


def _too_many(label: str, count: int, limits: ContainerLimits) -> ContainerError:
    return ContainerError(
        f"the {label} has more than {limits.max_members} files ({count} read so far), more "
        f"than the limit of {limits.max_members}",
        error_type="TooManyMembers",
    )


def unsafe_name(name: str) -> str | None:
    """Why a member name is refused (an absolute path or ``..``), None where it is fine."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return f"{name!r} has an absolute path"
    if ".." in posix.parts:
        return f"{name!r} climbs out of the archive (..)"
    return None


# -- ZIP -----------------------------------------------------------------------------------


class ZipReader:
    label = LABELS["zip"]

    def _open(self, path: Path) -> zipfile.ZipFile:
        try:
            return zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise damaged(self.label, exc) from exc

    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]:  # noqa: ARG002
        with self._open(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
        for info in infos:
            if info.flag_bits & 0x1:
                raise encrypted(self.label, repr(info.filename))
        return [
            MemberInfo(i, info.filename, info.file_size, info.compress_size)
            for i, info in enumerate(infos)
        ]

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]:
        with self._open(path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            for member, info in zip(members, infos, strict=True):
                if reason := unsafe_name(info.filename):
                    yield spool.failed(member, ContainerError(reason, error_type="UnsafeMember"))
                    continue
                try:
                    with archive.open(info) as source:
                        extracted = spool.write(member, read_chunks(source))
                except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as exc:
                    error = ContainerError(
                        f"{info.filename!r} in the {self.label} cannot be read ({exc})",
                        error_type="DamagedArchive",
                    )
                    yield spool.failed(member, error)
                    continue
                yield extracted


# -- tar -----------------------------------------------------------------------------------

_TAR_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error)


def _tar_refusal(info: tarfile.TarInfo) -> str | None:
    if info.issym() or info.islnk():
        return f"{info.name!r} is a link (to {info.linkname!r}); links are not followed"
    if info.ischr() or info.isblk() or info.isfifo():
        return f"{info.name!r} is a device or FIFO, not a file"
    if not info.isfile():
        return f"{info.name!r} is not a regular file"
    return unsafe_name(info.name)


class TarReader:
    label = LABELS["tar"]

    def _open(self, path: Path) -> tarfile.TarFile:
        try:
            return tarfile.open(path, mode="r:*")
        except _TAR_ERRORS as exc:
            raise damaged(self.label, exc) from exc

    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]:
        out: list[MemberInfo] = []
        total = 0
        try:
            with self._open(path) as archive:
                for info in archive:  # one pass over the headers; stops early at a limit
                    if info.isdir():
                        continue
                    out.append(MemberInfo(len(out), info.name, max(info.size, 0), -1))
                    total += max(info.size, 0)
                    if len(out) > limits.max_members:
                        raise _too_many(self.label, len(out), limits)
                    if total > limits.max_total_bytes:
                        break  # the listing check names the limit
        except _TAR_ERRORS as exc:
            raise damaged(self.label, exc) from exc
        return out

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]:
        listed = iter(members)
        try:
            with self._open(path) as archive:
                for info in archive:
                    if info.isdir():
                        continue
                    member = next(listed)
                    if reason := _tar_refusal(info):
                        yield spool.failed(
                            member, ContainerError(reason, error_type="UnsafeMember")
                        )
                        continue
                    source = archive.extractfile(info)
                    if source is None:
                        yield spool.failed(
                            member,
                            ContainerError(
                                f"{info.name!r} has no data", error_type="DamagedArchive"
                            ),
                        )
                        continue
                    with source:
                        extracted = spool.write(member, read_chunks(source))
                    yield extracted
        except _TAR_ERRORS as exc:
            raise damaged(self.label, exc) from exc


# -- 7z ------------------------------------------------------------------------------------


class SevenZipReader:
    label = LABELS["7z"]

    def _open(self, path: Path) -> Any:
        import py7zr

        try:
            return py7zr.SevenZipFile(path, mode="r")
        except py7zr.PasswordRequired as exc:  # the header itself is encrypted
            raise encrypted(self.label) from exc
        except (py7zr.Bad7zFile, OSError, EOFError, ValueError, KeyError) as exc:
            raise damaged(self.label, exc) from exc

    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]:  # noqa: ARG002
        with self._open(path) as archive:
            if archive.needs_password():
                raise encrypted(self.label)
            infos = [i for i in archive.list() if not i.is_directory]
        return [
            MemberInfo(
                i,
                info.filename,
                int(info.uncompressed or 0),
                int(info.compressed) if info.compressed is not None else -1,
            )
            for i, info in enumerate(infos)
        ]

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]:
        """py7zr pushes every member to writers in one call (solid blocks are decoded in one
        stream), so the members are spooled first (bounded by the total limit), then handed
        over one by one."""
        import py7zr
        from py7zr.io import Py7zIO, WriterFactory

        by_name = {m.name: m for m in members}
        spooled: dict[str, ExtractedMember] = {}
        open_writers: list[MemberWriter] = []

        class _Writer(Py7zIO):
            def __init__(self, name: str) -> None:
                member = by_name.get(name) or MemberInfo(-1, name, 0, -1)
                self.name = name
                self.out = spool.begin(member)
                open_writers.append(self.out)

            def write(self, s: bytes | bytearray) -> int:
                self.out.write(bytes(s))  # the total limit holds while decoding
                return len(s)

            def read(self, size: int | None = None) -> bytes:  # noqa: ARG002
                return b""

            def seek(self, offset: int, whence: int = 0) -> int:  # noqa: ARG002
                return 0

            def flush(self) -> None:
                return None

            def size(self) -> int:
                return self.out.size

            def close(self) -> None:
                if not self.out.handle.closed:
                    open_writers.remove(self.out)
                    spooled[self.name] = self.out.finish()

        class _Factory(WriterFactory):
            def create(self, filename: str) -> Py7zIO:
                return _Writer(filename)

        def discard() -> None:
            for writer in open_writers:
                writer.abort()
            for extracted in spooled.values():
                extracted.path.unlink(missing_ok=True)

        try:
            with self._open(path) as archive:
                archive.extractall(factory=_Factory())
        except ContainerError:
            discard()
            raise
        except (py7zr.Bad7zFile, py7zr.PasswordRequired, OSError, EOFError, ValueError) as exc:
            discard()
            raise damaged(self.label, exc) from exc
        for writer in list(open_writers):  # members py7zr never closed
            spooled[writer.info.name] = writer.finish()
        for member in members:
            found = spooled.pop(member.name, None)
            yield found if found is not None else spool.write(member, [])
        for extra in spooled.values():  # not in the listing: not handed over
            extra.path.unlink(missing_ok=True)


# -- RAR -----------------------------------------------------------------------------------


class RarReader:
    label = LABELS["rar"]

    def _open(self, path: Path) -> Any:
        import rarfile

        try:
            return rarfile.RarFile(path)
        except rarfile.PasswordRequired as exc:
            raise encrypted(self.label) from exc
        except (rarfile.Error, OSError, EOFError) as exc:
            raise damaged(self.label, exc) from exc

    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]:  # noqa: ARG002
        with self._open(path) as archive:
            if archive.needs_password():
                raise encrypted(self.label)
            infos = [i for i in archive.infolist() if not i.is_dir()]
        if not infos:  # rarfile reads a broken block list as an empty archive
            raise damaged(self.label, "no file could be read from it")
        for info in infos:
            if info.needs_password():
                raise encrypted(self.label, repr(info.filename))
        return [
            MemberInfo(i, info.filename, int(info.file_size), int(info.compress_size))
            for i, info in enumerate(infos)
        ]

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]:
        import rarfile

        with self._open(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            for member, info in zip(members, infos, strict=True):
                refusal = (
                    f"{info.filename!r} is a link; links are not followed"
                    if info.is_symlink()
                    else unsafe_name(info.filename)
                )
                if refusal:
                    yield spool.failed(member, ContainerError(refusal, error_type="UnsafeMember"))
                    continue
                try:
                    with archive.open(info) as source:
                        extracted = spool.write(member, read_chunks(source))
                except rarfile.RarCannotExec as exc:
                    raise ContainerError(
                        "no RAR extractor is installed (Debian package unar)",
                        error_type="NoRarExtractor",
                    ) from exc
                except (rarfile.Error, OSError, EOFError) as exc:
                    error = ContainerError(
                        f"{info.filename!r} in the {self.label} cannot be read ({exc})",
                        error_type="DamagedArchive",
                    )
                    yield spool.failed(member, error)
                    continue
                yield extracted


# -- MBOX ----------------------------------------------------------------------------------


def _message_name(number: int) -> str:
    return f"message-{number:05d}.eml"


class MboxReader:
    label = LABELS["mbox"]

    def _open(self, path: Path) -> mailbox.mbox:
        try:
            return mailbox.mbox(path, create=False)
        except (OSError, mailbox.Error) as exc:
            raise damaged(self.label, exc) from exc

    def _toc(self, box: mailbox.mbox) -> list[tuple[Any, int, int]]:
        box.lock = lambda: None  # type: ignore[method-assign] # read only, nothing to lock
        try:
            keys = sorted(box.keys())
        except (OSError, mailbox.Error) as exc:
            raise damaged(self.label, exc) from exc
        toc: dict[Any, tuple[int, int]] = getattr(box, "_toc", {})
        return [(key, *toc.get(key, (0, 0))) for key in keys]

    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]:  # noqa: ARG002
        box = self._open(path)
        try:
            toc = self._toc(box)
        finally:
            box.close()
        return [
            MemberInfo(number, _message_name(number + 1), max(stop - start, 0), -1)
            for number, (_key, start, stop) in enumerate(toc)
        ]

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]:
        box = self._open(path)
        try:
            for member, (key, _start, _stop) in zip(members, self._toc(box), strict=True):
                try:
                    source = box.get_file(key)
                except (OSError, KeyError, mailbox.Error) as exc:
                    error = ContainerError(
                        f"message {member.index + 1} in the {self.label} cannot be read ({exc})",
                        error_type="DamagedArchive",
                    )
                    yield spool.failed(member, error)
                    continue
                with source:
                    extracted = spool.write(member, _unquote_from(read_chunks(source)))
                yield extracted
        finally:
            box.close()


_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def _unquote_from(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """mboxrd quotes body lines starting with ``From `` as ``>From ``: undo it (line-wise,
    so a chunk boundary never splits a line)."""
    pending = b""
    for chunk in chunks:
        data = pending + chunk
        cut = data.rfind(b"\n") + 1
        pending = data[cut:]
        if cut:
            yield _QUOTED_FROM.sub(rb"\1", data[:cut])
    if pending:
        yield _QUOTED_FROM.sub(rb"\1", pending)


# -- PST/OST -------------------------------------------------------------------------------

_SKIPPED_HEADERS = frozenset({"content-type", "content-transfer-encoding", "mime-version"})


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").rstrip("\x00")
    return str(value or "")


def pst_message_eml(message: Any) -> bytes:
    """An Outlook item as an RFC 822 message: its transport headers where it has them (so the
    Message-ID, In-Reply-To and References survive), else the subject, sender and time it
    stores; its plain and HTML bodies; its attachments."""
    out = EmailMessage(policy=policy.default)
    headers = _text(message.transport_headers)
    if headers.strip():
        for name, value in HeaderParser(policy=policy.compat32).parsestr(headers).items():
            if name.lower() not in _SKIPPED_HEADERS:
                out[name] = str(value).replace("\r", "").replace("\n", " ")
    if "Subject" not in out and message.subject:
        out["Subject"] = _text(message.subject)
    if "From" not in out and message.sender_name:
        out["From"] = _text(message.sender_name)
    sent = message.client_submit_time or message.delivery_time
    if "Date" not in out and isinstance(sent, datetime):
        out["Date"] = email.utils.format_datetime(sent)
    plain, html = _text(message.plain_text_body), _text(message.html_body)
    out.set_content(plain or ("" if html else " "))
    if html:
        out.add_alternative(html, subtype="html")
    for number in range(message.number_of_attachments):
        attachment = message.get_attachment(number)
        size = attachment.get_size() or 0
        data = attachment.read_buffer(size) if size else b""
        name = _text(getattr(attachment, "long_filename", None)) or f"attachment-{number + 1}"
        out.add_attachment(
            bytes(data), maintype="application", subtype="octet-stream", filename=name
        )
    return out.as_bytes()


def _pst_messages(folder: Any, where: str) -> Iterator[tuple[str, Any]]:
    """(folder path, message) for each message under ``folder``, depth first."""
    for number in range(folder.number_of_sub_messages):
        yield where, (folder, number)
    for number in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(number)
        name = _text(sub.name).replace("/", "_") or f"folder-{number + 1}"
        yield from _pst_messages(sub, f"{where}/{name}" if where else name)


class PstReader:
    label = LABELS["pst"]

    def _open(self, path: Path) -> Any:
        import pypff

        pst = pypff.file()
        try:
            pst.open(str(path))
        except OSError as exc:
            raise damaged(self.label, exc) from exc
        return pst

    def _walk(self, pst: Any) -> list[tuple[str, Any]]:
        try:
            return list(_pst_messages(pst.get_root_folder(), ""))
        except OSError as exc:
            raise damaged(self.label, exc) from exc

    def members(self, path: Path, limits: ContainerLimits) -> list[MemberInfo]:
        pst = self._open(path)
        try:
            found = self._walk(pst)
            if len(found) > limits.max_members:
                raise _too_many(self.label, len(found), limits)
            # what a message holds is known only once it is read: the archive size bounds it
            return [
                MemberInfo(i, f"{where}/{_message_name(i + 1)}".lstrip("/"), 0, -1)
                for i, (where, _) in enumerate(found)
            ]
        finally:
            pst.close()

    def extract(
        self, path: Path, members: list[MemberInfo], spool: Spool
    ) -> Iterator[ExtractedMember]:
        pst = self._open(path)
        try:
            for member, (_where, (folder, number)) in zip(members, self._walk(pst), strict=True):
                try:
                    data = pst_message_eml(folder.get_sub_message(number))
                except (OSError, ValueError, TypeError) as exc:
                    error = ContainerError(
                        f"{member.name!r} in the {self.label} cannot be read ({exc})",
                        error_type="DamagedArchive",
                    )
                    yield spool.failed(member, error)
                    continue
                yield spool.write(member, [data])
        finally:
            pst.close()


READERS: dict[ContainerFormat, Reader] = {
    "zip": ZipReader(),
    "tar": TarReader(),
    "7z": SevenZipReader(),
    "rar": RarReader(),
    "mbox": MboxReader(),
    "pst": PstReader(),
}

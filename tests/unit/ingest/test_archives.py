"""Containers besides ZIP: tar (plain, gz, bz2, xz), 7z, MBOX, RAR and PST/OST, one reader each
on the common limits core; a bad member fails alone, a bad container fails whole."""

from __future__ import annotations

import io
import mailbox
import tarfile
from pathlib import Path

import py7zr
import pytest
from tests.support.mailbox import build_mailbox, write_mbox

from lexstream.ingest.containers import (
    CONTAINER_MEDIA_TYPES,
    ContainerError,
    ContainerLimits,
    container_format,
    container_media_type,
    extract_members,
    inspect_container,
)
from lexstream.ingest.sniff import sniff_media_type


def make_tar(path: Path, members: dict[str, bytes], mode: str = "w") -> Path:
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def expand(path: Path, tmp: Path, limits: ContainerLimits | None = None) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for member in extract_members(path, limits or ContainerLimits(), tmp):
        assert member.error is None, member.error
        out[member.info.name] = member.path.read_bytes()
        member.path.unlink()
    return out


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_in_every_compression_expands(tmp_path: Path, mode: str) -> None:
    path = make_tar(tmp_path / "a.tar", {"a.txt": b"alpha\n", "dir/b.txt": b"beta\n"}, mode)
    assert container_format(path) == "tar"
    assert sniff_media_type(path) in CONTAINER_MEDIA_TYPES
    assert expand(path, tmp_path) == {"a.txt": b"alpha\n", "dir/b.txt": b"beta\n"}


def test_tar_links_devices_and_escapes_fail_alone(tmp_path: Path) -> None:
    path = tmp_path / "bad.tar"
    with tarfile.open(path, "w") as archive:
        for name, kind in [
            ("link", tarfile.SYMTYPE),
            ("hard", tarfile.LNKTYPE),
            ("dev", tarfile.CHRTYPE),
            ("fifo", tarfile.FIFOTYPE),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, "/etc/passwd"
            archive.addfile(info)
        for name in ("/etc/cron.d/x", "../../escape.txt", "good.txt"):
            info = tarfile.TarInfo(name)
            info.size = 2
            archive.addfile(info, io.BytesIO(b"ok"))
    members = list(extract_members(path, ContainerLimits(), tmp_path))
    failed = {m.info.name: m.error for m in members if m.error is not None}
    assert set(failed) == {"link", "hard", "dev", "fifo", "/etc/cron.d/x", "../../escape.txt"}
    assert "link" in failed["link"].reason
    assert "absolute" in failed["/etc/cron.d/x"].reason
    (good,) = [m for m in members if m.error is None]
    assert good.info.name == "good.txt"
    assert good.path.read_bytes() == b"ok"
    assert not (tmp_path.parent / "escape.txt").exists()


def test_tar_limits(tmp_path: Path) -> None:
    many = make_tar(tmp_path / "many.tar", {f"{i}.txt": b"x" for i in range(11)})
    with pytest.raises(ContainerError, match="more than the limit of 10") as info:
        inspect_container(many, ContainerLimits(max_members=10))
    assert info.value.error_type == "TooManyMembers"
    bomb = make_tar(tmp_path / "bomb.tar.gz", {"zeros": bytes(8 * 1024 * 1024)}, "w:gz")
    with pytest.raises(ContainerError, match="ZIP bomb"):
        inspect_container(bomb, ContainerLimits())
    truncated = tmp_path / "cut.tar.gz"
    whole = make_tar(tmp_path / "whole.tar.gz", {"a": bytes(range(256)) * 400}, "w:gz")
    truncated.write_bytes(whole.read_bytes()[:200])
    with pytest.raises(ContainerError, match="damaged or truncated"):
        list(extract_members(truncated, ContainerLimits(), tmp_path))
    deep = make_tar(tmp_path / "deep.tar", {"a": b"a"})
    with pytest.raises(ContainerError) as info:
        inspect_container(deep, ContainerLimits(max_depth=2), depth=2)
    assert info.value.error_type == "ContainerTooDeep"


def test_7z_expands_and_encrypted_7z_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.7z"
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr(b"alpha\n" * 1000, "a.txt")
        archive.writestr(b"beta\n", "dir/b.txt")
    assert container_format(path) == "7z"
    assert sniff_media_type(path) in CONTAINER_MEDIA_TYPES
    assert expand(path, tmp_path) == {"a.txt": b"alpha\n" * 1000, "dir/b.txt": b"beta\n"}
    with pytest.raises(ContainerError, match="more than the limit of 100 bytes"):
        list(extract_members(path, ContainerLimits(max_total_bytes=100), tmp_path))
    secret = tmp_path / "secret.7z"
    with py7zr.SevenZipFile(secret, "w", password="pw", header_encryption=True) as archive:
        archive.writestr(b"privileged", "memo.txt")
    with pytest.raises(ContainerError, match="password-protected") as info:
        inspect_container(secret, ContainerLimits())
    assert info.value.error_type == "EncryptedArchive"
    damaged = tmp_path / "damaged.7z"
    damaged.write_bytes(path.read_bytes()[:40])
    with pytest.raises(ContainerError, match="damaged or truncated"):
        inspect_container(damaged, ContainerLimits())


def test_a_mailbox_of_more_than_1000_messages_expands_to_every_message(tmp_path: Path) -> None:
    box = build_mailbox(seed=19, threads=260)
    path = write_mbox(box, tmp_path / "custodian.mbox")
    assert container_format(path) == "mbox"
    assert container_media_type(path, sniff_media_type(path)) == "application/mbox"
    members = list(extract_members(path, ContainerLimits(), tmp_path))  # 1,000 files at most
    assert len(members) == len(box.messages) >= 1000
    for member, message in zip(members, box.messages, strict=True):
        assert member.error is None
        assert member.info.name.endswith(".eml")
        assert member.path.read_bytes() == message.raw.replace(b"\r\n", b"\n")
        member.path.unlink()
    with pytest.raises(ContainerError) as info:
        inspect_container(path, ContainerLimits(max_messages=1000))
    assert info.value.error_type == "TooManyMembers"


def test_mbox_from_lines_in_bodies_survive(tmp_path: Path) -> None:
    path = tmp_path / "one.mbox"
    box = mailbox.mbox(path)
    box.add(b"From: a@x\nSubject: s\n\nFrom the start:\nFrom here on.\n")
    box.flush()
    box.close()
    (body,) = expand(path, tmp_path).values()
    assert body.endswith(b"\nFrom the start:\nFrom here on.\n")


def test_rar_and_pst_that_are_damaged_fail_clearly(tmp_path: Path) -> None:
    rar = tmp_path / "x.rar"
    rar.write_bytes(b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64)
    assert container_format(rar) == "rar"
    with pytest.raises(ContainerError, match="RAR archive is damaged or truncated"):
        inspect_container(rar, ContainerLimits())
    pst = tmp_path / "x.pst"
    pst.write_bytes(b"!BDN" + b"\x00" * 600)
    assert container_format(pst) == "pst"
    assert container_media_type(pst, "application/vnd.ms-outlook") in CONTAINER_MEDIA_TYPES
    with pytest.raises(ContainerError, match="PST/OST mailbox is damaged or truncated"):
        inspect_container(pst, ContainerLimits())


def test_not_a_container(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"plain words")
    assert container_format(path) is None
    with pytest.raises(ContainerError, match="not a container"):
        inspect_container(path, ContainerLimits())

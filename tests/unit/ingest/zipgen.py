"""Builders of the ZIP files the ingest tests feed in (good ones and hostile ones)."""

from __future__ import annotations

import base64
import io
import zipfile

# `zip -P secret enc.zip terms.txt` (ZipCrypto): a real password-protected archive, kept as
# bytes so that the tests need no zip tool.
ENCRYPTED_ZIP = base64.b64decode(
    "UEsDBAoACQAAAJNmel3pIPvFKgAAAB4AAAAJABwAdGVybXMudHh0VVQJAAOWKwhrlisIa3V4CwABBAAAAAAEAAAAAEQc"
    "LUPWGW5ZtlmMyKTdTUglFwQo1vcAQKYielXPK+JGW8pAeB9S41nu3FBLBwjpIPvFKgAAAB4AAABQSwECHgMKAAkAAACT"
    "Znpd6SD7xSoAAAAeAAAACQAYAAAAAAABAAAApIEAAAAAdGVybXMudHh0VVQFAAOWKwhrdXgLAAEEAAAAAAQAAAAAUEsF"
    "BgAAAAABAAEATwAAAH0AAAAAAA=="
)


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(expanded_bytes: int = 64 * 1024 * 1024) -> bytes:
    """One member of zeros: compresses about 1000 to 1."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.txt", "w", force_zip64=True) as member,
    ):
        block = b"\0" * (1024 * 1024)
        for _ in range(expanded_bytes // len(block)):
            member.write(block)
    return buffer.getvalue()


def nested_zip(depth: int, leaf: bytes = b"the innermost note\n") -> bytes:
    """A chain of ZIPs, each holding the next, ``depth`` ZIPs in all."""
    data = make_zip({"note.txt": leaf})
    for level in range(depth - 1, 0, -1):
        data = make_zip({f"level-{level + 1}.zip": data})
    return data


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]

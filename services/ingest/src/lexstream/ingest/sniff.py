"""Media type by content, not by name: libmagic plus the Office/ODF container check."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Literal

import magic

from lexstream.ingest.containers import CONTAINER_MEDIA_TYPES, container_media_type

Route = Literal["ocr", "transcribe", "container"]

OCR_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "text/html",
        "text/xml",
        "application/xml",
        "application/json",
        "text/csv",
        "text/rtf",
        "application/rtf",
        "message/rfc822",
        "application/vnd.ms-outlook",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.wordperfect",
        "image/png",
        "image/jpeg",
        "image/tiff",
        "image/webp",
        "image/gif",
        "image/bmp",
    }
)

#: ZIP, tar (gzip, bzip2, xz), 7z, RAR, MBOX, PST/OST (lexstream.ingest.containers)
CONTAINER_TYPES = CONTAINER_MEDIA_TYPES

_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _office_container(path: Path) -> str | None:
    """A ZIP may be an OOXML or ODF document; tell them apart by their members."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument"):
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, media_type in _OOXML.items():
                    if any(name.startswith(prefix) for name in names):
                        return media_type
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def sniff_media_type(path: Path) -> str:
    media_type = magic.from_file(str(path), mime=True) or "application/octet-stream"
    # a mailbox is text/plain to libmagic, a PST the same type as an Outlook MSG
    media_type = container_media_type(path, media_type)
    if media_type in ("application/zip", "application/octet-stream") or media_type.startswith(
        "application/vnd."
    ):
        office = _office_container(path)
        if office:
            return office
    if media_type == "text/x-c" or media_type.startswith("text/x-"):
        # libmagic guesses programming languages from prose now and then; it is text
        return "text/plain"
    return media_type


def route_for(media_type: str) -> Route | None:
    if media_type.startswith(("audio/", "video/")):
        return "transcribe"
    if media_type in OCR_TYPES:
        return "ocr"
    if media_type in CONTAINER_TYPES:
        return "container"
    return None

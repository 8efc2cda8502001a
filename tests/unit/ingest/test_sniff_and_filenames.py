from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from tests.samples import FEDERAL_CIRCUIT_PDF, JFK_FLAC, sample

from lexstream.ingest.filenames import MAX_FILENAME_CHARS, sanitize_filename
from lexstream.ingest.sniff import route_for, sniff_media_type


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_sniffed_by_content_not_name(tmp_path: Path) -> None:
    pdf = sample(FEDERAL_CIRCUIT_PDF).read_bytes()
    assert sniff_media_type(write(tmp_path, "looks-like.txt", pdf)) == "application/pdf"


def test_executable_named_pdf_is_not_a_pdf(tmp_path: Path) -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
    media_type = sniff_media_type(write(tmp_path, "brief.pdf", elf))
    assert media_type != "application/pdf"
    assert route_for(media_type) is None


def test_docx_is_recognised_inside_its_zip_container(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    media_type = sniff_media_type(write(tmp_path, "x.bin", buffer.getvalue()))
    assert media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert route_for(media_type) == "ocr"


def test_audio_routes_to_transcribe(tmp_path: Path) -> None:
    flac = sample(JFK_FLAC).read_bytes()
    media_type = sniff_media_type(write(tmp_path, "hearing", flac))
    assert media_type.startswith("audio/")
    assert route_for(media_type) == "transcribe"


def test_random_bytes_are_unsupported(tmp_path: Path) -> None:
    import random

    data = random.Random(7).randbytes(4096)
    assert route_for(sniff_media_type(write(tmp_path, "x.pdf", data))) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\brief.pdf", "brief.pdf"),
        ("a\x00b\x07c.pdf", "abc.pdf"),
        ("", "document"),
        ("..", "document"),
        ("Cafe\u0301.pdf", "Café.pdf"),
    ],
)
def test_filenames_are_sanitised(raw: str, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_long_filenames_keep_their_extension() -> None:
    name = sanitize_filename("x" * 300 + ".pdf")
    assert len(name) == MAX_FILENAME_CHARS
    assert name.endswith(".pdf")

"""Word-processor formats through LibreOffice; zip containers checked before conversion."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import magic
import pytest
from ocr_docgen import wordperfect_51
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import ExtractionError, OcrOptions

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) not installed"
)

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)


@needs_soffice
def test_docx_press_summary_keeps_pages(fixtures: Path, options: OcrOptions) -> None:
    result = extract(fixtures / "uksc_2023_50_press-summary.docx", DOCX, options)
    pages = result.text.pages
    assert len(pages) >= 2
    assert all(p.method == "converted" for p in pages)
    assert "Zubaydah" in pages[0].text
    assert "[2023] UKSC 50" in pages[0].text
    assert result.text.language == "en"


@needs_soffice
@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [("doc", "application/msword"), ("odt", "application/vnd.oasis.opendocument.text")],
)
def test_doc_and_odt_written_by_libreoffice(
    fixtures: Path, tmp_path: Path, options: OcrOptions, suffix: str, media_type: str
) -> None:
    # the real DOCX saved as Word 97-2003 and as ODF by LibreOffice: real files of each kind
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            suffix,
            "--outdir",
            str(tmp_path),
            str(fixtures / "uksc_2023_50_press-summary.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    path = tmp_path / f"uksc_2023_50_press-summary.{suffix}"
    assert magic.from_file(str(path), mime=True) == media_type
    pages = extract(path, media_type, options).text.pages
    assert all(p.method == "converted" for p in pages)
    assert "Zubaydah" in pages[0].text
    assert "[2023] UKSC 50" in pages[0].text


@needs_soffice
def test_wordperfect(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "motion.wpd"
    path.write_bytes(
        wordperfect_51(
            ["IN THE SUPERIOR COURT OF THE STATE", "Motion to dismiss filed by the defendant."]
        )
    )
    media_type = magic.from_file(str(path), mime=True)
    assert media_type == "application/vnd.wordperfect"
    (page,) = extract(path, media_type, options).text.pages
    assert page.method == "converted"
    assert "Motion to dismiss filed by the defendant." in page.text


@needs_soffice
def test_rtf(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "order.rtf"
    path.write_bytes(
        rb"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs24"
        rb" ORDER GRANTING SUMMARY JUDGMENT\par The court grants the motion.\par}"
    )
    (page,) = extract(path, "application/rtf", options).text.pages
    assert "ORDER GRANTING SUMMARY JUDGMENT" in page.text
    assert "The court grants the motion." in page.text


def test_docx_with_an_xml_entity_bomb_is_refused(
    fixtures: Path, tmp_path: Path, options: OcrOptions
) -> None:
    bomb = tmp_path / "bomb.docx"
    with (
        zipfile.ZipFile(fixtures / "uksc_2023_50_press-summary.docx") as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                body = data.split(b"?>", 1)[1]
                data = BILLION_LAUGHS + body.replace(b"Press Summary", b"&lol9;", 1)
            target.writestr(item, data)
    with pytest.raises(ExtractionError, match="entity-expansion bomb"):
        extract(bomb, DOCX, options)


def test_truncated_docx_is_refused(fixtures: Path, tmp_path: Path, options: OcrOptions) -> None:
    data = (fixtures / "uksc_2023_50_press-summary.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExtractionError, match="not a valid zip container"):
        extract(path, DOCX, options)


def test_zip_bomb_docx_is_refused(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "zipbomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (64 * 1024 * 1024))
    small = options.model_copy(update={"max_archive_bytes": 16 * 1024 * 1024})
    with pytest.raises(ExtractionError, match="zip bomb"):
        extract(path, DOCX, small)

"""E-mail: headers and body as text, attachments handed back, broken MIME handled."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import ExtractionError, OcrOptions

EML = "message/rfc822"


def test_scotus_notification(fixtures: Path, options: OcrOptions) -> None:
    result = extract(fixtures / "scotus_email_25-112.eml", EML, options)
    (page,) = result.text.pages
    assert page.text.startswith("From: no-reply@sc-us.gov\nTo: notifications@scotus.recap.email")
    assert "Subject: Supreme Court Electronic Filing System" in page.text
    assert "25-112" in page.text
    assert result.attachments == []


def test_pacer_nef_html_body(fixtures: Path, options: OcrOptions) -> None:
    (page,) = extract(fixtures / "pacer_nef_cand_1.eml", EML, options).text.pages
    assert "4:22-cv-05541-JST" in page.text
    assert "<html" not in page.text.lower()
    assert "<p>" not in page.text.lower()


def test_attachments_are_returned(tmp_path: Path, options: OcrOptions, fixtures: Path) -> None:
    message = EmailMessage()
    message["From"] = "Clerk <clerk@court.example>"
    message["To"] = "counsel@firm.example"
    message["Subject"] = "Order entered in 1:24-cv-00042"
    message["Date"] = "Tue, 02 Jan 2024 10:00:00 +0000"
    message.set_content("Please find the signed order attached.\nRegards, the Clerk")
    pdf = (fixtures / "FederalCircuit-09-1361.pdf").read_bytes()
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename="order.pdf")
    message.add_attachment("exhibit list", filename="exhibits.txt")
    path = tmp_path / "order.eml"
    path.write_bytes(bytes(message))

    result = extract(path, EML, options)
    (page,) = result.text.pages
    assert "Subject: Order entered in 1:24-cv-00042" in page.text
    assert "Please find the signed order attached." in page.text
    assert [(a.filename, a.media_type) for a in result.attachments] == [
        ("order.pdf", "application/pdf"),
        ("exhibits.txt", "text/plain"),
    ]
    assert result.attachments[0].data == pdf
    assert result.attachments[1].data.strip() == b"exhibit list"


def test_malformed_mime_is_degraded_with_a_warning(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "broken.eml"
    path.write_bytes(
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: Broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\n'
        b"The settlement conference is moved to Friday.\r\n"
    )
    result = extract(path, EML, options)
    assert "The settlement conference is moved to Friday." in result.text.pages[0].text
    assert any("StartBoundaryNotFoundDefect" in w for w in result.text.warnings)
    assert any("malformed MIME structure" in w for w in result.text.warnings)


def test_mime_nesting_bomb_is_refused(tmp_path: Path, options: OcrOptions) -> None:
    depth = 60
    parts = [b"From: a@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"]
    for level in range(depth):
        parts.append(
            b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
        )
    parts.append(b"Content-Type: text/plain\r\n\r\ndeep\r\n")
    for level in reversed(range(depth)):
        parts.append(b"--b%d--\r\n" % level)
    path = tmp_path / "nested.eml"
    path.write_bytes(b"".join(parts))
    with pytest.raises(ExtractionError, match="nested deeper than 30"):
        extract(path, EML, options)


def test_not_an_email(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "junk.eml"
    path.write_bytes(b"just some words without any header\n\nmore words\n")
    with pytest.raises(ExtractionError, match="no header fields"):
        extract(path, EML, options)


def test_broken_outlook_msg(tmp_path: Path, options: OcrOptions) -> None:
    path = tmp_path / "broken.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ExtractionError, match="Outlook message cannot be read"):
        extract(path, "application/vnd.ms-outlook", options)

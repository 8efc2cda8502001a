"""A hostile-input corpus built by code: nothing here is downloaded.

Truncated, encrypted and malformed PDFs; decompression bombs in PNG, TIFF, JBIG2 and PDF
streams; ZIP bombs and path-traversal members; XML entity bombs in DOCX and ODT; polyglots;
huge dimensions; invalid and endless audio; files whose extension lies. Every file must end
``failed`` with a reason or ``indexed`` (degraded where it applies) within a time limit and
with bounded memory, and the good files interleaved with them must all be indexed.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tests.reliability.corpus import scan_png, short_wav, text_pdf
from tests.support.factories import mono_wav
from tests.unit.ocr.ocr_docgen import (
    build_pdf,
    pdf_encrypted,
    pdf_huge_image_page,
    pdf_zero_pages,
    stream,
)


@dataclass(frozen=True)
class Hostile:
    name: str  # the filename it is uploaded as
    family: str
    make: Callable[[], bytes]


# -- PDF ------------------------------------------------------------------------------------


def _page_pdf(content: bytes, resources: bytes = b"", extra: list[bytes] | None = None) -> bytes:
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << %s >> >>" % resources,
            content,
            *(extra or []),
        ]
    )


def pdf_truncated() -> bytes:
    data = text_pdf(["a truncated filing", "x" * 40])
    return data[: len(data) // 2]


def pdf_header_only() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def pdf_bad_xref() -> bytes:
    data = bytearray(text_pdf(["bad cross reference table"]))
    at = data.index(b"xref")
    data[at + 20 : at + 120] = b"9" * 100
    return bytes(data).replace(b"startxref", b"startxref\n999999999\n%")


def pdf_flate_bomb() -> bytes:
    """A content stream of 200 MB of spaces, compressed to about 200 KB."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = b"".join(compressor.compress(chunk) for _ in range(200)) + compressor.flush()
    return _page_pdf(stream(b"/Filter /FlateDecode", body))


def pdf_cyclic_pages() -> bytes:
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def pdf_deep_nesting() -> bytes:
    return _page_pdf(stream(b"", b"BT " + b"[" * 50000 + b"]" * 50000 + b" TJ ET"))


def pdf_huge_image_claim() -> bytes:
    """An image XObject that claims 100000 x 100000 pixels with a few bytes of data."""
    image = stream(
        b"/Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode",
        zlib.compress(b"\x00" * 1000),
    )
    return _page_pdf(
        stream(b"", b"q 612 0 0 792 0 0 cm /Im1 Do Q"), b"/XObject << /Im1 5 0 R >>", [image]
    )


def pdf_jbig2_bomb() -> bytes:
    """A JBIG2 image stream with a page of 2^31 x 2^31 pixels."""
    page_info = struct.pack(">IBBBI", 0, 48, 0, 1, 19) + struct.pack(
        ">IIIIBH", 0x7FFFFFFF, 0x7FFFFFFF, 0, 0, 0, 0
    )
    image = stream(
        b"/Type /XObject /Subtype /Image /Width 65535 /Height 65535 /ColorSpace /DeviceGray"
        b" /BitsPerComponent 1 /Filter /JBIG2Decode",
        page_info + b"\x00" * 64,
    )
    return _page_pdf(
        stream(b"", b"q 612 0 0 792 0 0 cm /Im1 Do Q"), b"/XObject << /Im1 5 0 R >>", [image]
    )


def pdf_random_body() -> bytes:
    import random

    rng = random.Random(42)
    return b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(20000))


# -- images ---------------------------------------------------------------------------------


def _tiff(width: int, height: int, strip: bytes, *, next_ifd_self: bool = False) -> bytes:
    """A little-endian TIFF, 1 bit per pixel, one PackBits strip, declared ``width x height``."""
    entries = [
        (256, 4, 1, width),  # ImageWidth
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 1),  # BitsPerSample
        (259, 3, 1, 32773),  # Compression: PackBits
        (262, 3, 1, 0),  # Photometric: white is zero
        (273, 4, 1, 0),  # StripOffsets (patched below)
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, len(strip)),  # StripByteCounts
    ]
    ifd_offset = 8
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = ifd_offset + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 273:
            value = data_offset
        if kind == 3:
            out += struct.pack("<HHIHH", tag, kind, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, count, value)
    out += struct.pack("<I", ifd_offset if next_ifd_self else 0)
    return bytes(out) + strip


def tiff_bomb() -> bytes:
    # PackBits: -127 repeats the next byte 128 times; the strip is far shorter than declared
    return _tiff(60000, 60000, b"\x81\x00" * 5000)


def tiff_ifd_loop() -> bytes:
    return _tiff(100, 100, b"\x81\x00" * 100, next_ifd_self=True)


def jbig2_file_bomb() -> bytes:
    """A stand-alone JBIG2 file whose page claims 2^32-1 x 2^32-1 pixels."""
    header = b"\x97JB2\r\n\x1a\n" + b"\x01" + struct.pack(">I", 1)
    page_info = struct.pack(">IBBBI", 0, 48, 0, 1, 19) + struct.pack(
        ">IIIIBH", 0xFFFFFFFF, 0xFFFFFFFF, 0, 0, 0, 0
    )
    return header + page_info + b"\x00" * 256


def png_bomb_fast(width: int, height: int) -> bytes:
    """Like ``png_bomb`` (a valid 1-bit white PNG of ``width x height``), built in blocks."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    block, blocks, rest = row * 256, height // 256, row * (height % 256)
    # After a full flush deflate forgets its history, so one block compresses to the same
    # bytes every time: compress it once, repeat it, and fix the Adler-32 at the end.
    compressor = zlib.compressobj(9)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(rest) + compressor.flush()
    adler = 1
    for _ in range(blocks):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(rest, adler)
    body = first + again * (blocks - 1) + tail[:-4] + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", bytes(body))
        + chunk(b"IEND", b"")
    )


def png_truncated() -> bytes:
    data = scan_png(["truncated scan"])
    return data[: len(data) // 3]


def png_bad_crc() -> bytes:
    data = bytearray(scan_png(["bad crc"]))
    data[29:33] = b"\x00\x00\x00\x00"  # the IHDR chunk's CRC
    return bytes(data)


def gif_huge_screen() -> bytes:
    return (
        b"GIF89a"
        + struct.pack("<HHBBB", 65535, 65535, 0xF7, 0, 0)
        + b"\x00" * 768
        + b",\x00\x00\x00\x00\xff\xff\xff\xff\x00\x02\x02D\x01\x00;"
    )


def bmp_huge() -> bytes:
    header = b"BM" + struct.pack("<IHHI", 54 + 16, 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 200000, 200000, 1, 24, 0, 16, 2835, 2835, 0, 0)
    return header + info + b"\x00" * 16


def jpeg_truncated() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (800, 600), 128).save(buffer, format="JPEG")
    return buffer.getvalue()[:400]


# -- ZIP ------------------------------------------------------------------------------------


def _zip(members: list[tuple[str, bytes]], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    return _zip([("zeros.bin", b"\x00" * (300 * 1024 * 1024))])


def zip_nested_bomb() -> bytes:
    inner = _zip([("zeros.txt", b"0" * (20 * 1024 * 1024))])
    for depth in range(6):
        inner = _zip([(f"layer{depth}-{i}.zip", inner) for i in range(3)])
    return inner


def zip_traversal() -> bytes:
    return _zip(
        [
            ("../../../../etc/lexstream-pwned.txt", b"path traversal member"),
            ("ok.txt", b"a harmless member next to it"),
        ]
    )


def zip_absolute() -> bytes:
    return _zip([("/etc/cron.d/lexstream", b"* * * * * root true"), ("C:\\evil.txt", b"x")])


def zip_many_members() -> bytes:
    return _zip([(f"m{i}.txt", b"") for i in range(5000)], level=1)


def zip_truncated() -> bytes:
    data = _zip([("a.txt", b"hello " * 1000)])
    return data[: len(data) - 30]


def zip_symlink() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link-to-passwd")
        info.create_system = 3
        info.external_attr = (0o120777 << 16) | 0
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def zip_lying_sizes() -> bytes:
    data = bytearray(_zip([("small.txt", b"y" * 10000)]))
    # the central directory says the member is 1 byte long once expanded
    at = data.index(b"PK\x01\x02")
    data[at + 24 : at + 28] = struct.pack("<I", 1)
    return bytes(data)


# -- office ---------------------------------------------------------------------------------

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    b'.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    b'formats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"'
    b"/></Relationships>"
)
W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(document_xml: bytes) -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", RELS),
            ("word/document.xml", document_xml),
        ]
    )


def docx_billion_laughs() -> bytes:
    body = b"<w:document %s><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body>" % W
    return _docx(LAUGHS.replace(b"lolz", b"w:document") + body + b"</w:document>")


def docx_xxe() -> bytes:
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    )
    body = b"<w:document %s><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>" % W
    return _docx(doctype + body)


def docx_xml_bomb_size() -> bytes:
    """A document.xml of 300 MB (one run of spaces) compressed to about 300 KB."""
    big = b"<w:document %s><w:body><w:p><w:r><w:t>" % W + b" " * (300 * 1024 * 1024)
    return _docx(big + b"</w:t></w:r></w:p></w:body></w:document>")


def docx_missing_parts() -> bytes:
    return _zip([("[Content_Types].xml", CONTENT_TYPES), ("word/garbage.bin", b"\x00" * 100)])


def odt_billion_laughs() -> bytes:
    ns = (
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        LAUGHS.replace(b"lolz", b"office:document-content")
        + b"<office:document-content %s><office:body><office:text><text:p>&lol9;</text:p>" % ns
        + b"</office:text></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            b'opendocument:xmlns:manifest:1.0"/>',
            zipfile.ZIP_DEFLATED,
        )
    return buffer.getvalue()


# -- polyglots and lies ---------------------------------------------------------------------


def pdf_zip_polyglot() -> bytes:
    return text_pdf(["a polyglot: PDF in front"]) + _zip([("hidden.txt", b"behind the PDF")])


def gif_zip_polyglot() -> bytes:
    return gif_huge_screen()[:13] + b"\x00" * 10 + _zip([("payload.js", b"alert(1)")])


def html_as_pdf() -> bytes:
    return b"<html><body><script>alert(document.cookie)</script>not a PDF</body></html>"


def elf_as_pdf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


def shell_as_docx() -> bytes:
    return b"#!/bin/sh\nrm -rf / --no-preserve-root\n"


def png_as_wav() -> bytes:
    return scan_png(["an image that says it is a recording"])


# -- audio ----------------------------------------------------------------------------------


def wav_lying_length() -> bytes:
    data = bytearray(short_wav(3, seconds=0.5))
    data[4:8] = struct.pack("<I", 0xFFFFFFF0)  # RIFF size
    data[40:44] = struct.pack("<I", 0xFFFFFFF0)  # data chunk size: "endless"
    return bytes(data)


def wav_zero_channels() -> bytes:
    data = bytearray(short_wav(4, seconds=0.5))
    data[22:24] = b"\x00\x00"  # channels = 0
    return bytes(data)


def wav_too_long() -> bytes:
    """130 s of 8 kHz 8-bit silence: longer than the limit the services run with (120 s)."""
    return mono_wav(b"\x80" * 8000 * 130, rate=8000, sample_width=1)


def flac_truncated() -> bytes:
    from tests.samples import JFK_FLAC, sample

    data = sample(JFK_FLAC).read_bytes()
    return data[:2000]


def mp3_random() -> bytes:
    import random

    rng = random.Random(7)
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(rng.randrange(256) for _ in range(20000))


def mp3_endless_frames() -> bytes:
    """MPEG frame headers with nothing valid behind them, over and over."""
    return (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 2000


CORPUS: list[Hostile] = [
    Hostile("truncated.pdf", "pdf", pdf_truncated),
    Hostile("header-only.pdf", "pdf", pdf_header_only),
    Hostile("encrypted.pdf", "pdf", lambda: pdf_encrypted(b"secret", b"owner", "sealed")),
    Hostile("bad-xref.pdf", "pdf", pdf_bad_xref),
    Hostile("zero-pages.pdf", "pdf", pdf_zero_pages),
    Hostile("huge-page.pdf", "pdf", lambda: pdf_huge_image_page(14400)),
    Hostile("flate-bomb.pdf", "pdf", pdf_flate_bomb),
    Hostile("cyclic-pages.pdf", "pdf", pdf_cyclic_pages),
    Hostile("deep-nesting.pdf", "pdf", pdf_deep_nesting),
    Hostile("huge-image-claim.pdf", "pdf", pdf_huge_image_claim),
    Hostile("jbig2-bomb.pdf", "pdf", pdf_jbig2_bomb),
    Hostile("random-body.pdf", "pdf", pdf_random_body),
    Hostile("bomb-30k.png", "image", lambda: png_bomb_fast(30000, 30000)),
    Hostile("bomb-100k.png", "image", lambda: png_bomb_fast(100000, 100000)),
    Hostile("truncated.png", "image", png_truncated),
    Hostile("bad-crc.png", "image", png_bad_crc),
    Hostile("bomb.tiff", "image", tiff_bomb),
    Hostile("ifd-loop.tiff", "image", tiff_ifd_loop),
    Hostile("bomb.jb2", "image", jbig2_file_bomb),
    Hostile("huge-screen.gif", "image", gif_huge_screen),
    Hostile("huge.bmp", "image", bmp_huge),
    Hostile("truncated.jpg", "image", jpeg_truncated),
    Hostile("bomb.zip", "zip", zip_bomb),
    Hostile("nested-bomb.zip", "zip", zip_nested_bomb),
    Hostile("traversal.zip", "zip", zip_traversal),
    Hostile("absolute.zip", "zip", zip_absolute),
    Hostile("many-members.zip", "zip", zip_many_members),
    Hostile("truncated.zip", "zip", zip_truncated),
    Hostile("symlink.zip", "zip", zip_symlink),
    Hostile("lying-sizes.zip", "zip", zip_lying_sizes),
    Hostile("laughs.docx", "office", docx_billion_laughs),
    Hostile("xxe.docx", "office", docx_xxe),
    Hostile("xml-size-bomb.docx", "office", docx_xml_bomb_size),
    Hostile("missing-parts.docx", "office", docx_missing_parts),
    Hostile("laughs.odt", "office", odt_billion_laughs),
    Hostile("polyglot-pdf-zip.pdf", "polyglot", pdf_zip_polyglot),
    Hostile("polyglot-gif-zip.gif", "polyglot", gif_zip_polyglot),
    Hostile("script.pdf", "deceptive", html_as_pdf),
    Hostile("program.pdf", "deceptive", elf_as_pdf),
    Hostile("script.docx", "deceptive", shell_as_docx),
    Hostile("image.wav", "deceptive", png_as_wav),
    Hostile("endless.wav", "audio", wav_lying_length),
    Hostile("zero-channels.wav", "audio", wav_zero_channels),
    Hostile("too-long.wav", "audio", wav_too_long),
    Hostile("truncated.flac", "audio", flac_truncated),
    Hostile("random.mp3", "audio", mp3_random),
    Hostile("endless-frames.mp3", "audio", mp3_endless_frames),
]

"""Makers of test documents: text rendered at 300 DPI, hand-built PDFs, e-mails.

Shared by the unit tests and bench/ocr so that both exercise the same kind of input.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

LETTER_300 = (2550, 3300)
#: DejaVu (Debian fonts-dejavu-core) has every accented letter of the seven languages;
#: Pillow's built-in font is the fallback.
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


def font(size: int, path: Path | None = None) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in ([path] if path else []) + [p for p in FONT_FILES if p.is_file()]:
        return ImageFont.truetype(str(candidate), size)
    return ImageFont.load_default(size=size)


def render_page(
    lines: Sequence[str],
    size: tuple[int, int] = LETTER_300,
    font_px: int = 44,
    margin: int = 200,
    line_gap: float = 1.6,
    font_path: Path | None = None,
) -> Image.Image:
    """Black text on white, like a clean 300 DPI scan of a typed page (mode L)."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    face = font(font_px, font_path)
    y = margin
    for line in lines:
        draw.text((margin, y), line, font=face, fill=0)
        y += int(font_px * line_gap)
    return image


def save_scanned_pdf(pages: Sequence[Image.Image], path: Path, dpi: int = 300) -> Path:
    """An image-only PDF (no text layer), as a scanner writes it."""
    first, *rest = [page.convert("L") for page in pages]
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return path


# -- hand-built PDFs --------------------------------------------------------------------


def build_pdf(objects: Sequence[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF whose object N is ``objects[N-1]``; object 1 must be the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, trailer_extra, xref)
    )
    return out.getvalue()


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (dictionary, len(data)) + data + b"\nendstream"


def _gray_image_stream(image: Image.Image) -> bytes:
    gray = image.convert("L")
    return stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Filter /FlateDecode" % gray.size,
        zlib.compress(gray.tobytes()),
    )


def pdf_with_garbage_text_layer(image: Image.Image, garbage: str, dpi: int = 300) -> bytes:
    """A scanned page whose invisible text layer is symbol soup (a font with no Unicode map)."""
    width_pt = image.width * 72 / dpi
    height_pt = image.height * 72 / dpi
    text = garbage.replace("\\", "").replace("(", "").replace(")", "")
    content = b"q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q\n" % (
        width_pt,
        height_pt,
    ) + b"BT 3 Tr /F1 11 Tf 72 %.2f Td (%s) Tj ET" % (height_pt - 72, text.encode("latin-1"))
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R"
            b" /Resources << /XObject << /Im1 5 0 R >> /Font << /F1 6 0 R >> >> >>"
            % (width_pt, height_pt),
            stream(b"", content),
            _gray_image_stream(image),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def pdf_huge_image_page(side_pt: float) -> bytes:
    """One page ``side_pt`` points square carrying only an image (so it needs OCR)."""
    content = b"q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q" % (side_pt, side_pt)
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R"
            b" /Resources << /XObject << /Im1 5 0 R >> >> >>" % (side_pt, side_pt),
            stream(b"", content),
            _gray_image_stream(Image.new("L", (8, 8), 200)),
        ]
    )


def pdf_zero_pages() -> bytes:
    return build_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def pdf_encrypted(user_password: bytes, owner_password: bytes, text: str) -> bytes:
    """A real RC4-40 (standard security handler, revision 2) PDF needing ``user_password``."""
    file_id = hashlib.md5(b"lexstream-test").digest()
    permissions = struct.pack("<i", -44)
    user_pad = (user_password + _PAD)[:32]
    owner_key = hashlib.md5((owner_password + _PAD)[:32]).digest()[:5]
    owner_entry = _rc4(owner_key, user_pad)
    key = hashlib.md5(user_pad + owner_entry + permissions + file_id).digest()[:5]
    user_entry = _rc4(key, _PAD)

    def encrypt(number: int, data: bytes) -> bytes:
        object_key = hashlib.md5(key + struct.pack("<i", number)[:3] + b"\x00\x00").digest()[:10]
        return _rc4(object_key, data)

    content = b"BT /F1 24 Tf 72 700 Td (%s) Tj ET" % text.encode("latin-1")
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            stream(b"", encrypt(4, content)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -44 >>"
            % (owner_entry.hex().encode(), user_entry.hex().encode()),
        ],
        trailer_extra=b"/Encrypt 6 0 R /ID [<%s> <%s>] " % ((file_id.hex().encode(),) * 2),
    )


# -- images -----------------------------------------------------------------------------


def bilevel_png(width: int, height: int, idat: bytes) -> bytes:
    """A 1-bit greyscale PNG of ``width`` x ``height`` around the zlib stream ``idat``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of ``width`` x ``height`` white pixels, compressed to a few KB."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = bytearray()
    for _ in range(height):
        body += compressor.compress(row)
    body += compressor.flush()
    return bilevel_png(width, height, bytes(body))


def wordperfect_51(paragraphs: list[str]) -> bytes:
    """A WordPerfect 5.1 document built from the published file format: the 16-byte prefix
    (0xFF "WPC", pointer to the document area, product 1, file type 10 = document, version
    0.1, no encryption) and the text, with 0x0A hard returns."""
    prefix = b"\xffWPC" + struct.pack("<I", 16) + bytes([1, 10, 0, 1]) + b"\x00" * 4
    return prefix + b"".join(p.encode("ascii") + b"\x0a" for p in paragraphs)


# -- text layers over scans -------------------------------------------------------------


def pdf_page(
    lines: Sequence[tuple[str, float, float, float]],
    image: Image.Image | None = None,
    image_box: tuple[float, float, float, float] | None = None,
    size_pt: tuple[float, float] = (612, 792),
    invisible: bool = False,
) -> bytes:
    """One page of ``size_pt``: ``image`` (if any) drawn over ``image_box`` (x, y, width,
    height in points; the whole page when None), then each ``(text, x, y, font size)`` line
    in Helvetica, drawn visibly (an e-filing stamp, a born-digital page) or, with
    ``invisible``, as an OCR'd scan's hidden text layer."""
    width_pt, height_pt = size_pt
    content = b""
    resources = b"/Font << /F1 5 0 R >>"
    if image is not None:
        x, y, w, h = image_box or (0, 0, width_pt, height_pt)
        content += b"q %.2f 0 0 %.2f %.2f %.2f cm /Im1 Do Q\n" % (w, h, x, y)
        resources += b" /XObject << /Im1 6 0 R >>"
    mode = 3 if invisible else 0
    for text, x, y, size in lines:
        safe = text.replace("\\", "").replace("(", "").replace(")", "").encode("latin-1")
        content += b"BT %d Tr /F1 %.1f Tf %.2f %.2f Td (%s) Tj ET\n" % (mode, size, x, y, safe)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Contents 4 0 R"
        b" /Resources << %s >> >>" % (width_pt, height_pt, resources),
        stream(b"", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if image is not None:
        objects.append(_gray_image_stream(image))
    return build_pdf(objects)

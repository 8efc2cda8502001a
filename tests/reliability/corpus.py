"""Small, unique documents made in code: one-page text PDFs, scanned pages, short WAVs.

Every document carries a token of its own (in its text, or in its samples for audio) so no two
submissions have the same bytes: content deduplication never merges two of them, and a search
for the token finds exactly one document.
"""

from __future__ import annotations

import io
import math
import random
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw

from tests.support.factories import mono_wav
from tests.unit.ocr.ocr_docgen import build_pdf, font, stream


@dataclass(frozen=True)
class Doc:
    external_id: str
    filename: str
    data: bytes
    kind: str  # "pdf", "scan", "audio"
    token: str


def _pdf_text(text: str) -> bytes:
    return text.replace("\\", "").replace("(", "").replace(")", "").encode("latin-1", "replace")


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica), built by hand."""
    ops = [b"BT /F1 12 Tf 72 720 Td 16 TL"]
    ops += [b"(%s) '" % _pdf_text(line) for line in lines]
    ops.append(b"ET")
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            stream(b"", b"\n".join(ops)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def scan_png(lines: list[str]) -> bytes:
    """A small greyscale 'scan' (text rendered at about 200 DPI) that needs OCR."""
    image = Image.new("L", (1400, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    face = font(40)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 70 * i), line, font=face, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(200, 200))
    return buffer.getvalue()


def short_wav(seed: int, seconds: float = 1.0) -> bytes:
    """A mono 16 kHz tone with a little noise of its own: unique bytes, quick to transcribe."""
    rng = random.Random(seed)
    rate = 16000
    freq = 220 + seed % 400
    frames = bytearray()
    for i in range(int(seconds * rate)):
        sample = 6000 * math.sin(2 * math.pi * freq * i / rate) + rng.randint(-300, 300)
        frames += struct.pack("<h", int(sample))
    return mono_wav(bytes(frames), rate=rate)


def token_for(run: str, i: int) -> str:
    # letters only, so the analyzers keep it as one term: e.g. "qzrunabcdxkq"
    letters = "".join(chr(ord("a") + ord(c) % 26) for c in f"{run}{i:05x}")
    return f"qz{letters}"


def mixed(run: str, n: int, *, scans: float = 0.15, audio: float = 0.1) -> list[Doc]:
    """``n`` documents: mostly text PDFs, some scans and some recordings, interleaved."""
    docs = []
    every_scan = max(1, round(1 / scans)) if scans else 0
    every_audio = max(1, round(1 / audio)) if audio else 0
    for i in range(n):
        token = token_for(run, i)
        external_id = f"{run}-{i:04d}"
        if every_audio and i % every_audio == every_audio - 1:
            # the run's own tones: a recording of an earlier run would be its cached transcript
            tone = short_wav(zlib.crc32(run.encode()) * 1000 + i)
            docs.append(Doc(external_id, f"hearing-{i}.wav", tone, "audio", token))
        elif every_scan and i % every_scan == every_scan // 2:
            lines = [f"Exhibit {i} of the claimant", f"Reference {token}"]
            docs.append(Doc(external_id, f"exhibit-{i}.png", scan_png(lines), "scan", token))
        else:
            lines = [
                f"IN THE HIGH COURT OF JUSTICE - claim {i}",
                "The claimant seeks damages for breach of contract.",
                f"Reference {token}",
            ]
            docs.append(Doc(external_id, f"filing-{i}.pdf", text_pdf(lines), "pdf", token))
    return docs

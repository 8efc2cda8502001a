"""Per-core rates the capacity model (docs/capacity.md) starts from, measured in one run.

    uv run python bench/load/capacity_probe.py [--scanned-pages 4] [--text-pages 200]

* OCR: seconds per scanned letter page at 300 DPI (English, one Tesseract worker, warm pool);
* text layer: pages per second of a born-digital PDF (no OCR);
Both through ``lexstream.ocr.extract.extract_text``, the code the ocr service runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.unit.ocr.ocr_docgen import (  # noqa: E402
    build_pdf,
    render_page,
    save_scanned_pdf,
    stream,
)

from lexstream.ocr.extract import OcrOptions, OcrPool, extract_text  # noqa: E402
from lexstream.ocr.languages import find_tessdata  # noqa: E402

LINES = [
    "IN THE HIGH COURT OF JUSTICE, BUSINESS AND PROPERTY COURTS",
    "Claim No. BL-2024-000123 between Quillfeather Ltd (Claimant) and Brandmoor plc",
    "1. The claimant seeks damages for breach of a supply contract dated 4 March 2021.",
    "2. The defendant denies that any term was breached and counterclaims for the price.",
] * 8


def text_pdf(pages: int) -> bytes:
    kids, objects = [], [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    for _ in range(pages):
        page_no, content_no = len(objects) + 1, len(objects) + 2
        kids.append(b"%d 0 R" % page_no)
        ops = b"BT /F1 10 Tf 50 760 Td 14 TL " + b" ".join(
            b"(%s) '" % line.encode() for line in LINES
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 %d 0 R >> >> >>" % (content_no, 3 + 2 * pages)
        )
        objects.append(stream(b"", ops + b" ET"))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return build_pdf(objects)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scanned-pages", type=int, default=4)
    parser.add_argument("--text-pages", type=int, default=200)
    args = parser.parse_args()
    options = OcrOptions(workers=1, language_hint="en")
    with tempfile.TemporaryDirectory() as tmp:
        scanned = save_scanned_pdf(
            [render_page(LINES[:12]) for _ in range(args.scanned_pages)], Path(tmp) / "scan.pdf"
        )
        text = Path(tmp) / "text.pdf"
        text.write_bytes(text_pdf(args.text_pages))
        with OcrPool(1, str(find_tessdata())) as pool:
            extract_text(
                scanned, media_type="application/pdf", document_id="w", options=options, pool=pool
            )
            started = time.perf_counter()
            extract_text(
                scanned, media_type="application/pdf", document_id="s", options=options, pool=pool
            )
            ocr_s = (time.perf_counter() - started) / args.scanned_pages
        started = time.perf_counter()
        result = extract_text(text, media_type="application/pdf", document_id="t", options=options)
        text_rate = args.text_pages / (time.perf_counter() - started)
    assert len(result.text.pages) == args.text_pages
    print(f"OCR, one worker (one core): {ocr_s:.2f} s per scanned page")
    print(f"  = {3600 / ocr_s:.0f} pages/hour per core")
    print(f"text layer, one process: {text_rate:.0f} pages/s")


if __name__ == "__main__":
    main()

"""Pages per second: lexstream OCR vs OCRmyPDF on the same scanned PDF, and text-layer reading.

    uv run --with 'ocrmypdf>=16' python bench/ocr/throughput.py \\
        [--scanned-pages 8] [--text-pages 500]

(``--scanned-pages 0`` times the text layer alone.)
(``ocrmypdf`` is also the ``bench`` extra of lexstream-ocr.) Both OCR runs use the
system Tesseract models, English, all cores (--jobs = workers), text output only
(lexstream: TextDocument; OCRmyPDF: --sidecar with --output-type none, pypdfium rasterizer).
Text-layer reading is compared with poppler's pdftotext on a generated 500-page text PDF.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import time
import zlib
from pathlib import Path

from _common import CACHE, SENTENCES, levenshtein, normalise
from ocr_docgen import build_pdf, render_page, save_scanned_pdf, stream

from lexstream.ocr.extract import OcrOptions, OcrPool, extract_text
from lexstream.ocr.languages import find_tessdata


def scanned_pdf(pages: int) -> tuple[Path, list[str]]:
    path: Path = CACHE / f"scanned-{pages}.pdf"
    rng = random.Random(7)
    truths = []
    images = []
    for _ in range(pages):
        lines = [rng.choice(SENTENCES["en"]) for _ in range(30)]
        truths.append("\n".join(lines))
        images.append(render_page(lines, font_px=40, line_gap=1.9))
    if not path.is_file():
        save_scanned_pdf(images, path)
    return path, truths


def text_pdf(pages: int) -> Path:
    """A born-digital PDF: object 3 is the font, page k is object 4+2k, its content 5+2k."""
    path: Path = CACHE / f"text-{pages}.pdf"
    if path.is_file():
        return path
    rng = random.Random(11)
    kids = [4 + 2 * k for k in range(pages)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % kid for kid in kids), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for kid in kids:
        lines = [rng.choice(SENTENCES["en"]) for _ in range(45)]
        body = (
            b"BT /F1 10 Tf 14 TL 60 750 Td "
            + b" ".join(b"(%s) '" % line.encode("latin-1") for line in lines)
            + b" ET"
        )
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R"
            b" /Resources << /Font << /F1 3 0 R >> >> >>" % (kid + 1)
        )
        objects.append(stream(b"/Filter /FlateDecode", zlib.compress(body)))
    path.write_bytes(build_pdf(objects))
    return path


def timed(fn: object) -> float:
    started = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scanned-pages", type=int, default=8)
    parser.add_argument("--text-pages", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    options = OcrOptions(workers=args.workers, language_hint="en")

    if args.scanned_pages > 0:
        scanned_section(args.scanned_pages, args.workers, options)
    text_section(args.text_pages, options)


def scanned_section(n: int, workers: int, options: OcrOptions) -> None:
    scanned, truths = scanned_pdf(n)
    print(f"scanned PDF: {n} letter pages at 300 DPI, {workers} workers")
    results = {}

    def lexstream_cold() -> None:
        results["cold"] = extract_text(
            scanned, media_type="application/pdf", document_id="b", options=options
        )

    cold = timed(lexstream_cold)
    with OcrPool(workers, str(find_tessdata())) as pool:
        extract_text(
            scanned, media_type="application/pdf", document_id="w", options=options, pool=pool
        )  # warm the workers

        def lexstream_warm() -> None:
            results["warm"] = extract_text(
                scanned, media_type="application/pdf", document_id="b", options=options, pool=pool
            )

        warm = timed(lexstream_warm)
    got = [normalise(p.text) for p in results["warm"].text.pages]
    cer = sum(levenshtein(normalise(t), g) for t, g in zip(truths, got, strict=True)) / sum(
        len(normalise(t)) for t in truths
    )
    print(f"  lexstream (new pool per call) {n / cold:6.2f} pages/s  ({cold:.1f} s)")
    print(f"  lexstream (warm shared pool)  {n / warm:6.2f} pages/s  ({warm:.1f} s)  CER {cer:.2%}")

    ocrmypdf = shutil.which("ocrmypdf")
    if ocrmypdf is None:
        print("  ocrmypdf not installed: run with `uv run --with 'ocrmypdf>=16' ...`")
    else:
        sidecar = CACHE / "ocrmypdf-sidecar.txt"
        command = [
            ocrmypdf,
            "-q",
            "-l",
            "eng",
            "--jobs",
            str(workers),
            "--rotate-pages",
            "--rasterizer",
            "pypdfium",
            "--output-type",
            "none",
            "--sidecar",
            str(sidecar),
            str(scanned),
            "-",
        ]
        baseline = timed(lambda: subprocess.run(command, check=True, stdout=subprocess.DEVNULL))
        pages_text = sidecar.read_text().split("\f")
        base_cer = sum(
            levenshtein(normalise(t), normalise(g))
            for t, g in zip(truths, pages_text, strict=False)
        ) / sum(len(normalise(t)) for t in truths)
        print(
            f"  OCRmyPDF --sidecar           {n / baseline:6.2f} pages/s  ({baseline:.1f} s)"
            f"  CER {base_cer:.2%}"
        )
        print(
            f"  ratio lexstream/OCRmyPDF: cold {baseline / cold:.2f}x, warm {baseline / warm:.2f}x"
        )


def text_section(m: int, options: OcrOptions) -> None:
    """Wall time, and CPU time too: on a shared machine the wall-clock ratio moves with
    whatever else runs, the CPU-time ratio much less (both programs use one core)."""
    text = text_pdf(m)
    results = {}

    def lexstream() -> None:
        results["text"] = extract_text(
            text, media_type="application/pdf", document_id="t", options=options
        )

    cpu = time.process_time()
    layer = timed(lexstream)
    layer_cpu = time.process_time() - cpu
    words = sum(len(page.words) for page in results["text"].text.pages)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    poppler = timed(
        lambda: subprocess.run(["pdftotext", str(text), str(CACHE / "p.txt")], check=True)
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    poppler_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"text PDF: {m} pages, {words / m:.0f} word boxes a page")
    print(
        f"  lexstream text layer {m / layer:8.1f} pages/s  ({layer:.2f} s, CPU {layer_cpu:.2f} s)"
    )
    print(
        f"  pdftotext            {m / poppler:8.1f} pages/s"
        f"  ({poppler:.2f} s, CPU {poppler_cpu:.2f} s)"
    )
    print(
        f"  ratio lexstream/pdftotext: {poppler / layer:.2f}x"
        f" (CPU time: {poppler_cpu / layer_cpu:.2f}x)"
    )


if __name__ == "__main__":
    main()

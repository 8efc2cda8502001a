"""Character error rate of lexstream's OCR on synthetic 300 DPI scans, per language.

Pages are generated into $TMPDIR/lexstream-bench-ocr/cer (or $LEXSTREAM_BENCH_CACHE/cer):
text rendered with Pillow, and noisy variants with skew, speckle noise, blur and heavy
JPEG compression, each with its ground truth.

    uv run python bench/ocr/cer_eval.py [--pages-per-language 4] [--hint]

Without --hint the language is detected (English first pass, then the detected model).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import time
from pathlib import Path

from _common import CACHE, SENTENCES, levenshtein, normalise
from ocr_docgen import render_page
from PIL import Image, ImageFilter

from lexstream.ocr.extract import OcrOptions, OcrPool, extract_text
from lexstream.ocr.languages import find_tessdata


def noisy(image: Image.Image, rng: random.Random) -> Image.Image:
    skewed = image.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BICUBIC, fillcolor=255)
    speckle = Image.effect_noise(skewed.size, 60)
    mixed = Image.blend(skewed, speckle, 0.3).filter(ImageFilter.GaussianBlur(1.0))
    buffer = io.BytesIO()
    mixed.save(buffer, "JPEG", quality=15)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def generate(folder: Path, per_language: int) -> list[dict[str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / f"manifest-{per_language}.json"
    if manifest.is_file():
        return list(json.loads(manifest.read_text()))
    items = []
    for language, sentences in SENTENCES.items():
        for n in range(per_language):
            rng = random.Random(f"{language}-{n}")
            lines = rng.sample(sentences, 6)
            page = render_page(lines, size=(2550, 1300), font_px=40)
            for variant in ("clean", "noisy"):
                image = page if variant == "clean" else noisy(page, rng)
                path = folder / f"{language}-{n:02d}-{variant}.png"
                image.save(path, dpi=(300, 300))
                items.append(
                    {
                        "path": str(path),
                        "language": language,
                        "variant": variant,
                        "truth": "\n".join(lines),
                    }
                )
    manifest.write_text(json.dumps(items, ensure_ascii=False, indent=1))
    return items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages-per-language", type=int, default=4)
    parser.add_argument("--hint", action="store_true", help="pass the true language as a hint")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    items = generate(CACHE / "cer", args.pages_per_language)
    print(f"{len(items)} pages ({args.pages_per_language} per language x clean/noisy)")
    errors: dict[tuple[str, str], list[float]] = {}
    detected_ok = 0
    started = time.perf_counter()
    with OcrPool(args.workers, str(find_tessdata())) as pool:
        for item in items:
            options = OcrOptions(
                workers=args.workers, language_hint=item["language"] if args.hint else None
            )
            result = extract_text(
                Path(item["path"]),
                media_type="image/png",
                document_id=Path(item["path"]).stem,
                options=options,
                pool=pool,
            )
            truth, got = normalise(item["truth"]), normalise(result.text.text)
            cer = levenshtein(truth, got) / len(truth)
            errors.setdefault((item["language"], item["variant"]), []).append(cer)
            detected_ok += result.text.language == item["language"]
    elapsed = time.perf_counter() - started
    print(f"{'language':8} {'clean CER':>10} {'noisy CER':>10}")
    for language in SENTENCES:
        clean = statistics.mean(errors[(language, "clean")])
        dirty = statistics.mean(errors[(language, "noisy")])
        print(f"{language:8} {clean:10.2%} {dirty:10.2%}")
    all_clean = statistics.mean(v for (_, k), vs in errors.items() if k == "clean" for v in vs)
    all_noisy = statistics.mean(v for (_, k), vs in errors.items() if k == "noisy" for v in vs)
    print(f"{'all':8} {all_clean:10.2%} {all_noisy:10.2%}")
    print(
        f"language identified correctly on {detected_ok}/{len(items)} pages"
        f" ({'hinted' if args.hint else 'detected'}); {len(items) / elapsed:.2f} pages/s"
    )


if __name__ == "__main__":
    main()

"""Tables and reading order on pages built by code: cell accuracy, detection P/R, cost.

    uv run --frozen python bench/structure/tables.py [--tables 120] [--scans 12] [--columns 40]

Every page is generated (``tests/unit/ocr/tablegen.py``: ruled and unruled tables, merged
headers, numbers, multi-line cells; two-column pages drawn line by line) and split into
dev/test by ``bench/eval/split.py`` on its file name; rules were tuned on dev, the README
quotes test. Through ``lexstream.ocr.extract.extract_text`` (the code the service runs):

* cell accuracy: the share of the truth grid's cells whose text the found table has at the
  same row and column, exactly after whitespace normalisation (a merged cell counts in its
  first position, the positions it covers as empty);
* detection: a found table is right when its cells hold at least half the truth's cell texts;
  precision over all tables found (pages of prose and two-column pages included, which hold
  none), recall over the tables built;
* cross-check: pdfplumber's ``text`` strategy on the same unruled blocks, and ``lines`` only;
* cost: seconds a page of the PDF extractor with table detection and without it (the gate
  turned off), the same pages in the same run;
* reading order: the share of two-column pages whose words come out in the order the
  script wrote them (title, left column, right column), with and without the reordering.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.eval.split import half_of  # noqa: E402
from tests.unit.ocr.tablegen import (  # noqa: E402
    TableSpec,
    random_spec,
    scan_of,
    table_pdf,
    two_column_pdf,
)

from lexstream.ocr.extract import OcrOptions, extract_text  # noqa: E402
from lexstream.ocr.extractors import ocrplan as ocrplan_module  # noqa: E402
from lexstream.ocr.extractors import pdf as pdf_module  # noqa: E402
from lexstream.ocr.extractors.pdf import _read_text_layer, open_pdf  # noqa: E402
from lexstream.ocr.tables import grid_texts, normalise, pdf_tables  # noqa: E402
from lexstream.shared.artifacts import Table  # noqa: E402


def _extract(path: Path, options: OcrOptions) -> list:  # type: ignore[type-arg]
    return extract_text(
        path, media_type="application/pdf", document_id="bench", options=options
    ).text.pages


@contextmanager
def _without(
    name: str, replacement: Callable[..., object], module: object = pdf_module
) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


def _score(found: list[Table], spec: TableSpec | None) -> tuple[int, int, int, int, int]:
    """(true positives, false positives, false negatives, cells right, cells)."""
    if spec is None:
        return 0, len(found), 0, 0, 0
    truth = [[normalise(c) for c in row] for row in spec.grid]
    cells = sum(len(row) for row in truth)
    wanted = {c for row in truth for c in row if c}
    best, best_right = None, -1
    for table in found:
        grid = grid_texts(table)
        got = {c for row in grid for c in row if c}
        if len(wanted & got) >= 0.5 * len(wanted):
            right = sum(
                a == b
                for ra, rb in zip(grid, truth, strict=False)
                for a, b in zip(ra, rb, strict=False)
            )
            if right > best_right:
                best, best_right = table, right
    if best is None:
        return 0, len(found), 1, 0, cells
    return 1, len(found) - 1, 0, best_right, cells


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])

    def add(self, key: str, score: tuple[int, int, int, int, int]) -> None:
        for i, value in enumerate(score):
            self.counts[key][i] += value

    def line(self, key: str) -> str:
        tp, fp, fn, right, cells = self.counts[key]
        if tp + fn == 0:
            return f"{key:<28} no tables built: {fp} found (false positives)"
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        accuracy = right / cells if cells else 0.0
        return (
            f"{key:<28} tables {tp + fn:>3}  P {precision:.3f}  R {recall:.3f}"
            f"  cell accuracy {accuracy:.3f} ({right}/{cells})"
        )


def text_pdfs(count: int, folder: Path, options: OcrOptions) -> None:
    tally = Tally()
    cross = Tally()
    with_tables: dict[str, list[float]] = defaultdict(list)
    without_tables: dict[str, list[float]] = defaultdict(list)
    negatives = [
        (f"columns-{i:04d}.pdf", two_column_pdf(10_000 + i, folder / f"neg-{i}.pdf"))
        for i in range(count // 6)
    ]
    jobs: list[tuple[Path, TableSpec | None]] = []
    for seed in range(count):
        spec = random_spec(seed)
        jobs.append((table_pdf(spec, folder / spec.name), spec))
    jobs += [(folder / f"neg-{i}.pdf", None) for i in range(len(negatives))]
    for path, spec in jobs:
        name = spec.name if spec else f"columns-{path.stem}.pdf"
        half = half_of(name)
        kind = "none" if spec is None else ("ruled" if spec.ruled else "unruled")
        start = time.perf_counter()
        with _without("page_may_hold_table", lambda *_: False):
            _extract(path, options)
        cost_key = "table pages" if spec else "two-column pages (no table)"
        without_tables[cost_key].append(time.perf_counter() - start)
        start = time.perf_counter()
        pages = _extract(path, options)
        with_tables[cost_key].append(time.perf_counter() - start)
        found = [t for page in pages for t in page.tables]
        score = _score(found, spec)
        tally.add(f"{half} all", score)
        tally.add(f"{half} {kind}", score)
        if spec is not None and spec.merged_header:
            tally.add(f"{half} merged header", score)
        if spec is not None and spec.multiline:
            tally.add(f"{half} multi-line cells", score)
        document = open_pdf(path)
        words = _read_text_layer(document, 0, options.dpi, 25).words
        document.close()
        for strategy in ("lines", "text"):
            other = pdf_tables(path, {0: words}, options.dpi, strategy=strategy).get(0, [])
            cross.add(f"{half} {strategy} {kind}", _score(other, spec))
    print(f"text PDFs: {count} table pages, {len(negatives)} two-column pages without tables")
    for key in sorted(tally.counts):
        print("  " + tally.line(key))
    print("  cross-check (pdfplumber strategies alone):")
    for key in sorted(cross.counts):
        print("    " + cross.line(key))
    for cost_key in sorted(with_tables):
        full = statistics.median(with_tables[cost_key])
        base = statistics.median(without_tables[cost_key])
        print(
            f"  cost on {cost_key}: {full * 1000:.1f} ms a page with table detection,"
            f" {base * 1000:.1f} ms without (medians, same pages, same run): x{full / base:.2f}"
        )


def scans(count: int, folder: Path, options: OcrOptions, noise: float) -> None:
    tally = Tally()
    table_time: list[float] = []
    ocr_time: list[float] = []
    done = 0
    seed = 5_000
    original_scan_tables = ocrplan_module.scan_tables
    while done < count:
        spec = random_spec(seed)
        seed += 1
        name = f"scan-{spec.name}"
        half = half_of(name)
        if half != "test" and done % 3:
            continue  # mostly test pages: OCR is slow, and dev was used to tune
        pdf = table_pdf(spec, folder / spec.name)
        scan = scan_of(pdf, folder / name, noise=noise, seed=seed)
        spent: list[float] = []

        def timed(image: object, words: object, spent: list[float] = spent) -> list[Table]:
            start = time.perf_counter()
            try:
                return original_scan_tables(image, words)  # type: ignore[arg-type]
            finally:
                spent.append(time.perf_counter() - start)

        start = time.perf_counter()
        with _without("scan_tables", timed, ocrplan_module):
            pages = _extract(scan, options)
        total = time.perf_counter() - start
        table_time.append(sum(spent))
        ocr_time.append(total - sum(spent))
        found = [t for page in pages for t in page.tables]
        kind = "ruled" if spec.ruled else "unruled"
        score = _score(found, spec)
        tally.add(f"{half} all", score)
        tally.add(f"{half} {kind}", score)
        done += 1
    print(f"scans: {count} table pages rendered at 200 DPI, noise {noise} per 10k pixels")
    for key in sorted(tally.counts):
        print("  " + tally.line(key))
    print(
        f"  cost: table step {statistics.median(table_time) * 1000:.0f} ms a page (render +"
        f" img2table + cells), the rest of the extractor (OCR) {statistics.median(ocr_time):.1f} s"
    )


def reading_order(count: int, folder: Path, options: OcrOptions) -> None:
    right = defaultdict(lambda: [0, 0])
    baseline = defaultdict(lambda: [0, 0])
    for i in range(count):
        name = f"columns-{i:04d}.pdf"
        half = half_of(name)
        path = folder / name
        expected = two_column_pdf(i, path)
        words = " ".join(p.text for p in _extract(path, options)).split()
        right[half][0] += words == expected
        right[half][1] += 1
        with _without("reorder_columns", lambda *_: None):
            words = " ".join(p.text for p in _extract(path, options)).split()
        baseline[half][0] += words == expected
        baseline[half][1] += 1
    print(f"reading order: {count} two-column pages drawn line by line across both columns")
    for half in sorted(right):
        ok, total = right[half]
        base_ok, _ = baseline[half]
        print(
            f"  {half}: {ok}/{total} pages in script order ({ok / total:.3f});"
            f" without the reordering {base_ok}/{total} ({base_ok / total:.3f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=120)
    parser.add_argument("--scans", type=int, default=12)
    parser.add_argument("--columns", type=int, default=40)
    parser.add_argument("--noise", type=float, default=3.0)
    args = parser.parse_args()
    options = OcrOptions(workers=1, languages="eng", detect_rotation=False)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        if args.tables:
            text_pdfs(args.tables, base, options)
        if args.columns:
            reading_order(args.columns, base, options)
        if args.scans:
            scans(args.scans, base, options, args.noise)


if __name__ == "__main__":
    main()

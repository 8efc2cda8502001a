"""Statute provisions and judgment paragraphs per collection, with timing.

    uv run python bench/research/structure_stats.py [--half dev|test|all] [--cache DIR]
        [--no-convert] [--show]

Collections (``LEXSTREAM_SAMPLE_DATA``, default ../shared/data):

- ``corpus/de-statutes`` (German statute Markdown): provisions (every node of the tree),
  §§ and articles, and the deepest path;
- ``corpus/eu-cjeu-gdpr`` (Court of Justice judgments, EUR-Lex Markdown) and ``legal/uk`` +
  ``legal/eu`` XML (Akoma Ntoso from The National Archives, EUR-Lex XHTML): paragraphs and
  headings;
- ``corpus/uk-tna`` (.docx judgments): converted to PDF by LibreOffice as the ocr service
  does (``soffice --convert-to pdf``, once, cached under ``--cache``), their text layer read
  page by page with pypdfium2 as the ocr service reads it, then segmented. ``--no-convert``
  skips them (no LibreOffice).

Checks that need no labels: a judgment's paragraphs are *gapless* when they run 1..N with
no number missing; for the Court of Justice the last paragraph should sit under 'Costs'
(every judgment ends with the costs paragraph). Timing is the structure functions alone (not
reading or converting), as ms per 100 pages: real pages for the converted PDFs, 3,000
characters a page elsewhere (bench/index/extract_bench.py's convention).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "bench" / "eval"))

from legal_texts import SAMPLE_LEGAL  # noqa: E402
from split import half_of  # noqa: E402

from lexstream.index.extraction.structure import (  # noqa: E402
    judgment_structure,
    statute_provisions,
)
from lexstream.shared.legal.structure import walk  # noqa: E402

CORPUS = SAMPLE_LEGAL.parent / "corpus"
CHARS_PER_PAGE = 3_000


@dataclass
class Row:
    name: str
    pages: float
    seconds: float
    units: int
    headings: int = 0
    top_level: int = 0
    depth: int = 0
    gapless: bool | None = None
    series: int = 0
    costs_last: bool | None = None
    notes: list[str] = field(default_factory=list)


def _time(function, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def statutes() -> Iterable[Row]:
    for path in sorted((CORPUS / "de-statutes").glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        text = path.read_text(encoding="utf-8")
        provisions, seconds = _time(statute_provisions, text)
        every = list(walk(provisions))
        yield Row(
            name=f"corpus/de-statutes/{path.name}",
            pages=len(text) / CHARS_PER_PAGE,
            seconds=seconds,
            units=len(every),
            top_level=sum(1 for p in every if "/" not in p.id and p.id[:4] in ("par:", "art:")),
            depth=max((p.id.count("/") + 1 for p in every), default=0),
        )


def _judgment_row(name: str, pages: list[str] | str, page_count: float) -> Row:
    structure, seconds = _time(judgment_structure, pages)
    main = [p for p in structure.paragraphs if p.id.startswith("para:")]
    numbers = [int(p.number) for p in main if p.number is not None]
    return Row(
        name=name,
        pages=page_count,
        seconds=seconds,
        units=len(structure.paragraphs),
        headings=len(structure.headings),
        gapless=bool(numbers) and numbers == list(range(1, len(numbers) + 1)),
        series=len({p.id.split("/")[0] for p in structure.paragraphs if p.id.startswith("op:")}),
        costs_last=(main[-1].heading == "Costs") if main and "cjeu" in name else None,
    )


def cjeu() -> Iterable[Row]:
    for path in sorted((CORPUS / "eu-cjeu-gdpr").glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        text = path.read_text(encoding="utf-8")
        yield _judgment_row(f"corpus/eu-cjeu-gdpr/{path.name}", text, len(text) / CHARS_PER_PAGE)


def xml_judgments() -> Iterable[Row]:
    for folder in ("uk", "eu"):
        for path in sorted((SAMPLE_LEGAL / folder).glob("*.xml")):
            text = path.read_bytes().decode("utf-8", errors="replace")
            row = _judgment_row(f"real/{folder}/{path.name}", text, len(text) / CHARS_PER_PAGE)
            yield row


def _convert(sources: list[Path], cache: Path) -> None:
    missing = [s for s in sources if not (cache / f"{s.stem}.pdf").is_file()]
    if not missing:
        return
    cache.mkdir(parents=True, exist_ok=True)
    print(f"converting {len(missing)} .docx with LibreOffice into {cache} (once) ...")
    profile = (cache / "profile").resolve().as_uri()
    command = ["soffice", "--headless", f"-env:UserInstallation={profile}"]
    command += ["--convert-to", "pdf", "--outdir", str(cache), *map(str, missing)]
    subprocess.run(
        command,
        check=False,
        capture_output=True,
        timeout=1800,
    )


def _pdf_pages(path: Path) -> list[str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            pages.append(raw.replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        pdf.close()


def uk_tna(cache: Path, half: str) -> Iterable[Row]:
    sources = [
        p
        for p in sorted((CORPUS / "uk-tna").glob("*.docx"))
        if half == "all" or half_of(f"corpus/uk-tna/{p.name}") == half
    ]
    _convert(sources, cache)
    for source in sources:
        pdf = cache / f"{source.stem}.pdf"
        if not pdf.is_file():
            print(f"  {source.name}: not converted, skipped")
            continue
        pages = _pdf_pages(pdf)
        yield _judgment_row(f"corpus/uk-tna/{source.name}", pages, len(pages))


def _summary(label: str, rows: list[Row], kind: str) -> None:
    if not rows:
        print(f"{label:34} (none)")
        return
    pages = sum(r.pages for r in rows)
    ms_per_100 = 1000 * sum(r.seconds for r in rows) / pages * 100 if pages else 0.0
    units = [r.units for r in rows]
    line = (
        f"{label:34} docs {len(rows):3}  {kind} {sum(units):6} "
        f"(median {statistics.median(units):5.0f}, min {min(units):4}, max {max(units):5})"
    )
    if kind == "provisions":
        line += f"  §§/arts {sum(r.top_level for r in rows):5}  depth<={max(r.depth for r in rows)}"
    else:
        gapless = sum(1 for r in rows if r.gapless)
        line += f"  headings {sum(r.headings for r in rows):5}  gapless {gapless}/{len(rows)}"
        extra = sum(1 for r in rows if r.series)
        line += f"  with further series {extra}"
        costs = [r for r in rows if r.costs_last is not None]
        if costs:
            line += f"  last under 'Costs' {sum(1 for r in costs if r.costs_last)}/{len(costs)}"
    line += f"  | {ms_per_100:7.1f} ms/100 pages ({pages:,.0f} pages)"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lexstream-structure-cache/uk-tna"))
    parser.add_argument("--no-convert", action="store_true")
    parser.add_argument("--show", action="store_true", help="one line per document")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}: set LEXSTREAM_SAMPLE_DATA")

    def keep(rows: Iterable[Row]) -> list[Row]:
        kept = [r for r in rows if args.half == "all" or half_of(r.name) == args.half]
        if args.show:
            for r in kept:
                print(
                    f"  {half_of(r.name):4} {r.name:55} units {r.units:5} headings "
                    f"{r.headings:4} gapless {r.gapless} series {r.series} pages {r.pages:6.1f}"
                )
        return kept

    print(f"half: {args.half}")
    _summary("de-statutes (Markdown)", keep(statutes()), "provisions")
    _summary("eu-cjeu-gdpr (Markdown)", keep(cjeu()), "paragraphs")
    _summary("legal/uk + legal/eu (XML)", keep(xml_judgments()), "paragraphs")
    if not args.no_convert:
        _summary(
            "uk-tna (.docx -> PDF text layer)", keep(uk_tna(args.cache, args.half)), "paragraphs"
        )


if __name__ == "__main__":
    main()

"""What a document's legal structure adds to indexing it: ms per 100 pages, beside extract().

    uv run python bench/index/structure_cost.py [--half dev|test|all] [--cpu N]

Texts as bench/index/extract_bench.py reads them (the labelled legal set, and the corpus of
``../shared/data``, ``LEXSTREAM_SAMPLE_DATA``), a page being 3,000 characters. For each text,
timed on one pinned core after an untimed round: ``extract()`` (what indexing already pays),
then what lexstream.index.structures adds for the statutes and judgments among them: the
parse (``document_structure``), the search document's bounded copy (``indexed_fields``) and
the derived objects (``exports``: structure.json and the Akoma Ntoso XML). Other documents add
nothing (their doc_type is not looked at twice). Per doc_type: pages, extract ms/100 pages,
structure ms/100 pages (parse, fields, exports), and the largest exports.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_bench import CHARS_PER_PAGE, _pin, _texts

from lexstream.index.extraction import extract, warm_up
from lexstream.index.structures import (
    document_structure,
    exports,
    indexed_fields,
)
from lexstream.shared.artifacts import Page


def _pages(text: str) -> list[Page]:
    chunks = [text[at : at + CHARS_PER_PAGE] for at in range(0, len(text), CHARS_PER_PAGE)]
    return [Page(number=n, text=chunk, method="plain") for n, chunk in enumerate(chunks or [""], 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    pinned = _pin(args.cpu)
    warm_up()
    texts = [(name, text) for name, text in _texts(args.half, True) if text.strip()]
    rows: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    biggest: list[tuple[int, str]] = []
    for warm in (True, False):
        for name, text in texts:
            pages = _pages(text)
            joined = "\n\n".join(p.text for p in pages)
            started = time.perf_counter()
            meta = extract(joined, filename=Path(name).name)
            extracted = time.perf_counter()
            structure = document_structure(meta, pages, max_chars=len(joined) + 1)
            parsed = time.perf_counter()
            indexed_fields(structure)
            fielded = time.perf_counter()
            made = exports(structure, meta) if structure is not None else {}
            exported = time.perf_counter()
            if warm:
                continue
            row = rows[meta.doc_type]
            row[0] += len(joined) / CHARS_PER_PAGE
            row[1] += extracted - started
            row[2] += parsed - extracted
            row[3] += fielded - parsed
            row[4] += exported - fielded
            row[5] += 1 if structure is not None else 0
            if made:
                biggest.append((sum(len(data) for data, _ in made.values()), name))
    print(f"{len(texts)} texts, {pinned}")
    print(
        f"{'doc_type':<11} {'docs':>5} {'pages':>8} {'extract':>9} {'parse':>7} "
        f"{'fields':>7} {'exports':>8}   (ms per 100 pages; structured docs)"
    )
    total = [0.0] * 6
    for doc_type, row in sorted(rows.items()):
        per = 100 * 1000 / row[0] if row[0] else 0.0
        print(
            f"{doc_type:<11} {int(row[5]):>5} {row[0]:>8.0f} {row[1] * per:>9.1f} "
            f"{row[2] * per:>7.1f} {row[3] * per:>7.1f} {row[4] * per:>8.1f}"
        )
        total = [a + b for a, b in zip(total, row, strict=True)]
    per = 100 * 1000 / total[0]
    added = (total[2] + total[3] + total[4]) * per
    print(
        f"{'all':<11} {int(total[5]):>5} {total[0]:>8.0f} {total[1] * per:>9.1f} "
        f"{total[2] * per:>7.1f} {total[3] * per:>7.1f} {total[4] * per:>8.1f}"
    )
    print(
        f"structure adds {added:.1f} ms per 100 pages over all texts "
        f"({100 * added / (total[1] * per):.0f} % of extract)"
    )
    for size, name in sorted(biggest, reverse=True)[:3]:
        print(f"largest exports: {name} {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

"""Extraction throughput per core, against eyecite alone on the same texts in the same run.

    uv run python bench/index/extract_bench.py [--rounds 3] [--half dev|test|all]
        [--no-corpus] [--cpu N] [--profile FILE]

Texts: the labelled legal set (bench/eval/legal_texts.py ``load_documents``/``document_text``)
and, where ``../shared/data/corpus`` is there (``LEXSTREAM_SAMPLE_DATA``), its collections
(uk-tna .docx, eu-cjeu-gdpr and de-statutes .md), each read once before timing. ``--half``
keeps one half of the fixed split (bench/eval/split.py), by the names the eval prints.

A page is 3,000 characters of extracted text, for every format alike: most inputs (XML,
DOCX, Markdown, e-mail, plain text) have no page count of their own, and for PDFs the
character count is what extraction's cost follows.

One process, pinned to one core (``os.sched_setaffinity``; ``--cpu`` picks it), so the
figures are per core. ``warm_up()`` and then one whole untimed round over every text come
first: eyecite compiles each reporter's regular expression the first time a text selects it,
and that one-off cost is not the steady state of a running service. Then, in each timed
round, the baseline (eyecite's ``get_citations`` alone, on each document's text) and
``extract()`` run over the same texts, alternating which goes first; the best round of each
is reported, and their ratio. The per-stage breakdown is a separate, instrumented round
(each stage function wrapped with a timer where extract.py and citations.py call it), so its
total is a little above the timed rounds'. ``--profile`` writes a cProfile of one more round.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

import eyecite.helpers
from legal_texts import SAMPLE_LEGAL, document_text, load_documents
from split import half_of

from lexstream.index.extraction import extract, warm_up

# Taken before warm_up() replaces it with an indexed equivalent (us_citations.py).
STOCK_COURT_BY_PAREN = eyecite.helpers.get_court_by_paren
CHARS_PER_PAGE = 3_000
CORPUS = SAMPLE_LEGAL.parent / "corpus"
CORPUS_SUFFIXES = {".docx", ".md", ".xml", ".txt", ".pdf", ".html"}

# (stage, module, function): the functions extract() calls, wrapped where they are looked up.
# A name a module no longer has is skipped; time outside every stage is reported as 'other'.
STAGES = (
    ("clean", "lexstream.index.extraction.extract", "clean"),
    ("language", "lexstream.index.extraction.extract", "detect_language"),
    ("court", "lexstream.index.extraction.extract", "detect_court"),
    ("court", "lexstream.index.extraction.extract", "jurisdiction_from_citations"),
    ("case numbers", "lexstream.index.extraction.extract", "find_case_numbers"),
    ("citation patterns", "lexstream.index.extraction.citations", "find_pattern_citations"),
    ("eyecite", "lexstream.index.extraction.citations", "find_us_citations"),
    ("citations (fold, overlaps)", "lexstream.index.extraction.citations", "settle_overlaps"),
    ("dates", "lexstream.index.extraction.extract", "find_decision_date"),
    ("parties", "lexstream.index.extraction.extract", "find_parties"),
    ("parties", "lexstream.index.extraction.extract", "find_judges"),
    ("parties", "lexstream.index.extraction.extract", "find_counsel"),
    ("identifiers", "lexstream.index.extraction.extract", "find_identifiers"),
    ("doctype", "lexstream.index.extraction.extract", "classify"),
)


def _texts(half: str, corpus: bool) -> list[tuple[str, str]]:
    named = [(doc.name, doc.path) for doc in load_documents()]
    if corpus and CORPUS.is_dir():
        for collection in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            for path in sorted(collection.iterdir()):
                if path.suffix.lower() in CORPUS_SUFFIXES and path.name != "SOURCES.md":
                    named.append((f"corpus/{collection.name}/{path.name}", path))
    return [
        (name, document_text(path))
        for name, path in named
        if half == "all" or half_of(name) == half
    ]


def _pin(cpu: int | None) -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu if cpu is not None else allowed[-1]
    os.sched_setaffinity(0, {chosen})
    return f"pinned to core {chosen} of {len(allowed)}"


def _eyecite_round(texts: list[tuple[str, str]]) -> float:
    """The baseline: eyecite as shipped (its own tokenizer and court look-up, which
    extract() replaces with faster equivalents), on each whole text."""
    import eyecite.helpers
    from eyecite import get_citations

    ours = eyecite.helpers.get_court_by_paren
    eyecite.helpers.get_court_by_paren = STOCK_COURT_BY_PAREN
    try:
        started = time.perf_counter()
        for _, text in texts:
            if text.strip():  # eyecite refuses empty text; extract() returns at once on it
                get_citations(text)
        return time.perf_counter() - started
    finally:
        eyecite.helpers.get_court_by_paren = ours


def _extract_round(texts: list[tuple[str, str]], slowest: list[tuple[float, str]]) -> float:
    started = time.perf_counter()
    for name, text in texts:
        one = time.perf_counter()
        extract(text, filename=Path(name).name)
        slowest.append((time.perf_counter() - one, name))
    return time.perf_counter() - started


def _timed(function: Callable[..., Any], stage: str, spent: dict[str, float]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        if isinstance(result, Iterator):  # a generator's work happens as it is consumed
            result = iter(list(result))
        spent[stage] = spent.get(stage, 0.0) + time.perf_counter() - started
        return result

    return wrapper


def _breakdown(texts: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    import importlib

    spent: dict[str, float] = {}
    originals: list[tuple[Any, str, Any]] = []
    for stage, module_name, attribute in STAGES:
        module = importlib.import_module(module_name)
        function = getattr(module, attribute, None)
        if function is None:
            continue
        originals.append((module, attribute, function))
        setattr(module, attribute, _timed(function, stage, spent))
    try:
        total = _extract_round(texts, [])
    finally:
        for module, attribute, function in reversed(originals):
            setattr(module, attribute, function)
    return total, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--half", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--no-corpus", action="store_true", help="the labelled set only")
    parser.add_argument("--cpu", type=int, default=None, help="the core to pin to")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile here")
    args = parser.parse_args()

    print(_pin(args.cpu))
    texts = _texts(args.half, corpus=not args.no_corpus)
    chars = sum(len(text) for _, text in texts)
    pages = chars / CHARS_PER_PAGE
    print(
        f"{len(texts)} documents ({args.half}), {chars:,} characters "
        f"= {pages:,.0f} pages of {CHARS_PER_PAGE:,} characters"
    )

    started = time.perf_counter()
    warm_up()
    print(f"warm_up (eyecite, courts-db, lingua): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    _eyecite_round(texts)
    _extract_round(texts, [])
    print(
        f"untimed warm round (eyecite compiles the reporters it meets): "
        f"{time.perf_counter() - started:.2f} s"
    )

    extract_times: list[float] = []
    eyecite_times: list[float] = []
    slowest: list[tuple[float, str]] = []
    for round_number in range(args.rounds):
        if round_number % 2 == 0:
            eyecite_times.append(_eyecite_round(texts))
            extract_times.append(_extract_round(texts, slowest))
        else:
            extract_times.append(_extract_round(texts, slowest))
            eyecite_times.append(_eyecite_round(texts))
    best_extract, best_eyecite = min(extract_times), min(eyecite_times)
    extract_rate, eyecite_rate = pages / best_extract, pages / best_eyecite
    print(f"best of {args.rounds} rounds, one core:")
    print(
        f"  baseline eyecite get_citations alone: {best_eyecite:7.2f} s  "
        f"{eyecite_rate:8,.1f} pages/s  {chars / best_eyecite / 1e6:6.2f} MB/s"
    )
    print(
        f"  extract():                            {best_extract:7.2f} s  "
        f"{extract_rate:8,.1f} pages/s  {chars / best_extract / 1e6:6.2f} MB/s  "
        f"{len(texts) / best_extract:,.1f} documents/s"
    )
    print(f"  ratio extract/eyecite: {extract_rate / eyecite_rate:.2f}x (pages/s)")

    total, spent = _breakdown(texts)
    print(f"per stage (one instrumented round, {total:.2f} s):")
    for stage, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {stage:28s} {seconds:7.3f} s  {100 * seconds / total:5.1f} %")
    other = total - sum(spent.values())
    print(f"  {'other':28s} {other:7.3f} s  {100 * other / total:5.1f} %")

    print("slowest documents (best round of each):")
    best_of: dict[str, float] = {}
    for seconds, name in slowest:
        best_of[name] = min(seconds, best_of.get(name, seconds))
    for name, seconds in sorted(best_of.items(), key=lambda item: -item[1])[:8]:
        length = next(len(text) for n, text in texts if n == name)
        print(f"  {seconds:6.3f} s  {length / CHARS_PER_PAGE:6.1f} pages  {name}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(_extract_round, texts, [])
        profiler.dump_stats(str(args.profile))
        print(f"cProfile of one round written to {args.profile}")


if __name__ == "__main__":
    main()

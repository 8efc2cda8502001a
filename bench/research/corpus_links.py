"""How the corpus's citations link: to an authority id, and from there to a corpus document.

    uv run --frozen python bench/research/corpus_links.py [--sample 50] [--seed 16]
        [--tsv bench/research/corpus_links_sample.tsv] [--json PATH]

Every document of ``LEXSTREAM_SAMPLE_DATA`` (``legal/`` and the ``corpus/`` collections, as
bench/eval/corpus.py lists them; the repository's own authored fixtures are left out) is read
as bench/eval reads it and turned into its search document by the index's own builder
(``lexstream.index.documents.text_search_document``: extraction, authority ids, the
document's ``own_authorities``, citation contexts), without Elasticsearch. Printed: distinct
citations (one per document and normal form) and their mentions; how many resolve to an
authority id; how many of those link to another document of the corpus (a level of the
citation's id is in that document's ``own_authorities``), per citation family and per
target. A seeded sample of the links goes to a TSV (citing document, citation as printed,
its context, authority id, the document linked and its identifiers) to be checked by hand:
add a ``verdict`` column (right / wrong) and ``--checked PATH`` prints the share right.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from corpus import all_documents
from legal_texts import document_text

from lexstream.index.documents import text_search_document
from lexstream.ocr.extractors.metadata import xml_metadata_date
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import ObjectRef, TextExtracted
from lexstream.shared.legal.authorities import lineage

HERE = Path(__file__).resolve().parent
COLUMNS = (
    "citing",
    "raw",
    "kind",
    "authority_id",
    "linked",
    "linked_identifiers",
    "linked_title",
    "context",
)


@dataclass(frozen=True)
class Loaded:
    name: str
    doc: dict[str, Any]


def _search_document(name: str, path: Path) -> dict[str, Any]:
    text = document_text(path)
    known = None
    if path.suffix.lower() == ".xml":
        known = xml_metadata_date(path.read_text(encoding="utf-8", errors="replace"))
    document_id = "bench-" + hashlib.sha256(name.encode()).hexdigest()[:24]
    artifact = TextDocument(
        document_id=document_id,
        media_type="text/plain",
        pages=[Page(number=1, text=text, method="plain")],
        extractor="bench",
        metadata_date=known,
    )
    event = TextExtracted(
        document_id=document_id,
        matter_id="M-bench",
        text=ObjectRef(bucket="bench", key=f"{document_id}/text.json"),
        media_type="text/plain",
        filename=path.name,
        pages=1,
        extractor="bench",
    )
    return text_search_document(
        event,
        artifact,
        filename=path.name,
        language_hint=None,
        jurisdiction_hint=None,
        max_chars=5_000_000,
        extractor_version="bench",
    )


def load() -> list[Loaded]:
    return [
        Loaded(doc.name, _search_document(doc.name, doc.path))
        for doc in all_documents()
        if not doc.name.startswith("authored/")
    ]


def _link(authority_id: str, held: dict[str, list[str]], citing: str) -> str | None:
    """The corpus document holding the finest held level of ``authority_id`` (not the
    citing document itself)."""
    for level in reversed(lineage(authority_id)):
        for name in held.get(level, []):
            if name != citing:
                return name
    return None


def measure(loaded: list[Loaded]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    held: dict[str, list[str]] = defaultdict(list)
    by_name = {item.name: item.doc for item in loaded}
    for item in loaded:
        for own in item.doc.get("own_authorities") or []:
            held[own].append(item.name)
    tally: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    targets: Counter[str] = Counter()
    links: list[dict[str, str]] = []
    for item in loaded:
        tally["documents"] += 1
        tally["documents_holding"] += bool(item.doc.get("own_authorities"))
        for citation in item.doc.get("citations") or []:
            mentions = int(citation.get("count") or 1)
            kind = str(citation["kind"])
            tally["citations"] += 1
            tally["mentions"] += mentions
            by_kind[kind]["citations"] += 1
            authority_id = citation.get("authority_id")
            if not authority_id:
                continue
            tally["resolved"] += 1
            tally["resolved_mentions"] += mentions
            by_kind[kind]["resolved"] += 1
            linked = _link(str(authority_id), held, item.name)
            if linked is None:
                continue
            tally["linked"] += 1
            tally["linked_mentions"] += mentions
            by_kind[kind]["linked"] += 1
            targets[linked] += 1
            target = by_name[linked]
            links.append(
                {
                    "citing": item.name,
                    "raw": str(citation["raw"]),
                    "kind": kind,
                    "authority_id": str(authority_id),
                    "linked": linked,
                    "linked_identifiers": "; ".join(
                        f"{i['kind']}={i['value']}" for i in target.get("identifiers") or []
                    ),
                    "linked_title": str(target.get("title") or "")[:120],
                    "context": str(citation.get("context") or ""),
                }
            )
    numbers: dict[str, Any] = {
        **tally,
        "held_authorities": len(held),
        "by_kind": {kind: dict(counts) for kind, counts in sorted(by_kind.items())},
        "targets": dict(targets.most_common()),
    }
    return numbers, links


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


def report(numbers: dict[str, Any]) -> None:
    out = sys.stdout
    out.write(
        f"{numbers['documents']} documents, {numbers['documents_holding']} of them hold an "
        f"authority ({numbers['held_authorities']} authority ids)\n"
    )
    resolved = _share(numbers["resolved"], numbers["citations"])
    linked = _share(numbers["linked"], numbers["resolved"])
    out.write(f"citations resolved to an authority id: {resolved}\n")
    out.write(f"  of those, linked to a corpus document: {linked}\n")
    out.write(
        f"mentions resolved: {_share(numbers['resolved_mentions'], numbers['mentions'])}; "
        f"linked: {_share(numbers['linked_mentions'], numbers['resolved_mentions'])}\n"
    )
    out.write("by citation family (resolved / linked / citations):\n")
    for kind, counts in numbers["by_kind"].items():
        out.write(
            f"  {kind:16} {counts.get('resolved', 0):6} {counts.get('linked', 0):6} "
            f"{counts['citations']:6}\n"
        )
    out.write("most linked documents:\n")
    for name, count in list(numbers["targets"].items())[:10]:
        out.write(f"  {count:5}  {name}\n")


def write_sample(links: list[dict[str, str]], size: int, seed: int, path: Path) -> None:
    sample = random.Random(seed).sample(links, min(size, len(links)))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(sample)
    sys.stdout.write(f"sample of {len(sample)} links (seed {seed}): {path}\n")


def checked(path: Path) -> None:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    verdicts = [row.get("verdict", "").strip().lower() for row in rows]
    judged = [v for v in verdicts if v in ("right", "wrong")]
    right = judged.count("right")
    sys.stdout.write(f"checked by hand: {_share(right, len(judged))} right\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--tsv", type=Path, default=HERE / "corpus_links_sample.tsv")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    parser.add_argument("--checked", type=Path, help="a sample TSV with a 'verdict' column")
    args = parser.parse_args(argv)
    if args.checked:
        checked(args.checked)
        return
    numbers, links = measure(load())
    report(numbers)
    write_sample(links, args.sample, args.seed, args.tsv)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""How many extracted citations resolve to an authority id, per half of the labelled set.

    uv run --frozen python bench/research/resolve_rate.py [--half dev|test|both]
        [--unresolved N] [--json PATH]

Every labelled document (bench/eval/corpus.py ``all_documents``: the legal samples, the
authored fixtures and the corpus collections of ``LEXSTREAM_SAMPLE_DATA``) is read and
extracted as bench/eval/legal_eval.py does, and each extracted citation is resolved with
:func:`lexstream.shared.legal.authorities.resolve`. Printed per half: distinct citations
(one per document and normal form) and mentions (their counts), how many of each resolve,
per citation family, and the number of distinct authority ids. ``--unresolved N`` lists up
to N unresolved citations of the development half (read the dev half to improve the
resolver; the test half is what is quoted).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

from corpus import all_documents
from legal_texts import document_text
from split import DEV, TEST

from lexstream.index.extraction import extract
from lexstream.ocr.extractors.metadata import xml_metadata_date
from lexstream.shared.legal.authorities import resolve


@dataclass
class Tally:
    documents: int = 0
    citations: int = 0
    resolved: int = 0
    mentions: int = 0
    resolved_mentions: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    resolved_by_kind: Counter[str] = field(default_factory=Counter)
    authorities: set[str] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "citations": self.citations,
            "resolved": self.resolved,
            "mentions": self.mentions,
            "resolved_mentions": self.resolved_mentions,
            "authorities": len(self.authorities),
            "by_kind": {
                kind: [self.resolved_by_kind[kind], total] for kind, total in self.by_kind.items()
            },
        }


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "0/0"


def measure(halves: tuple[str, ...]) -> dict[str, Tally]:
    tallies = {half: Tally() for half in halves}
    for doc in all_documents():
        tally = tallies.get(doc.half)
        if tally is None:
            continue
        text = document_text(doc.path)
        known_date = None
        if doc.path.suffix.lower() == ".xml":
            known_date = xml_metadata_date(doc.path.read_text(encoding="utf-8", errors="replace"))
        meta = extract(text, filename=doc.path.name, known_date=known_date)
        tally.documents += 1
        for citation in meta.citations:
            authority = resolve(citation)
            tally.citations += 1
            tally.mentions += citation.count
            tally.by_kind[citation.kind] += 1
            if authority is None:
                tally.unresolved.append(f"{doc.name}: [{citation.kind}] {citation.raw!r}")
                continue
            tally.resolved += 1
            tally.resolved_mentions += citation.count
            tally.resolved_by_kind[citation.kind] += 1
            tally.authorities.add(authority.id)
    return tallies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=(DEV, TEST, "both"), default="both")
    parser.add_argument("--unresolved", type=int, default=0, help="list N unresolved (dev)")
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    args = parser.parse_args(argv)
    halves = (DEV, TEST) if args.half == "both" else (args.half,)
    tallies = measure(halves)
    out = sys.stdout
    for half, tally in tallies.items():
        out.write(f"\n{half}: {tally.documents} documents\n")
        out.write(f"  citations resolved: {_share(tally.resolved, tally.citations)}\n")
        out.write(f"  mentions resolved:  {_share(tally.resolved_mentions, tally.mentions)}\n")
        out.write(f"  distinct authority ids: {len(tally.authorities)}\n")
        for kind, total in tally.by_kind.most_common():
            out.write(f"    {kind:16} {_share(tally.resolved_by_kind[kind], total)}\n")
    if args.unresolved and DEV in tallies:
        out.write("\nunresolved (dev):\n")
        for line in tallies[DEV].unresolved[: args.unresolved]:
            out.write(f"  {line}\n")
    if args.json:
        payload = {half: tally.as_dict() for half, tally in tallies.items()}
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Evaluate lexstream.index.extraction on the labelled legal documents.

    uv run python bench/eval/legal_eval.py [--verbose]

(PDFs are read with pypdfium2: the extra `eval` of lexstream-index; in the workspace it is
already installed through lexstream-ocr.)

Prints precision and recall per field, overall and per jurisdiction group. Single-valued
fields: precision = correct / predicted (where the truth is known), recall = correct /
labelled. Citations: recall over every labelled citation (labels are normalised with
normalize_citation, so '410 U. S. 113' and '410 U.S. 113' compare equal); precision only
over documents whose citation labels are complete (authored documents, and real documents
labelled 'none'), since the real manifest lists at most five citations per document.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from legal_texts import LabelledDocument, document_text, load_documents

from lexstream.index.extraction import LegalMetadata, extract
from lexstream.shared.legal import normalize_citation

GROUPS = ("US/FED", "US/STATE", "EU", "UK", "DE/FR/NL")
DOC_TYPE_ALIASES = {"brief": "pleading"}


def label_jurisdiction(code: str) -> str:
    """Manifest codes ('US-CA11', 'US-TN', 'UK-EWCA', 'EU-CJEU', 'FR') as extractor paths."""
    head, _, tail = code.partition("-")
    if head == "US":
        if len(tail) == 2 and tail != "FE":
            return f"US/STATE/{tail}"
        return "US/FED"
    if head == "UK":
        if tail.startswith(("EWCA", "EWHC", "EWFC", "EWCOP")):
            return "UK/EW"
        if tail.startswith(("CS", "HCJ")):
            return "UK/SC"
        if tail.startswith("NI"):
            return "UK/NI"
        return "UK"
    if head == "EU":
        return "EU"
    return f"EU/{head}"


def group_of(path: str) -> str:
    if path.startswith("US/STATE"):
        return "US/STATE"
    if path.startswith("US"):
        return "US/FED"
    if path in {"EU"}:
        return "EU"
    if path.startswith("UK"):
        return "UK"
    return "DE/FR/NL"


@dataclass
class Tally:
    true_positive: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, tp: int, predicted: int, expected: int) -> None:
        self.true_positive += tp
        self.predicted += predicted
        self.expected += expected

    def precision(self) -> float | None:
        return self.true_positive / self.predicted if self.predicted else None

    def recall(self) -> float | None:
        return self.true_positive / self.expected if self.expected else None


@dataclass
class Scores:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))

    def add(self, field_name: str, group: str, tp: int, predicted: int, expected: int) -> None:
        for key in ((field_name, "all"), (field_name, group)):
            self.tallies[key].add(tp, predicted, expected)


def _unknown(value: str) -> bool:
    return value.strip() in {"", "?"}


def _case_key(value: str) -> str:
    return re.sub(r"\s+", "", value.replace("‑", "-").replace("–", "-")).strip(".").upper()


def _single(scores: Scores, name: str, group: str, predicted: object, expected: object) -> None:
    scores.add(
        name,
        group,
        tp=int(predicted is not None and predicted == expected),
        predicted=int(predicted is not None),
        expected=int(expected is not None),
    )


def score_document(doc: LabelledDocument, meta: LegalMetadata, scores: Scores) -> list[str]:
    labels = doc.labels
    jurisdiction = label_jurisdiction(labels["jurisdiction"])
    group = group_of(jurisdiction)
    problems: list[str] = []

    _single(scores, "jurisdiction", group, meta.jurisdiction, jurisdiction)
    if meta.jurisdiction != jurisdiction:
        problems.append(f"jurisdiction {meta.jurisdiction} != {jurisdiction}")

    court_id = labels.get("court_id", "?")
    if not _unknown(court_id):
        expected_court = None if court_id == "-" else court_id
        _single(scores, "court", group, meta.court_id, expected_court)
        if meta.court_id != expected_court:
            problems.append(f"court {meta.court_id} != {expected_court}")

    expected_date = (
        None if _unknown(labels["decision_date"]) else date.fromisoformat(labels["decision_date"])
    )
    _single(scores, "decision_date", group, meta.decision_date, expected_date)
    if meta.decision_date != expected_date:
        problems.append(f"date {meta.decision_date} != {expected_date}")

    doc_type = DOC_TYPE_ALIASES.get(labels["doc_type"], labels["doc_type"])
    _single(scores, "doc_type", group, meta.doc_type, doc_type)
    if meta.doc_type != doc_type:
        problems.append(f"doc_type {meta.doc_type} != {doc_type}")

    _single(scores, "language", group, meta.language, labels["language"])
    if meta.language != labels["language"]:
        problems.append(f"language {meta.language} != {labels['language']}")

    expected_cases = (
        set()
        if _unknown(labels["case_number"])
        else {_case_key(v) for v in re.split(r"\s*[;,]\s*", labels["case_number"]) if v}
    )
    predicted_cases = {_case_key(v) for v in meta.case_numbers}
    scores.add(
        "case_numbers",
        group,
        tp=len(predicted_cases & expected_cases),
        predicted=len(predicted_cases),
        expected=len(expected_cases),
    )

    raw_labels = [] if labels["citations"] in {"none", ""} else labels["citations"].split(" | ")
    expected_citations = {normalize_citation(raw) or f"UNSUPPORTED:{raw}" for raw in raw_labels}
    predicted_citations = {citation.normalized for citation in meta.citations}
    found = expected_citations & predicted_citations
    scores.add(
        "citations (recall)", group, tp=len(found), predicted=0, expected=len(expected_citations)
    )
    missed = sorted(expected_citations - predicted_citations)
    if missed:
        problems.append(f"missed citations {missed}")
    if labels.get("citations_complete") == "yes":
        scores.add(
            "citations (precision)",
            group,
            tp=len(found),
            predicted=len(predicted_citations),
            expected=0,
        )
        extra = sorted(predicted_citations - expected_citations)
        if extra:
            problems.append(f"extra citations {extra}")
    return problems


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def print_table(scores: Scores, counts: dict[str, int]) -> None:
    fields = (
        "court",
        "jurisdiction",
        "decision_date",
        "doc_type",
        "language",
        "case_numbers",
        "citations (recall)",
        "citations (precision)",
    )
    columns = ("all", *GROUPS)
    header = f"{'field':<22}" + "".join(f"{col + ' P/R':>14}" for col in columns)
    print(header)
    print("-" * len(header))
    for name in fields:
        cells = []
        for column in columns:
            tally = scores.tallies.get((name, column))
            if tally is None:
                cells.append(f"{'':>14}")
                continue
            cells.append(f"{_fmt(tally.precision()) + '/' + _fmt(tally.recall()):>14}")
        print(f"{name:<22}" + "".join(cells))
    print(f"{'documents':<22}" + "".join(f"{counts.get(col, 0):>14}" for col in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args()

    scores = Scores()
    counts: dict[str, int] = defaultdict(int)
    languages: set[str] = set()
    documents = load_documents()
    for doc in documents:
        text = document_text(doc.path)
        meta = extract(text, filename=doc.path.name)
        group = group_of(label_jurisdiction(doc.labels["jurisdiction"]))
        counts["all"] += 1
        counts[group] += 1
        languages.add(doc.labels["language"])
        problems = score_document(doc, meta, scores)
        if args.verbose and problems:
            print(f"{doc.name}:")
            for problem in problems:
                print(f"    {problem}")
    print(
        f"\n{len(documents)} documents, {len(counts) - 1} jurisdiction groups, "
        f"languages: {', '.join(sorted(languages))}\n"
    )
    print_table(scores, counts)


if __name__ == "__main__":
    main()

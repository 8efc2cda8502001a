"""Precision and recall of the treatment signals on the hand-labelled citing sentences.

    uv run --frozen python bench/research/treatment_eval.py [--half dev|test|both]
        [--show-errors] [--unlabelled] [--json PATH]

The labels are bench/research/treatment_labels.tsv: one case-citation mention of a document
of ``LEXSTREAM_SAMPLE_DATA`` (default ../shared/data) per row, with the signal a reader gave
its sentence (or 'none'), split by bench/eval/split.py ``half_of(path)``. Each labelled
document is read as bench/eval does (legal_texts.document_text, then the extractor's
clean()), its citations extracted (lexstream.index.extraction.extract) and the treatment
rules run (lexstream.index.extraction.treatment.find_treatments). A prediction is a signal
at the labelled mention's offset.

Printed per half and signal: predictions, true positives, precision (with its 95 % Wilson
lower bound), labelled positives and recall. A signal is *shown* (SHOWN_SIGNALS in the
module) when its precision on the test half is at least 0.9 over at least MIN_PREDICTIONS
predictions; the script prints the set that rule gives, to be copied into the module.
``--unlabelled`` lists predictions at mentions the labels do not hold (label them, then
rerun: precision is only measured on labelled mentions). ``--show-errors`` prints the dev
half's false positives and misses (read the dev half to tune the cues; quote the test half).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "bench" / "eval"))

from corpus import all_documents  # noqa: E402
from legal_texts import document_text  # noqa: E402
from split import DEV, TEST, half_of  # noqa: E402

from lexstream.index.extraction import extract  # noqa: E402
from lexstream.index.extraction.models import Treatment  # noqa: E402
from lexstream.index.extraction.text import MAX_CITATION_CHARS, clean  # noqa: E402
from lexstream.index.extraction.treatment import SHOWN_SIGNALS, SIGNALS, find_treatments  # noqa: E402
from lexstream.ocr.extractors.metadata import xml_metadata_date  # noqa: E402

LABELS = REPO_ROOT / "bench" / "research" / "treatment_labels.tsv"
PRECISION_TO_SHOW = 0.9
MIN_PREDICTIONS = 3


@dataclass(frozen=True)
class Label:
    path: str
    half: str
    offset: int
    citation: str
    label: str
    sentence: str


def read_labels(path: Path = LABELS) -> list[Label]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    rows = csv.DictReader(lines, delimiter="\t")
    labels = []
    for row in rows:
        if row["label"] not in (*SIGNALS, "none"):
            raise ValueError(f"unknown label {row['label']!r} in {row}")
        if half_of(row["path"]) != row["half"]:
            raise ValueError(f"half of {row['path']} is {half_of(row['path'])}, not {row['half']}")
        labels.append(
            Label(
                row["path"],
                row["half"],
                int(row["offset"]),
                row["citation"],
                row["label"],
                row["sentence"],
            )
        )
    return labels


def document_treatments(names: set[str]) -> dict[str, tuple[str, list[Treatment]]]:
    """Cleaned text and treatments of every named evaluation document."""
    found: dict[str, tuple[str, list[Treatment]]] = {}
    for doc in all_documents():
        if doc.name not in names:
            continue
        raw = document_text(doc.path)
        known_date = None
        if doc.path.suffix.lower() == ".xml":
            known_date = xml_metadata_date(doc.path.read_text(encoding="utf-8", errors="replace"))
        meta = extract(raw, filename=doc.path.name, known_date=known_date)
        text = clean(raw[:MAX_CITATION_CHARS])
        found[doc.name] = (text, find_treatments(text, meta.citations))
    missing = names - set(found)
    if missing:
        raise SystemExit(
            f"labelled documents not found (LEXSTREAM_SAMPLE_DATA?): {sorted(missing)}"
        )
    return found


def wilson_lower(hits: int, total: int, z: float = 1.96) -> float:
    if total == 0:
        return 0.0
    share = hits / total
    centre = share + z * z / (2 * total)
    spread = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    return (centre - spread) / (1 + z * z / total)


@dataclass
class Scores:
    predicted: Counter[str]
    correct: Counter[str]
    gold: Counter[str]

    def row(self, signal: str) -> dict[str, object]:
        predicted, correct, gold = (self.predicted[signal], self.correct[signal], self.gold[signal])
        return {
            "predicted": predicted,
            "correct": correct,
            "precision": correct / predicted if predicted else None,
            "precision_lower95": round(wilson_lower(correct, predicted), 3),
            "labelled": gold,
            "recall": correct / gold if gold else None,
        }


def score(
    labels: list[Label], treatments: dict[str, tuple[str, list[Treatment]]], half: str
) -> tuple[Scores, list[str], list[str]]:
    scores = Scores(Counter(), Counter(), Counter())
    errors: list[str] = []
    predicted_at: dict[tuple[str, int], set[str]] = defaultdict(set)
    for name, (_, found) in treatments.items():
        for treatment in found:
            predicted_at[(name, treatment.start)].add(treatment.signal)
    labelled = {(label.path, label.offset) for label in labels}
    for label in labels:
        if label.half != half:
            continue
        predicted = predicted_at.get((label.path, label.offset), set())
        if label.label != "none":
            scores.gold[label.label] += 1
        for signal in predicted:
            scores.predicted[signal] += 1
            if signal == label.label:
                scores.correct[signal] += 1
            else:
                errors.append(
                    f"FP {signal} (gold {label.label}) {label.path}@{label.offset}: "
                    f"{label.sentence[:300]}"
                )
        if label.label != "none" and label.label not in predicted:
            errors.append(f"MISS {label.label} {label.path}@{label.offset}: {label.sentence[:300]}")
    unlabelled = []
    for name, (_, found) in treatments.items():
        if half_of(name) != half:
            continue
        for treatment in found:
            if (name, treatment.start) not in labelled:
                unlabelled.append(
                    f"{name}\t{treatment.start}\t{treatment.raw}\t{treatment.signal}\t"
                    f"{' '.join(treatment.sentence.split())}"
                )
    return scores, errors, unlabelled


def shown(test: Scores) -> list[str]:
    return [
        signal
        for signal in SIGNALS
        if test.predicted[signal] >= MIN_PREDICTIONS
        and test.correct[signal] / test.predicted[signal] >= PRECISION_TO_SHOW
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=(DEV, TEST, "both"), default="both")
    parser.add_argument("--show-errors", action="store_true", help="dev half errors")
    parser.add_argument("--unlabelled", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    halves = (DEV, TEST) if args.half == "both" else (args.half,)
    labels = read_labels()
    treatments = document_treatments({label.path for label in labels})
    report: dict[str, object] = {}
    for half in halves:
        rows = [label for label in labels if label.half == half]
        scores, errors, unlabelled = score(labels, treatments, half)
        sentences = len({(label.path, label.sentence) for label in rows})
        print(
            f"\n== {half}: {len(rows)} labelled mentions, {sentences} sentences, "
            f"{sum(scores.gold.values())} with a signal"
        )
        print(f"{'signal':<14}{'pred':>6}{'ok':>5}{'prec':>7}{'lo95':>7}{'gold':>6}{'recall':>8}")
        for signal in SIGNALS:
            row = scores.row(signal)
            precision = "-" if row["precision"] is None else f"{row['precision']:.2f}"
            recall = "-" if row["recall"] is None else f"{row['recall']:.2f}"
            print(
                f"{signal:<14}{row['predicted']:>6}{row['correct']:>5}{precision:>7}"
                f"{row['precision_lower95']:>7}{row['labelled']:>6}{recall:>8}"
            )
        total_pred, total_ok = sum(scores.predicted.values()), sum(scores.correct.values())
        print(
            f"{'all':<14}{total_pred:>6}{total_ok:>5}"
            f"{(total_ok / total_pred if total_pred else 0):>7.2f}"
        )
        print(f"predictions at unlabelled mentions: {len(unlabelled)}")
        report[half] = {signal: scores.row(signal) for signal in SIGNALS}
        if half == TEST:
            chosen = shown(scores)
            print(
                f"shown (test precision >= {PRECISION_TO_SHOW}, >= {MIN_PREDICTIONS} "
                f"predictions): {chosen}; module SHOWN_SIGNALS: {sorted(SHOWN_SIGNALS)}"
            )
            report["shown"] = chosen
        if args.show_errors and half == DEV:
            print("\n".join(errors))
        if args.unlabelled:
            print("\n".join(unlabelled))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Evaluate lexstream.index.extraction on the labelled legal documents, per half.

    uv run --frozen python bench/eval/legal_eval.py [--half dev|test|both] [--verbose]
        [--json PATH]

(PDFs are read with pypdfium2: the extra `eval` of lexstream-index; in the workspace it is
already installed through lexstream-ocr.)

The documents (corpus.py) are the existing set (real samples and authored fixtures) and
the corpus collections (uk-tna, eu-cjeu-gdpr, de-statutes). Each has a fixed half
(split.py): rules are written and tuned on the development half only; the test half is
what the README quotes. Every table is printed per half, per field, overall and per
jurisdiction group. Scoring (NOTES.md has the details):

- single-valued fields (court, jurisdiction, decision_date, doc_type, language):
  precision = correct / predicted, recall = correct / labelled, over documents that label
  the field (a field labelled "none" counts a prediction against precision);
- case_numbers, parties, judges: micro-averaged precision, recall and F1 over the values,
  compared by their keys (case_key, name_key);
- identifiers: recall = labelled identifiers found among meta.identifiers values (by
  identifier_key, whatever their kind); precision over the predicted identifiers of the
  labelled one's kind (ecli, celex, neutral_citation; 'abbreviation' for statutes);
- citations: a label matches a citation when normalize_citation(label) (or the label
  itself where it does not normalise) is among the citation's keys, or equals its
  normalized form or its instrument. Recall over every labelled citation; precision only
  over documents whose citation labels are complete (authored documents, and real ones
  labelled 'none'), since the other labels list only some citations.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import EvalDocument, Expected, all_documents
from legal_texts import document_text
from split import DEV, TEST

from lexstream.index.extraction import LegalMetadata, extract
from lexstream.ocr.extractors.metadata import xml_metadata_date
from lexstream.shared.legal import normalize_citation

GROUPS = ("US/FED", "US/STATE", "EU", "EU/xx", "UK", "INT", "other")
FIELDS = (
    "court",
    "jurisdiction",
    "decision_date",
    "identifiers",
    "case_numbers",
    "parties",
    "judges",
    "citations (recall)",
    "citations (precision)",
    "doc_type",
    "language",
)
F1_FIELDS = frozenset({"case_numbers", "parties", "judges"})


def group_of(path: str | None) -> str:
    """The reporting group of a jurisdiction path."""
    if path is None:
        return "other"
    if path.startswith("US/STATE"):
        return "US/STATE"
    if path == "US" or path.startswith("US/"):
        return "US/FED"
    if path == "EU":
        return "EU"
    if path.startswith("EU/"):
        return "EU/xx"
    if path == "UK" or path.startswith("UK/"):
        return "UK"
    if path == "INT" or path.startswith("INT/"):
        return "INT"
    return "other"


@dataclass
class Tally:
    """Counts of one field: ``true_positive`` labelled values found (recall side),
    ``predicted_true`` predicted values that are right (precision side; the same number
    except for identifiers, where only predictions of the labelled kind count)."""

    true_positive: int = 0
    predicted_true: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, tp: int, predicted: int, expected: int, predicted_tp: int | None) -> None:
        self.true_positive += tp
        self.predicted_true += tp if predicted_tp is None else predicted_tp
        self.predicted += predicted
        self.expected += expected

    def precision(self) -> float | None:
        return self.predicted_true / self.predicted if self.predicted else None

    def recall(self) -> float | None:
        return self.true_positive / self.expected if self.expected else None

    def f1(self) -> float | None:
        precision, recall = self.precision(), self.recall()
        if precision is None or recall is None:
            return None
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Scores:
    tallies: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    documents: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(
        self,
        field_name: str,
        group: str,
        tp: int,
        predicted: int,
        expected: int,
        predicted_tp: int | None = None,
    ) -> None:
        for key in ((field_name, "all"), (field_name, group)):
            self.tallies[key].add(tp, predicted, expected, predicted_tp)

    def tally(self, field_name: str, group: str = "all") -> Tally | None:
        return self.tallies.get((field_name, group))


# --- normalisation ------------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


def case_key(value: str) -> str:
    """Docket numbers compare without spaces, with one kind of hyphen, without a leading
    'Case'/'No.' and trailing dots, case-insensitively."""
    value = unicodedata.normalize("NFKC", value).translate(_DASHES).strip()
    value = re.sub(r"^(?:cases?|nos?\.?|n°|nr\.?|az\.?)\s+", "", value, flags=re.IGNORECASE)
    return re.sub(r"\s+", "", value).strip(".").upper()


def identifier_key(value: str) -> str:
    """Identifiers compare case-insensitively without spaces, with one kind of hyphen,
    without a 'CELEX'/'CELEX:' prefix and without leading zeros of a number that follows a
    space ('[2022] UKFTT 00413 (TC)' is '[2022] UKFTT 413 (TC)', TNA's canonical form)."""
    value = unicodedata.normalize("NFKC", value).translate(_DASHES).strip()
    value = re.sub(r"^celex\s*:?\s*", "", value, flags=re.IGNORECASE)
    value = re.sub(r"(?<=\s)0+(?=\d)", "", value)
    return re.sub(r"\s+", "", value).casefold()


def identifier_kind(label: str) -> str:
    """The Identifier.kind a labelled identifier has."""
    value = label.strip()
    if value.upper().startswith("ECLI:"):
        return "ecli"
    if value.upper().startswith("CELEX") or re.fullmatch(r"\d{5}[A-Z]{1,2}\d{4}", value):
        return "celex"
    if value.startswith("["):
        return "neutral_citation"
    return "abbreviation"


def _words(text: str) -> list[str]:
    return text.split()


# Honorifics, judicial titles and post-nominals (English, German, French, Spanish, Dutch)
# and party role words: dropped as whole words from both sides before names compare.
_TITLE_WORDS = frozenset(
    _words(
        """
    the hon honourable honorable rt right lord lady lords justice justices lj ljj j jj
    mr mrs ms miss mx dr sir dame his her honour honor judge judges hhj deputy president
    vice tribunal upper tier member chamber kc qc dbe cbe obe mbe kbe recorder
    master district high court senior registrar chairman chair
    richter richterin vorsitzender vorsitzende präsident präsidentin vizepräsident
    vizepräsidentin prof
    mme juge présidente conseiller conseillère magistrado magistrada presidente
    rechter raadsheer
    """
    )
)
_ROLE_WORDS = frozenset(
    _words(
        """
    claimant claimants defendant defendants appellant appellants respondent respondents
    applicant applicants petitioner petitioners intervener interveners intervenor
    plaintiff plaintiffs interested party parties
    kläger klägerin beklagte beklagter beklagten revisionskläger revisionsklägerin
    revisionsbeklagte revisionsbeklagter berufungskläger berufungsklägerin
    berufungsbeklagte berufungsbeklagter antragsteller antragstellerin antragsgegner
    antragsgegnerin beschwerdeführer beschwerdeführerin
    demandeur demanderesse défendeur défenderesse demandante demandado demandada
    recurrente recurrido recurrida eiser eiseres gedaagde verzoeker verzoekster verweerder
    verweerster
    """
    )
)
_NUMBERING = re.compile(r"^\s*(?:(?:\(\s*\d+\s*\)|\d+[.)])\s*(?:&|and|,)?\s*)+")
_ON_THE_APPLICATION = re.compile(r"\(\s*(?=on\s+the\s+application\s+of\b)")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SITTING_AS = re.compile(r"\s+sitting\s+as\b.*$")
_DROPPED = re.compile(r"[.'\u2018\u2019\u201a\u201b\"\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a`]")
_NON_WORD = re.compile(r"[^\w&]+")
_CROWN = frozenset({"queen", "king", "regina", "rex"})
_ORDINALS = frozenset(
    _words("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth")
)


def name_key(name: str) -> str:
    """A party's or judge's name for comparison, the same on both sides: NFKD without
    diacritics, casefold; numbering such as '(1)' or '(3) & (4)' removed; '(on the
    application of X)' kept as words, any other bracketed text removed; cut at the first
    comma and at 'sitting as'; dots, apostrophes and quotes deleted ('e.V.' is 'ev'),
    other punctuation a space; titles, honorifics, post-nominals and role words dropped,
    as are a trailing 'and others'/'and another' and trailing ordinals ('... First');
    'limited' is 'ltd' and a leading Queen/King/Regina/Rex is 'r'."""
    value = unicodedata.normalize("NFKD", name)
    value = "".join(c for c in value if not unicodedata.combining(c)).casefold()
    value = _NUMBERING.sub("", value)
    value = _ON_THE_APPLICATION.sub(" ", value)
    while True:
        stripped = _BRACKETED.sub(" ", value)
        if stripped == value:
            break
        value = stripped
    value = _SITTING_AS.sub("", value.split(",", 1)[0])
    value = _NON_WORD.sub(" ", _DROPPED.sub("", value))
    words = [
        "ltd" if word == "limited" else word
        for word in value.split()
        if word not in _TITLE_WORDS and word not in _ROLE_WORDS
    ]
    while words and words[-1] in _ORDINALS:
        words.pop()
    if len(words) >= 2 and words[-2] == "and" and words[-1] in {"others", "another"}:
        del words[-2:]
    if words and words[0] in _CROWN:
        words[0] = "r"
    return " ".join(words)


def _key_set(values: Iterable[str], kind: str) -> set[str]:
    function = {"case_numbers": case_key, "parties": name_key, "judges": name_key}[kind]
    return {k for k in (function(v) for v in values) if k}


def citation_matches(label: str, citation: object) -> bool:
    """Whether a labelled citation is this extracted citation (see the module docstring)."""
    key = normalize_citation(label) or label.strip()
    keys = getattr(citation, "keys", None) or ()
    return (
        key in keys
        or key == getattr(citation, "normalized", None)
        or key == getattr(citation, "instrument", None)
    )


# --- scoring ------------------------------------------------------------------------------


def _predicted_single(meta: LegalMetadata, name: str) -> object:
    return {
        "court": meta.court_id,
        "jurisdiction": meta.jurisdiction,
        "decision_date": meta.decision_date,
        "doc_type": meta.doc_type,
        "language": meta.language,
    }[name]


def score_document(expected: Expected, meta: LegalMetadata, scores: Scores) -> list[str]:
    """Adds one document's counts to ``scores``; returns its mismatches, for --verbose."""
    group = group_of(expected.jurisdiction_path)
    problems: list[str] = []

    for name in ("court", "jurisdiction", "decision_date", "doc_type", "language"):
        if name not in expected.single:
            continue
        truth = expected.single[name]
        predicted = _predicted_single(meta, name)
        scores.add(
            name,
            group,
            tp=int(predicted is not None and predicted == truth),
            predicted=int(predicted is not None),
            expected=int(truth is not None),
        )
        if predicted != truth:
            problems.append(f"{name} {predicted} != {truth}")

    if "identifiers" in expected.lists:
        values = {identifier_key(i.value) for i in meta.identifiers}
        for label in expected.lists["identifiers"]:
            kind = identifier_kind(label)
            want = identifier_key(label)
            same_kind = [i for i in meta.identifiers if i.kind == kind]
            found = want in values
            scores.add(
                "identifiers",
                group,
                tp=int(found),
                predicted=len(same_kind),
                expected=1,
                predicted_tp=sum(identifier_key(i.value) == want for i in same_kind),
            )
            if not found:
                got = [f"{i.kind}:{i.value}" for i in meta.identifiers]
                problems.append(f"identifier {label!r} not in {got}")

    for name in ("case_numbers", "parties", "judges"):
        if name not in expected.lists:
            continue
        truth_keys = _key_set(expected.lists[name], name)
        predicted_values = meta.case_numbers if name == "case_numbers" else getattr(meta, name)
        predicted_keys = _key_set(predicted_values, name)
        scores.add(
            name,
            group,
            tp=len(truth_keys & predicted_keys),
            predicted=len(predicted_keys),
            expected=len(truth_keys),
        )
        if truth_keys != predicted_keys:
            problems.append(
                f"{name}: missed {sorted(truth_keys - predicted_keys)}, "
                f"extra {sorted(predicted_keys - truth_keys)}"
            )

    if "citations" in expected.lists:
        labels = expected.lists["citations"]
        found_labels = [
            label for label in labels if any(citation_matches(label, c) for c in meta.citations)
        ]
        scores.add(
            "citations (recall)", group, tp=len(found_labels), predicted=0, expected=len(labels)
        )
        missed = [label for label in labels if label not in found_labels]
        if missed:
            problems.append(f"missed citations {missed}")
        if expected.citations_complete:
            matched = [
                c for c in meta.citations if any(citation_matches(label, c) for label in labels)
            ]
            scores.add(
                "citations (precision)",
                group,
                tp=len(matched),
                predicted=len(meta.citations),
                expected=0,
            )
            extra = sorted(c.normalized for c in meta.citations if c not in matched)
            if extra:
                problems.append(f"extra citations {extra}")
    return problems


# --- output -------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def _cell(name: str, tally: Tally | None) -> str:
    if tally is None:
        return ""
    if name in F1_FIELDS:
        return f"F1 {_fmt(tally.f1())}"
    return f"{_fmt(tally.precision())}/{_fmt(tally.recall())}"


def print_table(half: str, scores: Scores) -> None:
    columns = ("all", *GROUPS)
    print(f"\n== {half} half: {scores.documents.get('all', 0)} documents ==")
    header = f"{'field (P/R or F1)':<22}" + "".join(f"{col:>12}" for col in columns)
    print(header)
    print("-" * len(header))
    for name in FIELDS:
        cells = "".join(f"{_cell(name, scores.tally(name, col)):>12}" for col in columns)
        print(f"{name:<22}{cells}")
    print(f"{'documents':<22}" + "".join(f"{scores.documents.get(c, 0):>12}" for c in columns))


def as_json(scores: Scores) -> dict[str, object]:
    fields: dict[str, dict[str, dict[str, object]]] = {}
    for (name, group), tally in sorted(scores.tallies.items()):
        fields.setdefault(name, {})[group] = {
            "true_positive": tally.true_positive,
            "predicted_true": tally.predicted_true,
            "predicted": tally.predicted,
            "expected": tally.expected,
            "precision": tally.precision(),
            "recall": tally.recall(),
            "f1": tally.f1(),
        }
    return {"documents": dict(scores.documents), "fields": fields}


@dataclass
class Run:
    scores: dict[str, Scores]
    problems: dict[str, list[str]]
    seconds_reading: float = 0.0
    seconds_extracting: float = 0.0
    notes: list[str] = field(default_factory=list)


def evaluate(documents: Sequence[EvalDocument], halves: Sequence[str]) -> Run:
    run = Run(scores={half: Scores() for half in halves}, problems={})
    for doc in documents:
        half = doc.half
        if half not in run.scores:
            continue
        started = time.perf_counter()
        text = document_text(doc.path)
        read = time.perf_counter()
        # As the ocr service does: an XML document's own metadata date goes with its text.
        known_date = None
        if doc.path.suffix.lower() == ".xml":
            known_date = xml_metadata_date(doc.path.read_text(encoding="utf-8", errors="replace"))
        meta = extract(text, filename=doc.path.name, known_date=known_date)
        run.seconds_reading += read - started
        run.seconds_extracting += time.perf_counter() - read
        scores = run.scores[half]
        group = group_of(doc.expected.jurisdiction_path)
        scores.documents["all"] += 1
        scores.documents[group] += 1
        run.problems[doc.name] = score_document(doc.expected, meta, scores)
        run.notes.extend(f"{doc.name}: {note}" for note in doc.notes)
    return run


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Rules are written and tuned on the development half only. Read test-half "
        "mismatches (--half test --verbose) only to check a label, never to shape a rule.",
    )
    parser.add_argument("--half", choices=(DEV, TEST, "both"), default="both", help="half to score")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="list every mismatch of the half asked (with --half both: the dev half only; "
        "rules are tuned on dev only)",
    )
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    args = parser.parse_args(argv)

    halves = (DEV, TEST) if args.half == "both" else (args.half,)
    documents = all_documents()
    run = evaluate(documents, halves)
    verbose_halves = {DEV} if args.half == "both" else {args.half}
    if args.verbose:
        for doc in documents:
            if doc.half in verbose_halves and run.problems.get(doc.name):
                print(f"{doc.name} [{doc.half}]:")
                for problem in run.problems[doc.name]:
                    print(f"    {problem}")
        for note in run.notes:
            print(f"note: {note}")
    languages = sorted(
        {str(d.expected.single.get("language")) for d in documents if d.half in halves}
    )
    print(
        f"\n{sum(s.documents['all'] for s in run.scores.values())} documents "
        f"({', '.join(halves)}), languages: {', '.join(languages)}; "
        f"reading {run.seconds_reading:.1f} s, extraction {run.seconds_extracting:.1f} s"
    )
    unmapped = sorted({n.split(": ", 1)[1] for n in run.notes if "court not in table" in n})
    if unmapped:
        print(f"courts not scored (not in courts.json): {', '.join(unmapped)}")
    for half in halves:
        print_table(half, run.scores[half])
    if args.json:
        payload = {half: as_json(run.scores[half]) for half in halves}
        args.json.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()

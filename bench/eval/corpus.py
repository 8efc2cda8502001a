"""Every labelled evaluation document with what it should yield, ready to be scored.

Two sources:

- the existing set of bench/eval/legal_texts.py (the public samples of
  ``<LEXSTREAM_SAMPLE_DATA>/legal`` with tests/fixtures/legal/real/labels_extra.tsv, and the
  authored documents of tests/fixtures/legal/authored), named 'real/...' and 'authored/...';
- the corpus collections of ``<LEXSTREAM_SAMPLE_DATA>/corpus`` (uk-tna, eu-cjeu-gdpr,
  de-statutes, each with its labels.tsv and SOURCES.md), named
  'corpus/<collection>/<file>'.

The names feed the fixed development/test split (split.py). The corpus labels are the
publishers' facts; the corrections of tests/fixtures/legal/corpus_corrections.tsv (each
with its reason, see NOTES.md) are applied to the raw label cells before they are read.
In a corpus labels.tsv an empty cell means "not labelled": such a field is not scored.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from legal_texts import FIXTURES, REPO_ROOT, SAMPLE_LEGAL, load_documents
from split import half_of

CORPUS = SAMPLE_LEGAL.parent / "corpus"
COLLECTIONS = ("uk-tna", "eu-cjeu-gdpr", "de-statutes")
CORRECTIONS = FIXTURES / "corpus_corrections.tsv"
COURTS_JSON = REPO_ROOT / "services/index/src/lexstream/index/data/courts.json"

# Fields scored as one value per document and as lists of values.
SINGLE_FIELDS = ("court", "jurisdiction", "decision_date", "doc_type", "language")
LIST_FIELDS = ("identifiers", "case_numbers", "parties", "judges", "citations")

DOC_TYPE_ALIASES = {"brief": "pleading"}
# The National Archives writes this date where the judgment's date was not marked up.
TNA_NO_DATE = "1000-01-01"

# TNA court codes (the bracketed code of FRBRauthor in the LegalDocML, e.g. [EWHC-KBD-TCC])
# and the court code of the neutral citation the court's judgments carry (Practice
# Direction (Judgments: Form and Citation) [2001] 1 WLR 194 and its later extensions; the
# divisions and lists of the Business and Property Courts cite as their division does,
# the Planning Court as the Administrative Court, Family Court B cases and Court of
# Protection tiers as the Family Court and the Court of Protection). The expected court id
# is the courts.json court whose 'neutral' list holds that code, so the table grows with
# courts.json; a code whose neutral code courts.json lacks falls back to
# TNA_COURT_IDS, and otherwise the court is not scored (counted as 'court not in table').
TNA_NEUTRAL_CODES: Mapping[str, str] = {
    "UKSC": "UKSC",
    "UKPC": "UKPC",
    "UKHL": "UKHL",
    "EWCA-Civil": "EWCA Civ",
    "EWCA-Criminal": "EWCA Crim",
    "EWHC-Chancery": "EWHC (Ch)",
    "EWHC-Chancery-Business": "EWHC (Ch)",
    "EWHC-Chancery-InsolvencyAndCompanies": "EWHC (Ch)",
    "EWHC-Chancery-PropertyTrustsProbate": "EWHC (Ch)",
    "EWHC-Chancery-Financial": "EWHC (Ch)",
    "EWHC-Chancery-Competition": "EWHC (Ch)",
    "EWHC-Chancery-Appeals": "EWHC (Ch)",
    "EWHC-Chancery-IntellectualProperty": "EWHC (IPEC)",
    "EWHC-Chancery-Patents": "EWHC (Pat)",
    "EWHC-QBD": "EWHC (QB)",
    "EWHC-KBD": "EWHC (KB)",
    "EWHC-QBD-Admin": "EWHC (Admin)",
    "EWHC-KBD-Admin": "EWHC (Admin)",
    "EWHC-QBD-Planning": "EWHC (Admin)",
    "EWHC-KBD-Planning": "EWHC (Admin)",
    "EWHC-QBD-Commercial": "EWHC (Comm)",
    "EWHC-KBD-Commercial": "EWHC (Comm)",
    "EWHC-QBD-Commercial-Circuit": "EWHC (Comm)",
    "EWHC-KBD-Commercial-Circuit": "EWHC (Comm)",
    "EWHC-QBD-Admiralty": "EWHC (Admlty)",
    "EWHC-KBD-Admiralty": "EWHC (Admlty)",
    "EWHC-QBD-TCC": "EWHC (TCC)",
    "EWHC-KBD-TCC": "EWHC (TCC)",
    "EWHC-Family": "EWHC (Fam)",
    "EWHC-SeniorCourtsCosts": "EWHC (SCCO)",
    "EWFC": "EWFC",
    "EWFC-B": "EWFC",
    "EWCOP": "EWCOP",
    "EWCOP-T1": "EWCOP",
    "EWCOP-T2": "EWCOP",
    "EWCOP-T3": "EWCOP",
    "UKUT-AAC": "UKUT (AAC)",
    "UKUT-IAC": "UKUT (IAC)",
    "UKUT-LC": "UKUT (LC)",
    "UKUT-TCC": "UKUT (TCC)",
    "UKFTT-TC": "UKFTT (TC)",
    "UKFTT-GRC": "UKFTT (GRC)",
    "EAT": "EAT",
    "UKIPT": "UKIPTrib",
    "CSIH": "CSIH",
    "CSOH": "CSOH",
    "HCJAC": "HCJAC",
    "NICA": "NICA",
    "NIKB": "NIKB",
    "NIQB": "NIQB",
}
# Explicit court ids for TNA codes whose neutral code courts.json does not list (yet).
TNA_COURT_IDS: Mapping[str, str] = {}

# Jurisdiction of a TNA court code, by the code's leading letters (longest first): the
# courts of England and Wales (EW...) are UK/EW; the UK Supreme Court, the Privy Council
# and the tribunals that sit for the whole UK or Great Britain (Upper Tribunal,
# First-tier Tribunal, Employment Appeal Tribunal, Investigatory Powers Tribunal) are UK;
# the Scottish courts (Court of Session, High Court of Justiciary, sheriff courts) are
# UK/SC and the courts of Northern Ireland are UK/NI.
TNA_JURISDICTIONS: tuple[tuple[str, str], ...] = (
    ("EW", "UK/EW"),
    ("UKSC", "UK"),
    ("UKPC", "UK"),
    ("UKHL", "UK"),
    ("UKUT", "UK"),
    ("UKFTT", "UK"),
    ("UKIPT", "UK"),
    ("EAT", "UK"),
    ("CS", "UK/SC"),
    ("HCJ", "UK/SC"),
    ("SAC", "UK/SC"),
    ("SC", "UK/SC"),
    ("NI", "UK/NI"),
)

# The court labels of eu-cjeu-gdpr ("Court of Justice of the European Union (First
# Chamber)") by their ECLI court code; a chamber of the Court of Justice is the Court.
EU_COURT_ECLI: Mapping[str, str] = {
    "court of justice of the european union": "EU:C",
    "court of justice": "EU:C",
    "general court": "EU:T",
}


@dataclass(frozen=True)
class Expected:
    """What a document should yield. A field absent from ``single`` or ``lists`` is not
    labelled (not scored); a single field labelled None means "the document has none"."""

    single: Mapping[str, object]
    lists: Mapping[str, tuple[str, ...]]
    citations_complete: bool
    jurisdiction_path: str | None


@dataclass(frozen=True)
class EvalDocument:
    name: str
    path: Path
    collection: str
    expected: Expected
    notes: tuple[str, ...] = field(default=())

    @property
    def half(self) -> str:
        return str(half_of(self.name))


# --- the existing set -------------------------------------------------------------------


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
    if head == "INT":
        return "INT"
    return f"EU/{head}"


def _unknown(value: str) -> bool:
    return value.strip() in {"", "?"}


def _existing_expected(labels: Mapping[str, str]) -> Expected:
    """The labels of legal_texts' manifests, read as legal_eval always read them: '?' for a
    date or case number means the document has none; a court id '?' is not labelled and
    '-' means no court."""
    jurisdiction = label_jurisdiction(labels["jurisdiction"])
    single: dict[str, object] = {"jurisdiction": jurisdiction}
    court_id = labels.get("court_id", "?")
    if not _unknown(court_id):
        single["court"] = None if court_id == "-" else court_id
    raw_date = labels["decision_date"]
    single["decision_date"] = None if _unknown(raw_date) else date.fromisoformat(raw_date)
    single["doc_type"] = DOC_TYPE_ALIASES.get(labels["doc_type"], labels["doc_type"])
    single["language"] = labels["language"]
    cases = (
        ()
        if _unknown(labels["case_number"])
        else tuple(v for v in re.split(r"\s*[;,]\s*", labels["case_number"]) if v)
    )
    citations = (
        () if labels["citations"] in {"none", ""} else tuple(labels["citations"].split(" | "))
    )
    return Expected(
        single=single,
        lists={"case_numbers": cases, "citations": citations},
        citations_complete=labels.get("citations_complete") == "yes",
        jurisdiction_path=jurisdiction,
    )


def existing_documents() -> list[EvalDocument]:
    documents = []
    for doc in load_documents():
        name = doc.name
        collection = "real" if name.startswith("real/") else name.split("/", 1)[0]
        documents.append(
            EvalDocument(
                name=name,
                path=doc.path,
                collection=collection,
                expected=_existing_expected(doc.labels),
            )
        )
    return documents


# --- the corpus -------------------------------------------------------------------------


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@dataclass(frozen=True)
class CourtTable:
    """courts.json's ids by neutral-citation court code and by ECLI court code."""

    by_neutral: Mapping[str, str]
    by_ecli: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = COURTS_JSON) -> CourtTable:
        payload = json.loads(path.read_text(encoding="utf-8"))
        by_neutral: dict[str, str] = {}
        by_ecli: dict[str, str] = {}
        for court in payload["courts"]:
            for code in court.get("neutral") or ():
                by_neutral.setdefault(code.casefold(), court["id"])
            for code in court.get("ecli") or ():
                by_ecli.setdefault(code.casefold(), court["id"])
        return cls(by_neutral=by_neutral, by_ecli=by_ecli)


_TNA_CODE = re.compile(r"\[([A-Za-z0-9-]+)\]\s*$")


def tna_court_code(label: str) -> str | None:
    """'The Family Court [EWFC]' -> 'EWFC'."""
    match = _TNA_CODE.search(label)
    return match.group(1) if match else None


def tna_jurisdiction(code: str) -> str | None:
    for prefix, path in TNA_JURISDICTIONS:
        if code.upper().startswith(prefix):
            return path
    return None


def tna_court_id(code: str, courts: CourtTable) -> str | None:
    neutral = TNA_NEUTRAL_CODES.get(code)
    if neutral is not None and neutral.casefold() in courts.by_neutral:
        return courts.by_neutral[neutral.casefold()]
    return TNA_COURT_IDS.get(code)


def eu_court_id(label: str, courts: CourtTable) -> str | None:
    """'Court of Justice of the European Union (First Chamber)' -> the EU:C court."""
    base = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip().casefold()
    ecli = EU_COURT_ECLI.get(base)
    return courts.by_ecli.get(ecli.casefold()) if ecli else None


_CASE_NAME_V = re.compile(r"\s+v\.?\s+")
_CASE_NAME_AND = re.compile(r"\s+and\s+")
_PROCEEDINGS = re.compile(
    r"^(?:criminal\s+proceedings\s+against|proceedings\s+brought\s+by)\s+", re.IGNORECASE
)


def case_name_parties(value: str) -> tuple[str, ...]:
    """Party names of an English case name ('A and B v C and Others'): the sides split at
    ' v ', each side at ' and ', 'Others' dropped, 'Criminal proceedings against' and
    'Proceedings brought by' removed."""
    names: list[str] = []
    for side in _CASE_NAME_V.split(_PROCEEDINGS.sub("", value.strip())):
        for name in _CASE_NAME_AND.split(side):
            name = name.strip(" ,")
            if name and name.casefold() != "others":
                names.append(name)
    return tuple(names)


def _split(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(" | ") if item.strip())


def load_corrections(path: Path = CORRECTIONS) -> dict[tuple[str, str], tuple[str, str]]:
    """(document name, labels.tsv column) -> (corrected cell, reason)."""
    if not path.is_file():
        return {}
    return {(row["path"], row["field"]): (row["value"], row["reason"]) for row in _read_tsv(path)}


def corpus_expected(
    collection: str, row: Mapping[str, str], courts: CourtTable
) -> tuple[Expected, tuple[str, ...]]:
    """The expectations of one (corrected) labels.tsv row, and notes on what is unscored."""
    notes: list[str] = []
    single: dict[str, object] = {}
    lists: dict[str, tuple[str, ...]] = {}
    jurisdiction: str | None = row["jurisdiction"].strip() or None
    court_label = row["court"].strip()
    if collection == "uk-tna" and court_label:
        code = tna_court_code(court_label)
        if code is None:
            notes.append(f"court label without a TNA code: {court_label!r}")
        else:
            jurisdiction = tna_jurisdiction(code) or jurisdiction
            court_id = tna_court_id(code, courts)
            if court_id is None:
                notes.append(f"court not in table: {code}")
            else:
                single["court"] = court_id
    elif collection == "eu-cjeu-gdpr" and court_label:
        court_id = eu_court_id(court_label, courts)
        if court_id is None:
            notes.append(f"court not in table: {court_label}")
        else:
            single["court"] = court_id
    if jurisdiction:
        single["jurisdiction"] = jurisdiction
    raw_date = row["decision_date"].strip()
    if raw_date and raw_date != TNA_NO_DATE:
        single["decision_date"] = date.fromisoformat(raw_date)
    if row["doc_type"].strip():
        single["doc_type"] = DOC_TYPE_ALIASES.get(row["doc_type"], row["doc_type"].strip())
    if row["language"].strip():
        single["language"] = row["language"].strip()
    for column, name in (
        ("identifier", "identifiers"),
        ("case_numbers", "case_numbers"),
        ("judges", "judges"),
        ("citations", "citations"),
    ):
        values = _split(row[column])
        if values:
            lists[name] = values
    parties = _split(row["parties"])
    if len(parties) == 1 and collection == "eu-cjeu-gdpr":
        parties = case_name_parties(parties[0])
    if parties:
        lists["parties"] = parties
    expected = Expected(
        single=single,
        lists=lists,
        citations_complete=False,
        jurisdiction_path=jurisdiction,
    )
    return expected, tuple(notes)


def corpus_rows(collection: str) -> list[dict[str, str]]:
    return _read_tsv(CORPUS / collection / "labels.tsv")


def corpus_documents(courts: CourtTable | None = None) -> list[EvalDocument]:
    """Every row of every corpus labels.tsv whose file is there, corrections applied."""
    courts = courts or CourtTable.load()
    corrections = load_corrections()
    documents = []
    for collection in COLLECTIONS:
        labels = CORPUS / collection / "labels.tsv"
        if not labels.is_file():
            continue
        for row in _read_tsv(labels):
            name = f"corpus/{collection}/{row['path']}"
            path = CORPUS / collection / row["path"]
            if not path.is_file():
                continue
            corrected = dict(row)
            for column in row:
                if (name, column) in corrections:
                    corrected[column] = corrections[(name, column)][0]
            expected, notes = corpus_expected(collection, corrected, courts)
            documents.append(
                EvalDocument(
                    name=name,
                    path=path,
                    collection=f"corpus/{collection}",
                    expected=expected,
                    notes=notes,
                )
            )
    return documents


def all_documents() -> list[EvalDocument]:
    """The existing set, then the corpus."""
    return existing_documents() + corpus_documents()

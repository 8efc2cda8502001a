"""The evaluation harness of bench/eval: the fixed split, the corpus loader, the scoring."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from tests.samples import sample_dir

from lexstream.index.extraction.models import Citation, Identifier, LegalMetadata
from lexstream.shared.legal import normalize_citation

BENCH_EVAL = Path(__file__).resolve().parents[3] / "bench" / "eval"
sys.path.insert(0, str(BENCH_EVAL))

import corpus  # noqa: E402
import legal_eval  # noqa: E402
import split  # noqa: E402


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


# --- the split --------------------------------------------------------------------------


def test_split_is_the_documented_fixed_hash() -> None:
    names = [f"corpus/uk-tna/test{i}.docx" for i in range(1, 60)] + ["real/us/x.pdf"]
    for name in names:
        first_byte = hashlib.sha256(name.encode("utf-8")).digest()[0]
        assert split.half_of(name) == (split.DEV if first_byte < 128 else split.TEST)
        assert split.half_of(name) == split.half_of(str(name))
    assert {split.half_of(name) for name in names} == {split.DEV, split.TEST}


def test_both_halves_of_every_collection_are_non_empty() -> None:
    sample_dir("legal")
    sample_dir("corpus")
    halves: dict[str, set[str]] = defaultdict(set)
    for doc in corpus.all_documents():
        halves[doc.collection].add(doc.half)
    expected = {"real", "authored", *(f"corpus/{c}" for c in corpus.COLLECTIONS)}
    assert set(halves) == expected
    for collection, seen in halves.items():
        assert seen == {split.DEV, split.TEST}, collection


# --- the loader -------------------------------------------------------------------------


def test_loader_reads_every_corpus_row() -> None:
    root = sample_dir("corpus")
    from legal_texts import document_text

    documents = corpus.corpus_documents()
    names = [doc.name for doc in documents]
    assert len(names) == len(set(names))
    for collection in corpus.COLLECTIONS:
        rows = _tsv(root / collection / "labels.tsv")
        loaded = [doc for doc in documents if doc.collection == f"corpus/{collection}"]
        assert [doc.name for doc in loaded] == [f"corpus/{collection}/{r['path']}" for r in rows]
        for doc in loaded:
            assert document_text(doc.path).strip(), doc.name
            assert doc.expected.single.get("language"), doc.name
    uk = [doc for doc in documents if doc.collection == "corpus/uk-tna"]
    # Every uk-tna court code has a jurisdiction path; a label without a code is reported.
    assert all(doc.expected.jurisdiction_path in {"UK", "UK/EW", "UK/SC", "UK/NI"} for doc in uk)


def test_every_correction_names_a_labelled_cell_and_gives_a_reason() -> None:
    root = sample_dir("corpus")
    corrections = _tsv(corpus.CORRECTIONS)
    assert corrections
    for row in corrections:
        collection, _, file_name = row["path"].removeprefix("corpus/").partition("/")
        assert collection in corpus.COLLECTIONS, row
        labels = {r["path"]: r for r in _tsv(root / collection / "labels.tsv")}
        assert file_name in labels, row
        assert row["field"] in labels[file_name], row
        assert row["value"] != labels[file_name][row["field"]], row
        assert len(row["reason"]) > 20, row


def test_corrections_are_applied_and_the_tna_placeholder_date_is_not_a_label() -> None:
    sample_dir("corpus")
    corrections = corpus.load_corrections()
    documents = {doc.name: doc for doc in corpus.corpus_documents()}
    for (name, column), (value, _reason) in corrections.items():
        if column == "decision_date":
            expected = documents[name].expected.single.get("decision_date")
            assert expected == (date.fromisoformat(value) if value else None), name
    for doc in documents.values():
        assert doc.expected.single.get("decision_date") != date(1000, 1, 1), doc.name


def test_tna_court_codes_map_to_courts_of_their_jurisdiction() -> None:
    table = json.loads(corpus.COURTS_JSON.read_text(encoding="utf-8"))
    jurisdiction_of = {court["id"]: court["jurisdiction"] for court in table["courts"]}
    courts = corpus.CourtTable.load()
    mapped = 0
    for code in corpus.TNA_NEUTRAL_CODES:
        court_id = corpus.tna_court_id(code, courts)
        if court_id is not None:
            mapped += 1
            assert jurisdiction_of[court_id] == corpus.tna_jurisdiction(code), code
    assert mapped >= 20
    assert corpus.tna_court_code("The Family Court (B cases) [EWFC-B]") == "EWFC-B"
    assert corpus.tna_jurisdiction("EWHC-KBD-TCC") == "UK/EW"
    assert corpus.tna_jurisdiction("UKUT-IAC") == corpus.tna_jurisdiction("EAT") == "UK"
    small = corpus.CourtTable(by_neutral={"ewhc (comm)": "ewhc-comm"}, by_ecli={"eu:c": "cj"})
    assert corpus.tna_court_id("EWHC-KBD-Commercial-Circuit", small) == "ewhc-comm"
    assert corpus.tna_court_id("EWHC-Family", small) is None
    assert corpus.eu_court_id("Court of Justice of the European Union (Grand Chamber)", small)
    assert corpus.eu_court_id("Court of Justice of the European Union", small) == "cj"


# --- normalisation ----------------------------------------------------------------------


def test_names_compare_without_titles_numbering_and_roles() -> None:
    key = legal_eval.name_key
    assert key("THE HON. MR JUSTICE TOMLINSON") == key("Tomlinson J") == "tomlinson"
    assert key("LADY JUSTICE ELISABETH LAING") == key("Elisabeth Laing LJ")
    assert key("Lord Reed, President") == key("LORD REED") == "reed"
    assert key("HHJ Vincent sitting as a s9 Deputy High Court Judge") == "vincent"
    assert key("(1) SHELL EGYPT WEST MANZALA GMBH") == key("Shell Egypt West Manzala GmbH")
    assert key("ACME LIMITED") == key("Acme Ltd.")
    assert key("Anna Schmidt, Klägerin und Revisionsklägerin") == "anna schmidt"
    assert key("THE QUEEN ON THE APPLICATION OF “B”") == key('The Queen on the application of "B"')
    assert key("R (on the application of ASM (Iraq))") == "r on application of asm"
    assert key("THE QUEEN ON THE APPLICATION OF “B”") == key("R (on the application of B)")
    assert key("(FORMERLY KNOWN AS AAR (ETHIOPIA))") == ""
    assert key("SKY LTD AND OTHERS") == key("Sky Limited")
    assert key("Verbraucherzentrale Bundesverband e.V.") == key(
        "Verbraucherzentrale Bundesverband eV"
    )
    assert key("Orange România SA") == key("Orange Romania SA")
    assert key("John Smith") != key("Jane Smith")


def test_identifiers_and_case_numbers_compare_in_normal_form() -> None:
    assert legal_eval.identifier_key("CELEX 62021CJ0129") == legal_eval.identifier_key(
        "62021CJ0129"
    )
    assert legal_eval.identifier_key("[2022] UKFTT 00413 (TC)") == legal_eval.identifier_key(
        "[2022] UKFTT 413 (TC)"
    )
    assert legal_eval.identifier_key("BGB") == legal_eval.identifier_key("BGB ")
    assert legal_eval.identifier_key("StGB") == legal_eval.identifier_key("STGB")
    assert legal_eval.identifier_key("[2022] EWCA Civ 24") != legal_eval.identifier_key(
        "[2022] EWCA Civ 240"
    )
    assert legal_eval.identifier_kind("CELEX 62021CJ0129") == "celex"
    assert legal_eval.identifier_kind("[2003] EWCA Civ 547") == "neutral_citation"
    assert legal_eval.identifier_kind("ECLI:EU:C:2022:801") == "ecli"
    assert legal_eval.identifier_kind("BGB") == "abbreviation"
    assert legal_eval.case_key("Case C\u2011129/21") == legal_eval.case_key("C-129/21")


def test_case_names_split_into_parties() -> None:
    assert corpus.case_name_parties("JU and SO v Scalable Capital GmbH") == (
        "JU",
        "SO",
        "Scalable Capital GmbH",
    )
    assert corpus.case_name_parties("Meta Platforms Inc and Others v Bundeskartellamt") == (
        "Meta Platforms Inc",
        "Bundeskartellamt",
    )
    assert corpus.case_name_parties("Criminal proceedings against ILVA A/S") == ("ILVA A/S",)


def test_group_of_jurisdiction_paths() -> None:
    assert legal_eval.group_of("EU/DE") == "EU/xx"
    assert legal_eval.group_of("EU") == "EU"
    assert legal_eval.group_of("US/STATE/CA") == "US/STATE"
    assert legal_eval.group_of("US/FED") == "US/FED"
    assert legal_eval.group_of("UK/EW") == "UK"
    assert legal_eval.group_of("INT") == "INT"
    assert legal_eval.group_of(None) == "other"


# --- scoring ----------------------------------------------------------------------------


def _citation(label: str) -> Citation:
    key = normalize_citation(label) or label
    return Citation(raw=label, normalized=key, kind="test", start=0, end=1, keys=[key])


def test_scoring_gives_known_precision_and_recall() -> None:
    expected = corpus.Expected(
        single={
            "court": "ewca-civ",
            "jurisdiction": "UK/EW",
            "decision_date": date(2022, 1, 14),
            "doc_type": "judgment",
        },
        lists={
            "identifiers": ("[2022] EWCA Civ 24",),
            "parties": ("(1) ACME LIMITED", "JOHN SMITH"),
            "judges": ("LORD JUSTICE BEAN", "LADY JUSTICE ELISABETH LAING"),
            "case_numbers": ("A2/2021/1372",),
            "citations": ("410 U.S. 113", "[2019] UKSC 5"),
        },
        citations_complete=True,
        jurisdiction_path="UK/EW",
    )
    meta = LegalMetadata(
        court_id="ewca-civ",
        jurisdiction="UK",
        decision_date=date(2022, 1, 14),
        identifiers=[
            Identifier(kind="neutral_citation", value="[2022] EWCA Civ 24"),
            Identifier(kind="neutral_citation", value="[2022] EWCA Civ 25"),
            Identifier(kind="docket", value="A2/2021/1372"),
        ],
        parties=["Acme Ltd", "Jane Doe"],
        judges=["Bean LJ"],
        case_numbers=["A2/2021/1372", "B1/2020/0001"],
        citations=[_citation("410 U.S. 113"), _citation("999 U.S. 1")],
        doc_type="order",
    )
    scores = legal_eval.Scores()
    problems = legal_eval.score_document(expected, meta, scores)

    def pr(name: str) -> tuple[float | None, float | None]:
        tally = scores.tally(name)
        assert tally is not None, name
        return tally.precision(), tally.recall()

    assert pr("court") == (1.0, 1.0)
    assert pr("jurisdiction") == (0.0, 0.0)
    assert pr("decision_date") == (1.0, 1.0)
    assert pr("doc_type") == (0.0, 0.0)
    assert scores.tally("language") is None  # not labelled: not scored
    assert pr("identifiers") == (0.5, 1.0)  # two neutral citations predicted, one right
    assert pr("parties") == (0.5, 0.5)
    assert pr("judges") == (1.0, 0.5)
    judges = scores.tally("judges")
    assert judges is not None
    assert judges.f1() == pytest.approx(2 / 3)
    assert pr("case_numbers") == (0.5, 1.0)
    assert pr("citations (recall)") == (None, 0.5)
    assert pr("citations (precision)") == (0.5, None)
    # Counted per group as well as overall.
    assert scores.tally("court", "UK") is not None
    assert any("jurisdiction" in problem for problem in problems)
    assert any("[2019] UKSC 5" in problem for problem in problems)


def test_a_field_labelled_none_counts_a_prediction_against_precision() -> None:
    expected = corpus.Expected(
        single={"decision_date": None},
        lists={},
        citations_complete=False,
        jurisdiction_path="US/FED",
    )
    scores = legal_eval.Scores()
    legal_eval.score_document(expected, LegalMetadata(decision_date=date(2020, 1, 1)), scores)
    tally = scores.tally("decision_date", "US/FED")
    assert tally is not None
    assert (tally.predicted, tally.expected, tally.precision()) == (1, 0, 0.0)

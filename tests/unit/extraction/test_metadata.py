"""Court, jurisdiction, dates, parties, judges, case numbers, document type and language."""

from __future__ import annotations

from datetime import date

import pytest

from lexstream.index.extraction import extract
from lexstream.index.extraction.courts import detect_court, jurisdiction_from_citations


@pytest.mark.parametrize(
    ("path", "court_id", "jurisdiction", "decided"),
    [
        ("us/ca9_smith_v_jones_opinion.txt", "ca9", "US/FED", date(2019, 4, 12)),
        ("us/ca_supreme_opinion.txt", "cal", "US/STATE/CA", date(2017, 7, 27)),
        ("eu/cjeu_google_spain_excerpt.txt", "eu-cj", "EU", date(2014, 5, 13)),
        ("eu/general_court_trademark.txt", "eu-gc", "EU", date(2019, 6, 5)),
        ("uk/ewhc_kb_judgment.txt", "ewhc-kb", "UK/EW", date(2023, 7, 19)),
        ("uk/uksc_judgment_excerpt.txt", "uksc", "UK", date(2020, 4, 1)),
        ("uk/scotland_csoh.txt", "csoh", "UK/SC", date(2019, 10, 15)),
        ("de/bgh_urteil_kauf.txt", "de-bgh", "EU/DE", date(2021, 3, 24)),
        ("fr/ccass_civ1.txt", "fr-ccass", "EU/FR", date(2019, 7, 3)),
        ("fr/ce_decision.txt", "fr-ce", "EU/FR", date(2020, 12, 30)),
        ("nl/hr_arrest.txt", "nl-hr", "EU/NL", date(2019, 3, 15)),
    ],
)
def test_court_jurisdiction_and_date(
    authored_text: dict[str, str], path: str, court_id: str, jurisdiction: str, decided: date
) -> None:
    meta = extract(authored_text[path])
    assert meta.court_id == court_id
    assert meta.jurisdiction == jurisdiction
    assert meta.decision_date == decided


def test_real_slip_opinion(real_text: dict[str, str]) -> None:
    meta = extract(real_text["us/scotus_fisher_v_ut_slip.txt"])
    assert meta.court == "Supreme Court of the United States"
    assert meta.jurisdiction == "US/FED"
    assert meta.decision_date == date(2013, 6, 24)  # 'Argued ...—Decided June 24, 2013'
    assert meta.case_numbers[0] == "11-345"
    assert meta.doc_type == "opinion"
    assert meta.language == "en"
    forms = {c.normalized for c in meta.citations}
    assert {"539 U.S. 306", "438 U.S. 265", "631 F.3d 213"} <= forms


def test_real_bva_decision_in_windows_1252(real_text: dict[str, str]) -> None:
    meta = extract(real_text["us/bva_A25084404.txt"])
    assert meta.court_id == "bva"
    assert meta.decision_date == date(2025, 9, 30)
    assert "250716-566207" in meta.case_numbers
    assert "38 C.F.R. § 4.130" in {c.normalized for c in meta.citations}


def test_state_statute_jurisdiction_without_court(real_text: dict[str, str]) -> None:
    meta = extract(real_text["us/nc_statute_163-230.2.txt"])
    assert meta.court is None
    assert meta.jurisdiction == "US/STATE/NC"
    assert meta.doc_type == "statute"


def test_ambiguous_court_line_stays_unknown() -> None:
    # 'Court of Appeal' alone could be any of several systems.
    assert detect_court("IN THE COURT OF APPEAL\nBetween A and B").court is None


def test_jurisdiction_from_citations_needs_agreement() -> None:
    assert jurisdiction_from_citations([("de_statute", "§ 1 BGB"), ("ecli", "ECLI:DE:BGH:1")]) == (
        "EU/DE"
    )
    assert jurisdiction_from_citations([("de_statute", "x"), ("eu_case", "C-1/20")]) == "EU"
    assert jurisdiction_from_citations([("us_case", "1 U.S. 1"), ("uk_neutral", "x")]) is None
    assert jurisdiction_from_citations([("us_case", "1 U.S. 1")]) is None


def test_jurisdiction_hint_only_when_nothing_else_says() -> None:
    assert extract("A short note.", jurisdiction_hint="US/STATE/CA").jurisdiction == ("US/STATE/CA")
    assert extract("A short note.", jurisdiction_hint="not a path").jurisdiction is None


def test_parties_from_block_and_inline_captions(authored_text: dict[str, str]) -> None:
    assert extract(authored_text["us/ca9_smith_v_jones_opinion.txt"]).parties == [
        "MARIA SMITH",
        "DANIEL JONES, Sheriff of Orange County",
    ]
    assert extract(authored_text["uk/ewhc_kb_judgment.txt"]).parties == [
        "ALEXANDRA PRICE",
        "NORTHERN NEWS GROUP LIMITED",
    ]
    meta = extract(authored_text["de/bgh_urteil_kauf.txt"])
    assert meta.parties == ["Autohaus Müller GmbH", "Schneider"]  # 'X ./. Y'
    assert meta.title == "Autohaus Müller GmbH v. Schneider"
    assert extract("Dupont c. Durand\n\nArrêt").parties == ["Dupont", "Durand"]


def test_judges(authored_text: dict[str, str]) -> None:
    assert extract(authored_text["us/ca5_unpublished_opinion.txt"]).judges == [
        "SMITH",
        "HIGGINSON",
        "ENGELHARDT",
    ]
    judges = extract(authored_text["eu/cjeu_google_spain_excerpt.txt"]).judges
    assert judges[:2] == ["V. Skouris", "K. Lenaerts"]
    assert "M. Ilešič" in judges


def test_case_numbers(authored_text: dict[str, str]) -> None:
    assert extract(authored_text["eu/cjeu_joined_cases_fr.txt"]).case_numbers == [
        "C-203/15",
        "C-698/15",
    ]
    assert "18-14.153" in extract(authored_text["fr/ccass_civ1.txt"]).case_numbers
    assert "VIII ZR 84/20" in extract(authored_text["de/bgh_urteil_kauf.txt"]).case_numbers


def test_own_identifiers_are_not_citations(authored_text: dict[str, str]) -> None:
    meta = extract(authored_text["uk/ewhc_kb_judgment.txt"])
    forms = {c.normalized for c in meta.citations}
    assert "[2023] EWHC 1812 (KB)" not in forms
    assert "[2021] EWCA Civ 1234" in forms


@pytest.mark.parametrize(
    ("path", "doc_type"),
    [
        ("us/ca9_smith_v_jones_opinion.txt", "opinion"),
        ("us/sdny_order_acme.txt", "order"),
        ("us/cand_complaint.txt", "pleading"),
        ("us/deposition_transcript.txt", "transcript"),
        ("us/tx_statute_excerpt.txt", "statute"),
        ("eu/eurlex_regulation_recital.txt", "regulation"),
        ("uk/ewca_crim_short.txt", "judgment"),
        ("de/olg_beschluss.txt", "order"),
        ("de/gesetz_auszug.txt", "statute"),
        ("fr/ca_paris_arret.txt", "judgment"),
    ],
)
def test_doc_types(authored_text: dict[str, str], path: str, doc_type: str) -> None:
    assert extract(authored_text[path]).doc_type == doc_type


def test_doc_type_from_media_type_and_contract_rules() -> None:
    assert extract("Hello", media_type="message/rfc822").doc_type == "email"
    contract = "SERVICES AGREEMENT\n\nThis Agreement is made between A and B.\nIN WITNESS WHEREOF"
    assert extract(contract).doc_type == "contract"


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("de/lg_urteil.txt", "de"),
        ("fr/ce_decision.txt", "fr"),
        ("nl/rb_vonnis.txt", "nl"),
        ("uk/ukut_lc_decision.txt", "en"),
    ],
)
def test_language(authored_text: dict[str, str], path: str, language: str) -> None:
    assert extract(authored_text[path]).language == language


def test_numeric_dates_follow_the_jurisdiction() -> None:
    uk = extract("IN THE COURT OF APPEAL (CIVIL DIVISION)\nDate: 10/12/2021\n")
    us = extract("UNITED STATES COURT OF APPEALS FOR THE SECOND CIRCUIT\nDate: 10/12/2021\n")
    assert uk.decision_date == date(2021, 12, 10)
    assert us.decision_date == date(2021, 10, 12)

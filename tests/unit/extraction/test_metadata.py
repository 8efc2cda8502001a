"""Court, jurisdiction, dates, parties, judges, case numbers, document type and language."""

from __future__ import annotations

from datetime import date

import pytest

from lexstream.index.extraction import extract
from lexstream.index.extraction.caption import find_case_numbers
from lexstream.index.extraction.courts import detect_court, jurisdiction_from_citations
from lexstream.index.extraction.dates import find_decision_date, month_first
from lexstream.index.extraction.extract import act_celex, judgment_celex
from lexstream.shared.legal import normalize_citation


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


# --- identifiers (issue 14) ---------------------------------------------------------------

# One synthetic document per identifier kind, each identifier where documents print their
# own: (kind, value as printed, the normal form extract() must store, the document's text).
IDENTIFIER_CASES = [
    (
        "ecli",
        "ECLI:DE:BGH:2013:171213UVIZR211.12.0",
        "BUNDESGERICHTSHOF\nECLI:DE:BGH:2013:171213UVIZR211.12.0\nIM NAMEN DES VOLKES\nURTEIL\n",
    ),
    (
        "neutral_citation",
        "[2020] UKSC 5",
        "Neutral Citation Number: [2020] UKSC 5\nIN THE SUPREME COURT OF THE UNITED KINGDOM\n",
    ),
    (
        "neutral_citation",
        "[2021] UKUT 116 (IAC)",
        "Upper Tribunal\nOsefiso and another (PTA decision) [2021] UKUT 00116 (IAC)\n\nBefore\n",
    ),
    ("celex", "62021CJ0129", "62021CJ0129\n\nJUDGMENT OF THE COURT (Fourth Chamber)\n"),
    (
        "eli",
        "http://data.europa.eu/eli/reg/2016/679/oj",
        "REGULATION (EU) 2016/679 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL\n"
        "ELI: http://data.europa.eu/eli/reg/2016/679/oj\n",
    ),
    ("docket", "VI ZR 211/12", "BUNDESGERICHTSHOF\nIM NAMEN DES VOLKES\nURTEIL\nVI ZR 211/12\n"),
    (
        "oj",
        "BGBl. 1951 I S. 499",
        "# Kündigungsschutzgesetz (KSchG)\n\nAusfertigungsdatum\n:   1951-08-10\n\n"
        "Fundstelle\n:   BGBl I: 1951, 499\n",
    ),
    (
        "abbreviation",
        "KSchG",
        "# Kündigungsschutzgesetz (KSchG)\n\nAusfertigungsdatum\n:   1951-08-10\n",
    ),
]


@pytest.mark.parametrize(("kind", "value", "text"), IDENTIFIER_CASES)
def test_each_identifier_kind_is_the_documents_own(kind: str, value: str, text: str) -> None:
    meta = extract(text + "\nThe text of the decision follows.\n")
    assert (kind, value) in {(i.kind, i.value) for i in meta.identifiers}
    # an own identifier is not also a citation of another authority
    assert value not in {c.normalized for c in meta.citations}


def test_an_identifier_cited_in_the_body_is_not_the_documents_own() -> None:
    body = "x " * 2_000
    text = f"HIGH COURT OF JUSTICE\n\nJudgment\n\n{body}\nAs held in [2019] UKSC 7, the rule holds."
    meta = extract(text)
    assert "[2019] UKSC 7" not in {i.value for i in meta.identifiers}
    assert "[2019] UKSC 7" in {c.normalized for c in meta.citations}


def test_an_appeal_from_citation_in_the_title_is_not_the_documents_own() -> None:
    text = "Michaelmas Term\n[2021] UKSC 50\nOn appeal from: [2019] EWCA Civ 1599\nJUDGMENT\n"
    values = {i.value for i in extract(text).identifiers}
    assert "[2021] UKSC 50" in values
    assert "[2019] EWCA Civ 1599" not in values


@pytest.mark.parametrize(
    ("raw", "celex"),
    [
        ("Regulation (EU) 2016/679", "32016R0679"),
        ("Directive 95/46/EC", "31995L0046"),
        ("Regulation (EC) No 44/2001", "32001R0044"),
        ("Directive (EU) 2019/790", "32019L0790"),
        ("Decision 2000/520/EC", "32000D0520"),
    ],
)
def test_an_acts_celex_number_follows_from_its_number(raw: str, celex: str) -> None:
    normalized = normalize_citation(raw)
    assert normalized is not None
    assert act_celex(normalized) == celex


@pytest.mark.parametrize(
    ("number", "celex"),
    [("C-129/21", "62021CJ0129"), ("T-612/17", "62017TJ0612"), ("C-6/64", "61964CJ0006")],
)
def test_an_eu_judgments_celex_number_follows_from_its_case_number(number: str, celex: str) -> None:
    assert judgment_celex(number) == celex


def test_an_eu_judgment_gets_the_celex_it_states_by_case_number_and_nothing_else() -> None:
    judgment = (
        "JUDGMENT OF THE COURT (Fourth Chamber)\n\n27 October 2022\n\nIn Case C-129/21,\n\n"
        "REQUEST for a preliminary ruling under Article 267 TFEU\n"
    )
    meta = extract(judgment)
    assert meta.jurisdiction == "EU"
    assert ("celex", "62021CJ0129") in {(i.kind, i.value) for i in meta.identifiers}
    assert ("docket", "C-129/21") in {(i.kind, i.value) for i in meta.identifiers}
    # an Advocate General's opinion is not a judgment: no judgment CELEX is made up for it
    opinion = judgment.replace(
        "JUDGMENT OF THE COURT (Fourth Chamber)", "OPINION OF ADVOCATE GENERAL"
    )
    assert "celex" not in {i.kind for i in extract(opinion).identifiers}


# --- case numbers: citations of other decisions (issue 14) --------------------------------

OWN_HEADER = (
    "BUNDESGERICHTSHOF\nIM NAMEN DES VOLKES\nURTEIL\nVIII ZR 229/20\n"
    "Verkündet am: 24. März 2021\n\n"
)


@pytest.mark.parametrize(
    "cited",
    [
        "Der Senat folgt BGH, Urteil vom 17. Dezember 2013 – VI ZR 211/12, NJW 2014, 2029.",
        "So schon der Senat (Beschluss vom 3. Mai 2019 - II ZB 5/18).",
        "Vgl. auch VI ZR 211/12.",
        "Siehe I ZR 12/19.",
        "Voir Cass. civ. 2e, 5 mars 2015, pourvoi n° 14-10.842.",
        "Cf. arrêt du 5 mars 2015, pourvoi n° 14-10.842.",
        "Zie HR 16 december 1992, zaaknummer 27969.",
    ],
)
def test_case_numbers_in_citations_of_other_decisions_are_not_the_documents(cited: str) -> None:
    numbers = find_case_numbers(OWN_HEADER + "Gründe\n\n" + cited)
    assert numbers == ["VIII ZR 229/20"]


def test_a_docket_in_the_documents_own_title_line_is_its_own() -> None:
    header = "BGH, Urteil vom 24. März 2021 – VIII ZR 229/20\n\nTatbestand\n"
    assert find_case_numbers(header) == ["VIII ZR 229/20"]


def test_numbers_inside_citation_spans_and_act_numbers_are_not_case_numbers() -> None:
    text = (
        "OWN COURT\nCase No. 12-345\n\nThe Court applies Regulation (EC) No 45/2001 and "
        "STS 1234/2019 (Sala de lo Civil), Docket No. 99-888.\n"
    )
    start = text.index("STS")
    meta_numbers = find_case_numbers(text, cited=[(start, start + 60)])
    assert "12-345" in meta_numbers
    assert "45/2001" not in meta_numbers
    assert "99-888" not in meta_numbers


# --- dates by the document's legal system (issue 14) -------------------------------------

# Month names as the CLDR gives them (wide, format context), typed out here, not read from
# the extractor's table.
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}
# How each language writes 'day month year' after its judgment cue.
DATE_FORMS = {
    "en": "Judgment of {d} {m} {y}",
    "de": "Urteil vom {d}. {m} {y}",
    "fr": "arrêt du {d} {m} {y}",
    "nl": "uitspraak van {d} {m} {y}",
    "es": "sentencia de {d} de {m} de {y}",
    "it": "sentenza del {d} {m} {y}",
    "pt": "acórdão de {d} de {m} de {y}",
}


@pytest.mark.parametrize("language", sorted(MONTHS))
def test_spelled_dates_in_every_language_after_its_judgment_cue(language: str) -> None:
    for month, name in enumerate(MONTHS[language].split(), start=1):
        day = 1 + (month * 7) % 28
        cue = DATE_FORMS[language].format(d=day, m=name, y=2015)
        header = f"Received 2 January 2014.\n{cue}\n"
        assert find_decision_date(header, us_order=False) == date(2015, month, day), cue


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1er mars 2015", date(2015, 3, 1)),
        ("1.º de marzo de 2015", date(2015, 3, 1)),
        ("1º de março de 2015", date(2015, 3, 1)),
        ("1° marzo 2015", date(2015, 3, 1)),
        ("5 marzo 2015", date(2015, 3, 5)),
        ("5 de março de 2015", date(2015, 3, 5)),
    ],
)
def test_ordinal_days(written: str, expected: date) -> None:
    assert find_decision_date(f"Fecha: {written}\n", us_order=False) == expected


US_ORDER = (
    "UNITED STATES DISTRICT COURT\nSOUTHERN DISTRICT OF NEW YORK\n\nORDER\n\nDated: 08/03/2017\n"
)
UK_ORDER = "IN THE HIGH COURT OF JUSTICE\nKING'S BENCH DIVISION\n\nORDER\n\nDated: 08/03/2017\n"


def test_numeric_dates_are_month_first_only_in_us_documents() -> None:
    assert extract(US_ORDER).jurisdiction == "US/FED"
    assert extract(US_ORDER).decision_date == date(2017, 8, 3)
    assert extract(UK_ORDER).jurisdiction == "UK/EW"
    assert extract(UK_ORDER).decision_date == date(2017, 3, 8)


def test_an_unknown_jurisdiction_reads_day_first_unless_the_text_is_clearly_us() -> None:
    plain = "Memorandum\n\nDated: 08/03/2017\n"
    assert not month_first(plain, None)
    assert extract(plain).decision_date == date(2017, 3, 8)
    ecf = "Case 1:23-cv-00123-ABC Document 12 Filed 03/04/2023 Page 1 of 9\n" + plain
    assert month_first(ecf, None)
    spelled = "Memorandum of March 5, 2015, and of April 7, 2016.\nDated: 08/03/2017\n"
    assert month_first(spelled, None)
    assert not month_first(spelled, "EU/FR")
    assert month_first(plain, "US/STATE/CA")


def test_a_date_only_one_order_can_read_is_read_that_way() -> None:
    assert find_decision_date("Dated: 13/03/2017", us_order=True) == date(2017, 3, 13)
    assert find_decision_date("Dated: 03/13/2017", us_order=False) == date(2017, 3, 13)


def test_structured_metadata_beats_the_body() -> None:
    body = "JUDGMENT\n\nDelivered on 5 March 2015.\n"
    assert extract(body).decision_date == date(2015, 3, 5)
    assert extract(body, known_date=date(2015, 2, 1)).decision_date == date(2015, 2, 1)


def test_an_emails_own_date_header_is_its_date() -> None:
    mail = (
        "From: a@example.com\nTo: b@example.com\nDate: Tue, 05 Mar 2019 10:00:00 +0100\n"
        "Subject: the judgment of 1 February 2019\n\nPlease see the judgment of 1 February 2019."
    )
    meta = extract(mail, media_type="message/rfc822")
    assert meta.doc_type == "email"
    assert meta.decision_date == date(2019, 3, 5)


def test_a_docket_sheets_decision_row_dates_the_decision() -> None:
    sheet = (
        "Case: 03-23-00068-CR\nDate Filed: 02/08/2023\nCase Events\nDate Event Type\n"
        "03/05/2024 Certification\n02/29/2024 Memorandum opinion issued\n02/28/2024 Submitted\n"
    )
    assert find_decision_date(sheet, us_order=True) == date(2024, 2, 29)
    assert find_decision_date(sheet.replace("Memorandum opinion", "Notice"), us_order=True) == (
        date(2023, 2, 8)
    )


@pytest.mark.parametrize(
    ("gazette", "oj"),
    [("BGBl I: 1951, 499", "BGBl. 1951 I S. 499"), ("RGBl I: 1934, 1005", "RGBl. 1934 I S. 1005")],
)
def test_a_german_acts_own_gazette_names_its_jurisdiction_and_it_has_no_docket(
    gazette: str, oj: str
) -> None:
    text = (
        "# Einkommensteuergesetz (EStG)\n\nAusfertigungsdatum\n:   1934-10-16\n\n"
        f"Fundstelle\n:   {gazette}\n\n"
        "Änderung durch\n:   Art. 1 G v. 25.6.2021 I 2035 (Nr. 37)\n\n"
        "## § 1 Steuerpflicht\n\nVgl. Verordnung (EU) 2016/679.\n"
    )
    meta = extract(text)
    assert meta.doc_type == "statute"
    assert meta.jurisdiction == "EU/DE"
    assert meta.case_numbers == []
    assert {("oj", oj), ("abbreviation", "EStG")} <= {(i.kind, i.value) for i in meta.identifiers}


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("LANDGERICHT BERLIN\nUrteil\nAz. 27 O 123/21\n", "27 O 123/21"),
        ("SOZIALGERICHT\nAktenzeichen: L 3 AS 12/19\n", "L 3 AS 12/19"),
        ("OBERSTER GERICHTSHOF\nGZ 1 Ob 12/20x\n", "1 Ob 12/20x"),
        ("TRIBUNAL SUPREMO\nRecurso nº 1234/2019\n", "1234/2019"),
        ("SUPREMO TRIBUNAL DE JUSTIÇA\nProcesso n.º 123/19.0T8LSB\n", "123/19.0T8LSB"),
        ("TRIBUNALE DI MILANO\nR.G. n. 12345/2019\n", "12345/2019"),
    ],
)
def test_labelled_civil_law_dockets_are_the_documents_own(caption: str, expected: str) -> None:
    body = "\nVgl. BGH, Urteil vom 17. Dezember 2013 – VI ZR 211/12.\n"
    meta = extract(caption + "\nGründe\n" + body * 2)
    assert expected in meta.case_numbers
    assert "VI ZR 211/12" not in meta.case_numbers


def test_an_act_cited_at_the_head_of_a_judgment_stays_a_citation() -> None:
    meta = extract("It relies on Article 6(1)(f) GDPR and Article 17 GDPR.")
    assert {c.normalized for c in meta.citations} == {
        "Regulation (EU) 2016/679, Art. 6(1)(f)",
        "Regulation (EU) 2016/679, Art. 17",
    }
    assert meta.identifiers == []

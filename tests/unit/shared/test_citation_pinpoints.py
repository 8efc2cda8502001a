"""Citations keep their pinpoint: instrument, pinpoint and keys for every family and language,
and the normal form of a typed query is one of the keys the index stores."""

from __future__ import annotations

import itertools

import pytest

from lexstream.index.extraction.citations import find_citations
from lexstream.index.extraction.models import Citation
from lexstream.shared.legal import normalize_citation
from lexstream.shared.legal.found import pinned
from lexstream.shared.legal.text import clean


def _cite(text: str) -> list[Citation]:
    return find_citations(clean(text), us=False)


def _one(text: str) -> Citation:
    citations = _cite(text)
    assert len(citations) == 1, [c.normalized for c in citations]
    return citations[0]


def _assert_round_trip(citation: Citation) -> None:
    """Every key is its own normal form, so a typed key finds the stored citation."""
    assert citation.keys[0] == citation.normalized
    assert citation.keys[-1] == citation.instrument
    for key in citation.keys:
        assert normalize_citation(key) == key, key


# --- EU acts: language x act type x numbering x pinpoint depth ---------------------------

# language: (act words by type, institution (new, old), number word, connector,
#            pinpoints at depth 3, 2 and 1)
LANGUAGES = {
    "en": (
        {"Regulation": "Regulation", "Directive": "Directive", "Decision": "Decision"},
        ("EU", "EC"),
        "No ",
        " of ",
        ("Article 6(1)(f)", "Article 6(1)", "Article 6"),
    ),
    "de": (
        {"Regulation": "Verordnung", "Directive": "Richtlinie", "Decision": "Beschluss"},
        ("EU", "EG"),
        "Nr. ",
        " der ",
        ("Art. 6 Abs. 1 Buchst. f", "Art. 6 Abs. 1", "Art. 6"),
    ),
    "fr": (
        {"Regulation": "règlement", "Directive": "directive", "Decision": "décision"},
        ("UE", "CE"),
        "n° ",
        ", du ",
        ("article 6, paragraphe 1, point f)", "article 6, paragraphe 1", "article 6"),
    ),
    "es": (
        {"Regulation": "Reglamento", "Directive": "Directiva", "Decision": "Decisión"},
        ("UE", "CE"),
        "n.º ",
        ", del ",
        ("artículo 6, apartado 1, letra f)", "artículo 6, apartado 1", "artículo 6"),
    ),
    "it": (
        {"Regulation": "regolamento", "Directive": "direttiva", "Decision": "decisione"},
        ("UE", "CE"),
        "n. ",
        ", del ",
        ("articolo 6, paragrafo 1, lettera f)", "articolo 6, paragrafo 1", "articolo 6"),
    ),
    "nl": (
        {"Regulation": "Verordening", "Directive": "Richtlijn", "Decision": "Besluit"},
        ("EU", "EG"),
        "nr. ",
        ", van ",
        ("artikel 6, lid 1, onder f)", "artikel 6, lid 1", "artikel 6"),
    ),
    "pt": (
        {"Regulation": "Regulamento", "Directive": "Diretiva", "Decision": "Decisão"},
        ("UE", "CE"),
        "n.º ",
        ", do ",
        ("artigo 6.º, n.º 1, alínea f)", "artigo 6.º, n.º 1", "artigo 6.º"),
    ),
}
CANONICAL_PINPOINTS = ("Art. 6(1)(f)", "Art. 6(1)", "Art. 6")


def _acts(language: str) -> list[tuple[str, str]]:
    """(printed act, canonical instrument) in one language, new and old numbering."""
    words, (new, old), number_word, _, _ = LANGUAGES[language]
    return [
        (f"{words['Regulation']} ({new}) 2016/679", "Regulation (EU) 2016/679"),
        (f"{words['Regulation']} ({old}) {number_word}44/2001", "Regulation (EC) No 44/2001"),
        (f"{words['Directive']} ({new}) 2019/790", "Directive (EU) 2019/790"),
        (f"{words['Directive']} 95/46/{old}", "Directive 95/46/EC"),
        (f"{words['Decision']} ({new}) 2016/1250", "Decision (EU) 2016/1250"),
    ]


EU_CASES = [
    (language, printed, instrument, depth)
    for language in LANGUAGES
    for (printed, instrument), depth in itertools.product(_acts(language), range(3))
]


@pytest.mark.parametrize(("language", "printed", "instrument", "depth"), EU_CASES)
def test_eu_act_pinpoints_in_every_language(
    language: str, printed: str, instrument: str, depth: int
) -> None:
    _, _, _, connector, pinpoints = LANGUAGES[language]
    text = f"Gemäß {pinpoints[depth]}{connector}{printed} wird entschieden."
    citation = _one(text)
    pinpoint = CANONICAL_PINPOINTS[depth]
    assert citation.kind == "eu_legislation"
    assert citation.instrument == instrument
    assert citation.pinpoint == pinpoint
    assert citation.normalized == f"{instrument}, {pinpoint}"
    coarser = [f"{instrument}, {p}" for p in CANONICAL_PINPOINTS[depth:]]
    assert citation.keys == [*coarser, instrument]
    _assert_round_trip(citation)
    # the typed query, pinpoint and all, reads as the stored full form
    assert normalize_citation(f"{pinpoints[depth]}{connector}{printed}") == citation.normalized


@pytest.mark.parametrize(("printed", "instrument"), [c[1:3] for c in EU_CASES[::3]])
def test_eu_act_alone_in_every_language(printed: str, instrument: str) -> None:
    citation = _one(f"({printed})")
    assert (citation.instrument, citation.pinpoint, citation.keys) == (
        instrument,
        None,
        [instrument],
    )
    assert normalize_citation(printed) == instrument


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BGB", "BGB"),
        ("Regulation (EU) 2016/679", "Regulation (EU) 2016/679"),
        ("Verordnung (EU) 2016/679", "Regulation (EU) 2016/679"),
        ("GDPR", "Regulation (EU) 2016/679"),
        ("DSGVO", "Regulation (EU) 2016/679"),
        ("RGPD", "Regulation (EU) 2016/679"),
        ("AVG", "Regulation (EU) 2016/679"),
        ("ECHR", "ECHR"),
        ("EMRK", "ECHR"),
        ("AEUV", "TFEU"),
        ("code civil", "code civil"),
        ("Código Civil", "Código Civil"),
        ("c.c.", "c.c."),
        ("BW", "BW"),
        ("Fed. R. Evid.", "Fed. R. Evid."),
        ("Tex. Penal Code", "Tex. Penal Code"),
        ("CETS No. 225", "CETS No. 225"),
        ("Framework Convention on Artificial Intelligence", "CETS No. 225"),
        ("ETS No. 108", "CETS No. 108"),
        ("ETS No. 5", "ECHR"),
        ("VI ZR 211/12", "VI ZR 211/12"),
        ("Art. 6 Abs. 1 lit. f DSGVO", "Regulation (EU) 2016/679, Art. 6(1)(f)"),
        ("§ 823 Abs. 1 Satz 2 BGB", "§ 823 Abs. 1 S. 2 BGB"),
    ],
)
def test_typed_instruments_and_abbreviations(typed: str, expected: str) -> None:
    assert normalize_citation(typed) == expected


# --- National statutes ----------------------------------------------------------------

STATUTES = [
    (
        "§ 823 Abs. 1 Satz 2 BGB",
        "de_statute",
        "BGB",
        ["§ 823 Abs. 1 S. 2", "§ 823 Abs. 1", "§ 823"],
    ),
    ("§ 433 Absatz 2 BGB", "de_statute", "BGB", ["§ 433 Abs. 2", "§ 433"]),
    ("§ 3 Nr. 1 UWG", "de_statute", "UWG", ["§ 3 Nr. 1", "§ 3"]),
    ("Art. 3 Abs. 1 GG", "de_statute", "GG", ["Art. 3 Abs. 1", "Art. 3"]),
    ("l'article 1240 du code civil", "fr_statute", "code civil", ["article 1240"]),
    (
        "article 1231-1, alinéa 2, du code civil",
        "fr_statute",
        "code civil",
        ["article 1231-1 alinéa 2", "article 1231-1"],
    ),
    ("el artículo 1902 del Código Civil", "es_statute", "Código Civil", ["artículo 1902"]),
    (
        "artículo 24.1 de la Constitución Española",
        "es_statute",
        "Constitución Española",
        ["artículo 24.1", "artículo 24"],
    ),
    ("art. 2043 c.c.", "it_statute", "c.c.", ["art. 2043"]),
    ("art. 360, comma 1, c.p.c.", "it_statute", "c.p.c.", ["art. 360 comma 1", "art. 360"]),
    ("artikel 6:162 BW", "nl_statute", "BW", ["artikel 6:162"]),
    ("artikel 3:40 lid 2 BW", "nl_statute", "BW", ["artikel 3:40 lid 2", "artikel 3:40"]),
]


@pytest.mark.parametrize(("text", "kind", "instrument", "pinpoints"), STATUTES)
def test_national_statutes_keep_their_pinpoint(
    text: str, kind: str, instrument: str, pinpoints: list[str]
) -> None:
    citation = _one(f"Nach {text} gilt das.")
    assert citation.kind == kind
    assert (citation.instrument, citation.pinpoint) == (instrument, pinpoints[0])
    assert citation.keys == [*(f"{p} {instrument}" for p in pinpoints), instrument]
    _assert_round_trip(citation)


def test_paragraph_lists_give_one_citation_each_with_its_own_pinpoint() -> None:
    forms = [c.normalized for c in _cite("§§ 280 Abs. 1, 241 Abs. 2 BGB und §§ 823, 826 BGB")]
    assert forms == ["§ 280 Abs. 1 BGB", "§ 241 Abs. 2 BGB", "§ 823 BGB", "§ 826 BGB"]
    assert [c.normalized for c in _cite("§ 823 Abs. 1 und 2 BGB")] == [
        "§ 823 Abs. 1 BGB",
        "§ 823 Abs. 2 BGB",
    ]


def test_uk_sections_and_case_paragraphs() -> None:
    section = _one("under section 3(1) of the Human Rights Act 1998 the court")
    assert section.normalized == "Human Rights Act 1998, s. 3(1)"
    assert section.keys == [
        "Human Rights Act 1998, s. 3(1)",
        "Human Rights Act 1998, s. 3",
        "Human Rights Act 1998",
    ]
    _assert_round_trip(section)
    for text in ("[2020] UKSC 12 at [42]", "[2020] UKSC 12, para 42", "[2020] UKSC 12, para. 42"):
        case = _one(f"See {text}.")
        assert (case.instrument, case.pinpoint) == ("[2020] UKSC 12", "para 42")
        _assert_round_trip(case)
    # a bracketed number that begins another report is not a paragraph
    first, second = _cite("[2020] UKSC 12, [2021] AC 1")
    assert first.pinpoint is None
    assert second.normalized == "[2021] AC 1"


# --- National case citations -----------------------------------------------------------

CASES = [
    ("BGH, Urteil vom 17. Dezember 2013 – VI ZR 211/12", "de_case", "VI ZR 211/12"),
    ("BVerfG, Beschluss vom 24. März 2021 - 1 BvR 2656/18", "de_case", "1 BvR 2656/18"),
    ("OLG Frankfurt am Main, Urt. v. 5.3.2019 – 11 U 12/18", "de_case", "11 U 12/18"),
    ("Cass. civ. 2e, 5 mars 2015, n° 14-10.842", "fr_case", "Cass. n° 14-10.842"),
    ("Cass. com., 3 mai 2016, n° 14-24.855", "fr_case", "Cass. n° 14-24.855"),
    ("CE, 12 mai 2020, n° 123456", "fr_case", "CE n° 123456"),
    ("Cons. const., 12 mai 2020, n° 2020-800 DC", "fr_case", "Cons. const. n° 2020-800 DC"),
    ("STS 1234/2019", "es_case", "STS 1234/2019"),
    ("SAP Madrid 123/2020", "es_case", "SAP Madrid 123/2020"),
    ("Cass. civ., sez. III, n. 12345/2019", "it_case", "Cass. civ. n. 12345/2019"),
    ("Cass., Sez. Un., 11 novembre 2008, n. 26972", "it_case", "Cass. n. 26972/2008"),
    ("HR 12 mei 2020, ECLI:NL:HR:2020:834", "nl_case", "ECLI:NL:HR:2020:834"),
    ("HR 5 juni 2020, nr. 19/01234", "nl_case", "HR nr. 19/01234"),
]


@pytest.mark.parametrize(("text", "kind", "instrument"), CASES)
def test_national_case_citations_by_court_and_docket(text: str, kind: str, instrument: str) -> None:
    citation = _one(f"Vgl. {text}.")
    assert (citation.kind, citation.instrument, citation.pinpoint) == (kind, instrument, None)
    _assert_round_trip(citation)


def test_case_citation_paragraph_pinpoints() -> None:
    citation = _one("BGH, Urteil vom 17. Dezember 2013 – VI ZR 211/12, Rn. 25.")
    assert citation.normalized == "VI ZR 211/12, para 25"
    assert citation.keys == ["VI ZR 211/12, para 25", "VI ZR 211/12"]
    ecli = _one("Google Spain, EU:C:2014:317, paragraph 80.")
    assert (ecli.instrument, ecli.pinpoint) == ("ECLI:EU:C:2014:317", "para 80")


# --- Law reports, US rules and codes, international instruments ------------------------

REPORTS = [
    ("NJ 2020/123", "nl_report", "NJ 2020/123", None),
    ("AB 2019/45", "nl_report", "AB 2019/45", None),
    ("RvdW 2021, 12", "nl_report", "RvdW 2021/12", None),
    ("BGHZ 194, 123, 130", "de_report", "BGHZ 194, 123", "130"),
    ("BGHSt 12, 34", "de_report", "BGHSt 12, 34", None),
    ("NJW 2014, 2029 (2031)", "de_report", "NJW 2014, 2029", "2031"),
    ("NVwZ 2019, 123", "de_report", "NVwZ 2019, 123", None),
    ("D. 2015, p. 123", "fr_report", "D. 2015, p. 123", None),
    ("D. 2015. 123", "fr_report", "D. 2015, p. 123", None),
    ("JCP G 2015, n° 456", "fr_report", "JCP G 2015, n° 456", None),
    ("Bull. civ. 2015, II, n° 123", "fr_report", "Bull. civ. 2015, II, n° 123", None),
    ("RJ 2019/1234", "es_report", "RJ 2019/1234", None),
    ("RJ\\2019\\1234", "es_report", "RJ 2019/1234", None),
    ("Foro it., 2019, I, 123", "it_report", "Foro it. 2019, I, 123", None),
]


@pytest.mark.parametrize(("text", "kind", "instrument", "pinpoint"), REPORTS)
def test_national_law_reports(text: str, kind: str, instrument: str, pinpoint: str | None) -> None:
    citation = _one(f"(siehe {text})")
    assert (citation.kind, citation.instrument, citation.pinpoint) == (kind, instrument, pinpoint)
    _assert_round_trip(citation)


US = [
    ("Fed. R. Evid. 801(d)(2)", "us_rule", "Fed. R. Evid.", "801(d)(2)"),
    ("Fed. R. Civ. P. 12(b)(6)", "us_rule", "Fed. R. Civ. P.", "12(b)(6)"),
    ("Fed.R.Crim.P. 11", "us_rule", "Fed. R. Crim. P.", "11"),
    ("Fed. R. App. P. 4(a)(1)(A)", "us_rule", "Fed. R. App. P.", "4(a)(1)(A)"),
    ("Fed. R. Bankr. P. 7001", "us_rule", "Fed. R. Bankr. P.", "7001"),
    ("Rule 56(a) of the Federal Rules of Civil Procedure", "us_rule", "Fed. R. Civ. P.", "56(a)"),
    ("N.Y. C.P.L.R. 3211(a)(7)", "us_statute", "N.Y. C.P.L.R.", "3211(a)(7)"),
    ("Tex. Penal Code § 19.02", "us_statute", "Tex. Penal Code", "§ 19.02"),
    ("Fla. Stat. § 768.81", "us_statute", "Fla. Stat.", "§ 768.81"),
    ("Cal. Civ. Code § 1714(a)", "us_statute", "Cal. Civ. Code", "§ 1714(a)"),
    ("735 ILCS 5/2-619", "us_statute", "735 ILCS 5", "2-619"),
]


@pytest.mark.parametrize(("text", "kind", "instrument", "pinpoint"), US)
def test_us_court_rules_and_state_codes(
    text: str, kind: str, instrument: str, pinpoint: str
) -> None:
    citation = _one(f"The motion under {text} is denied.")
    assert (citation.kind, citation.instrument, citation.pinpoint) == (kind, instrument, pinpoint)
    _assert_round_trip(citation)


INTERNATIONAL = [
    ("Article 8 of the Convention", "int_echr", "ECHR, Art. 8"),
    ("Art. 8 EMRK", "int_echr", "ECHR, Art. 8"),
    ("article 8 de la CEDH", "int_echr", "ECHR, Art. 8"),
    ("artículo 8 del CEDH", "int_echr", "ECHR, Art. 8"),
    ("art. 8 CEDU", "int_echr", "ECHR, Art. 8"),
    ("artikel 8 EVRM", "int_echr", "ECHR, Art. 8"),
    ("Article 6(1) ECHR", "int_echr", "ECHR, Art. 6(1)"),
    ("Article 1 of Protocol No. 1 to the Convention", "int_echr", "ECHR Protocol No. 1, Art. 1"),
    ("Article 14 of the ICCPR", "int_un", "ICCPR, Art. 14"),
    ("Article 3 of the Convention on the Rights of the Child", "int_un", "CRC, Art. 3"),
    ("Article 31 of the Vienna Convention on the Law of Treaties", "int_un", "VCLT, Art. 31"),
    ("Article 79 CISG", "int_un", "CISG, Art. 79"),
    ("Article 76 UNCLOS", "int_un", "UNCLOS, Art. 76"),
    ("Article 11 ICESCR", "int_un", "ICESCR, Art. 11"),
    ("CETS No. 225", "int_coe", "CETS No. 225"),
    ("ETS No. 108", "int_coe", "CETS No. 108"),
    ("the Framework Convention on Artificial Intelligence", "int_coe", "CETS No. 225"),
    ("Article 267 TFEU", "eu_treaty", "TFEU, Art. 267"),
    ("Art. 267 AEUV", "eu_treaty", "TFEU, Art. 267"),
    ("article 267 TFUE", "eu_treaty", "TFEU, Art. 267"),
    ("Article 4(3) TEU", "eu_treaty", "TEU, Art. 4(3)"),
    ("Article 8 of the Charter", "eu_charter", "EU Charter, Art. 8"),
    ("Art. 8 GRCh", "eu_charter", "EU Charter, Art. 8"),
    ("Art. 47 der Charta", "eu_charter", "EU Charter, Art. 47"),
]


@pytest.mark.parametrize(("text", "kind", "normalized"), INTERNATIONAL)
def test_international_instruments(text: str, kind: str, normalized: str) -> None:
    citation = _one(f"Having regard to {text}, the applicant complains.")
    assert (citation.kind, citation.normalized) == (kind, normalized)
    _assert_round_trip(citation)


def test_article_lists_and_a_second_instrument_are_told_apart() -> None:
    forms = [c.normalized for c in _cite("Articles 7 and 8 of the Charter and Article 6 GDPR")]
    assert forms == ["EU Charter, Art. 7", "EU Charter, Art. 8", "Regulation (EU) 2016/679, Art. 6"]
    forms = [c.normalized for c in _cite("Article 267 TFEU, Article 47 of the Charter")]
    assert forms == ["TFEU, Art. 267", "EU Charter, Art. 47"]


NOT_CITATIONS = [
    "Article 5 of the contract provides that the buyer pays within 30 days.",
    "Der Kläger (AG) verlangt 5 Nr. 3 der Vereinbarung; Art. 4 des Vertrages.",
    "Le CE a rendu son avis le 12 mai 2020 ; voir la page 12.",
    "La Corte ha deciso il 12 marzo 2019 sul punto n. 3 della domanda.",
    "In 2019 the court of appeal (CA) held, at no. 12345, that the claim failed.",
    "El artículo 5 del contrato y la cláusula 3 de las condiciones generales.",
    "De rechter (HR-afdeling) oordeelde op 12 mei 2020 over punt 4.",
    "The AVG price rose; the average (avg) was 12/2020 and D. 2015 was a year.",
    "Rule 12 of the club; Section 3 of the lease; Protocol No. 2 of the meeting.",
]


@pytest.mark.parametrize("text", NOT_CITATIONS)
def test_ordinary_text_is_no_citation(text: str) -> None:
    assert [c.normalized for c in _cite(text)] == []


def test_pinned_builds_coarser_forms_before_or_after_the_instrument() -> None:
    after = pinned("TFEU", ["Art. 267", "(1)"], before=False, sep=", ")
    assert (after.normalized, after.coarser) == ("TFEU, Art. 267(1)", ("TFEU, Art. 267",))
    before = pinned("BGB", ["§ 1", " Abs. 2"], before=True, sep=" ")
    assert (before.normalized, before.pinpoint) == ("§ 1 Abs. 2 BGB", "§ 1 Abs. 2")
    assert pinned("BGB", [], before=True, sep=" ").normalized == "BGB"


def test_repeats_fold_by_full_form() -> None:
    citations = _cite("Art. 6 Abs. 1 DSGVO; Art. 6 Abs. 1 DSGVO; Art. 6 DSGVO")
    assert [(c.normalized, c.count) for c in citations] == [
        ("Regulation (EU) 2016/679, Art. 6(1)", 2),
        ("Regulation (EU) 2016/679, Art. 6", 1),
    ]

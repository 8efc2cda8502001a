"""Each citation family, folding of repeats, and normalize_citation's query variants."""

from __future__ import annotations

import pytest

from lexstream.index.extraction import extract
from lexstream.index.extraction.citations import find_citations
from lexstream.shared.legal import normalize_citation


def _forms(text: str) -> dict[str, str]:
    return {c.normalized: c.kind for c in find_citations(text)}


def test_us_cases_statutes_regulations_and_short_forms() -> None:
    text = (
        "Roe v. Wade, 410 U. S. 113, 120 (1973). Id. at 115. Roe, supra, at 116. "
        "42 U.S.C. § 1983; 38 C.F.R. § 4.130; 15 U.S.C. § 1692k(d)."
    )
    citations = {c.normalized: c for c in find_citations(text)}
    assert citations["410 U.S. 113"].kind == "us_case"
    # Id. and supra resolve to Roe and add to its count.
    assert citations["410 U.S. 113"].count == 3
    assert citations["410 U.S. 113"].raw == "410 U. S. 113"
    assert citations["42 U.S.C. § 1983"].kind == "us_statute"
    assert citations["38 C.F.R. § 4.130"].kind == "us_regulation"
    assert citations["15 U.S.C. § 1692k"].kind == "us_statute"


def test_statute_section_lists_give_one_citation_each() -> None:
    forms = _forms("in violation of 18 U.S.C. §§ 922(g)(1) and 924(a)(2).")
    assert {"18 U.S.C. § 922", "18 U.S.C. § 924"} <= set(forms)


def test_offsets_point_at_the_raw_text() -> None:
    text = "Zie ECLI:NL:HR:2019:376 en Case C‑131/12."
    for citation in find_citations(text):
        assert (
            text[citation.start : citation.end]
            .replace("‑", "-")
            .startswith(citation.raw.replace("‑", "-")[:5])
        )


def test_ecli_eu_case_numbers_and_celex() -> None:
    forms = _forms(
        "Joined Cases C-293/12 and C-594/12, ECLI:EU:C:2014:238; Lindqvist, C-101/01, "
        "EU:C:2003:596; T-229/18; ecli:de:bgh:2021:240321uviiizr84.20.0; CELEX 32016R0679"
    )
    assert forms["C-293/12"] == forms["C-594/12"] == forms["T-229/18"] == "eu_case"
    assert forms["ECLI:EU:C:2014:238"] == "ecli"
    assert forms["ECLI:EU:C:2003:596"] == "ecli"
    assert forms["ECLI:DE:BGH:2021:240321UVIIIZR84.20.0"] == "ecli"
    assert forms["32016R0679"] == "celex"


def test_eu_legislation_and_articles_of_named_acts() -> None:
    forms = _forms(
        "Regulation (EU) 2016/679, Regulation (EC) No 1049/2001, Directive 95/46/EC, "
        "directive 2002/58/CE, Article 6(1)(f) GDPR, Article 267 TFEU, Article 47 of the "
        "Charter, OJ 2000 L 303, p. 16"
    )
    assert forms["Regulation (EU) 2016/679"] == "eu_legislation"
    assert forms["Regulation (EC) No 1049/2001"] == "eu_legislation"
    assert forms["Directive 95/46/EC"] == "eu_legislation"
    assert forms["Directive 2002/58/EC"] == "eu_legislation"
    # pinpoints are kept (issue 14): the article of a named act is a citation of the act
    assert forms["Regulation (EU) 2016/679, Art. 6(1)(f)"] == "eu_legislation"
    assert forms["TFEU, Art. 267"] == "eu_treaty"
    assert forms["EU Charter, Art. 47"] == "eu_charter"
    assert forms["OJ 2000 L 303, p. 16"] == "eu_oj"


def test_uk_neutral_citations_reports_and_acts() -> None:
    forms = _forms(
        "[2020] UKSC 12; [2019] EWCA Civ 1234; [2018] EWHC 123 (Ch); [2016] UKUT 371 (LC); "
        "Donoghue v Stevenson [1932] AC 562; [2020] 1 WLR 4102; (1989) 11 EHRR 439; "
        "the Private International Law (Miscellaneous Provisions) Act 1995."
    )
    for neutral in (
        "[2020] UKSC 12",
        "[2019] EWCA Civ 1234",
        "[2018] EWHC 123 (Ch)",
        "[2016] UKUT 371 (LC)",
    ):
        assert forms[neutral] == "uk_neutral"
    for report in ("[1932] AC 562", "[2020] 1 WLR 4102", "(1989) 11 EHRR 439"):
        assert forms[report] == "uk_report"
    assert forms["Private International Law (Miscellaneous Provisions) Act 1995"] == "uk_statute"


def test_german_french_and_dutch_statutes() -> None:
    forms = _forms(
        "§ 823 Abs. 1 BGB; §§ 280 Abs. 1, 241 Abs. 2 BGB; Art. 3 Abs. 1 GG; BGBl. I S. 1885. "
        "l'article 1240 du Code civil ; article R. 431-5 du code de l'organisation judiciaire ; "
        "loi n° 2014-1104 du 1er octobre 2014. artikel 6:162 BW."
    )
    # pinpoints are kept (issue 14); the coarser forms are keys of the same citation
    assert {"§ 823 Abs. 1 BGB", "§ 280 Abs. 1 BGB", "§ 241 Abs. 2 BGB", "Art. 3 Abs. 1 GG"} <= set(
        forms
    )
    keys = {key for c in find_citations("§ 823 Abs. 1 BGB") for key in c.keys}
    assert keys == {"§ 823 Abs. 1 BGB", "§ 823 BGB", "BGB"}
    assert forms["BGBl. I S. 1885"] == "de_gazette"
    assert forms["article 1240 code civil"] == "fr_statute"
    assert forms["article R431-5 code de l'organisation judiciaire"] == "fr_statute"
    assert forms["loi n° 2014-1104"] == "fr_statute"
    assert forms["artikel 6:162 BW"] == "nl_statute"


def test_unknown_paragraph_signs_are_not_citations() -> None:
    assert _forms("§ 11 wird wie folgt geändert: in § 17 Absatz 3 wird ...") == {}


def test_repeats_fold_into_one_citation_with_a_count() -> None:
    text = " ".join(["See [2020] UKSC 12."] * 50)
    (citation,) = find_citations(text)
    assert citation.count == 50
    assert citation.start == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("410 U. S. 113", "410 U.S. 113"),
        ("410 U.S. 113", "410 U.S. 113"),
        ("ecli:eu:c:2014:317", "ECLI:EU:C:2014:317"),
        ("EU:C:2014:317", "ECLI:EU:C:2014:317"),
        ("C‑131/12", "C-131/12"),  # non-breaking hyphen
        ("C – 131/12", "C-131/12"),
        ("c-131/12", "C-131/12"),
        ("[2020] uksc 12", "[2020] UKSC 12"),
        ("[2018] EWHC 123 (ch)", "[2018] EWHC 123 (Ch)"),
        ("directive 95/46/ec", "Directive 95/46/EC"),
        ("Regulation 2016/679", "Regulation (EU) 2016/679"),
        ("Art. 6 (1) (f) GDPR", "Regulation (EU) 2016/679, Art. 6(1)(f)"),
        ("§ 823 Abs. 1 BGB", "§ 823 Abs. 1 BGB"),
        ("§823 BGB", "§ 823 BGB"),
        ("article 1240 du code civil", "article 1240 code civil"),
        ("42 U. S. C. § 1983", "42 U.S.C. § 1983"),
    ],
)
def test_normalize_citation_query_variants(query: str, expected: str) -> None:
    assert normalize_citation(query) == expected


@pytest.mark.parametrize(
    "query", ["", "   ", "Roe v. Wade", "contract law", "410 U.S. 113 and [2020] UKSC 12"]
)
def test_normalize_citation_rejects_non_citations(query: str) -> None:
    assert normalize_citation(query) is None


def test_document_citations_match_query_normalization(authored_text: dict[str, str]) -> None:
    meta = extract(authored_text["eu/cjeu_google_spain_excerpt.txt"])
    # the index stores every key (a citation at 'para 25' is also one of the case)
    forms = {key for c in meta.citations for key in c.keys}
    assert normalize_citation("Directive 95/46/EC") in forms
    assert normalize_citation("C-101/01") in forms
    assert normalize_citation("ecli:eu:c:2003:596") in forms

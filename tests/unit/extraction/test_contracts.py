"""Contract structure: clause styles, categories, defined terms and their uses, parties and
roles, dates, term, governing law and forum; then the written contracts of
tests/fixtures/contracts against their labels (bench/research/contract_eval.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from lexstream.index.extraction.contracts import (
    CATEGORIES,
    categories,
    contract_structure,
    find_clauses,
    find_defined_terms,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "contracts"
REQUIRED = (
    "governing_law",
    "forum",
    "term",
    "termination",
    "confidentiality",
    "limitation_of_liability",
    "assignment",
    "data_protection",
)


def clause_map(text: str) -> dict[str, tuple[str | None, list[str]]]:
    return {c.id: (c.heading, c.categories) for c in find_clauses(text)}


# --- clause styles ----------------------------------------------------------------------------


def test_us_articles_with_heading_lines_and_sections() -> None:
    text = (
        "ARTICLE I\nDEFINITIONS\n\nSection 1.01 Definitions. Terms have these meanings.\n\n"
        "ARTICLE II\nMISCELLANEOUS\n\nSection 2.01 Assignment. Neither Party may assign this "
        "Agreement without consent.\nSection 2.02 Governing Law. This Agreement is governed by "
        "the laws of the State of Delaware.\n"
    )
    clauses = clause_map(text)
    assert clauses == {
        "1": ("DEFINITIONS", []),
        "1.01": ("Definitions", []),
        "2": ("MISCELLANEOUS", []),
        "2.01": ("Assignment", ["assignment"]),
        "2.02": ("Governing Law", ["governing_law"]),
    }


def test_german_paragraphs_with_absaetze_read_under_a_generic_heading() -> None:
    text = (
        "§ 1 Vertragsgegenstand\n(1) Der Auftragnehmer erbringt Leistungen.\n\n"
        "§ 2 Kündigung\n(1) Das Recht zur Kündigung aus wichtigem Grund bleibt unberührt.\n\n"
        "§ 3 Schlussbestimmungen\n(1) Dieser Vertrag unterliegt dem Recht der Bundesrepublik "
        "Deutschland.\n(2) Gerichtsstand ist München.\n"
    )
    clauses = clause_map(text)
    assert clauses["2"] == ("Kündigung", ["termination"])
    assert clauses["3(1)"][1] == ["governing_law"]
    assert clauses["3(2)"][1] == ["forum"]
    assert clauses["1(1)"][1] == []


def test_french_spanish_and_dutch_headings() -> None:
    french = "Article 7 – Confidentialité\nLes parties gardent le secret.\n"
    spanish = "PRIMERA.- Objeto\nTexto.\n\nSEGUNDA.- Duración\nDos años.\n"
    dutch = "Artikel 1 Definities\nTekst.\n\nArtikel 2 Geheimhouding\nTekst.\n"
    assert clause_map(french) == {"7": ("Confidentialité", ["confidentiality"])}
    assert clause_map(spanish) == {"1": ("Objeto", []), "2": ("Duración", ["term"])}
    assert clause_map(dutch)["2"] == ("Geheimhouding", ["confidentiality"])


def test_a_numbered_list_of_parties_does_not_pass_for_clauses() -> None:
    text = (
        "1. Polder Digitaal B.V., gevestigd te Utrecht, ingeschreven in het handelsregister "
        'onder nummer 12345678, hierna te noemen: "Opdrachtnemer";\n'
        '2. Gemeente Waterland, gevestigd te Monnickendam, hierna te noemen: "Opdrachtgever";\n\n'
        "Artikel 1 Definities\nTekst.\n\nArtikel 2 Duur van de overeenkomst\nTekst.\n"
    )
    assert list(clause_map(text)) == ["1", "2"]
    assert clause_map(text)["1"][0] == "Definities"


def test_numbers_that_do_not_rise_are_not_clauses() -> None:
    text = "1. Scope\nText.\n\n2. Fees\nText.\n\n10 Downing Street\n\n3. Term\nText.\n"
    assert list(clause_map(text)) == ["1", "2", "3"]


def test_a_definitions_clause_is_not_read_for_categories() -> None:
    text = (
        '1. Definitions\n1.1 "Confidential Information" means information marked confidential.\n'
        '1.2 "Personal Data" has the meaning given in the UK GDPR.\n\n2. Services\nText.\n'
    )
    assert all(not cats for _, cats in clause_map(text).values())


def test_every_category_has_heading_and_body_patterns() -> None:
    assert {category.name for category in categories()} == set(CATEGORIES)
    assert set(REQUIRED) <= set(CATEGORIES)


# --- defined terms and parties ----------------------------------------------------------------


def test_defined_terms_their_definitions_and_later_uses() -> None:
    text = (
        'This Agreement is made between Acme Ltd (the "Supplier") and Beta plc ("Customer").\n'
        '"Services" means the consultancy services in Schedule 1;\n'
        "The Supplier shall provide the Services to the Customer. Services are billed monthly.\n"
    )
    terms = {term.term: term for term in find_defined_terms(text)}
    assert set(terms) == {"Supplier", "Customer", "Services"}
    assert terms["Services"].definition == "the consultancy services in Schedule 1"
    assert [text[u : u + 8] for u in terms["Services"].uses] == ["Services", "Services"]
    assert all(use > terms["Supplier"].end for use in terms["Supplier"].uses)
    assert len(terms["Supplier"].uses) == 1


def test_parties_and_roles_in_four_styles() -> None:
    cases = {
        "entered into by and between Northwind Software, Inc., a Delaware corporation "
        '("Licensor"), and Blue Harbor LLC ("Licensee").\n\n1. Scope\nText.\n': [
            ("Northwind Software, Inc.", "Licensor", "licensor"),
            ("Blue Harbor LLC", "Licensee", "licensee"),
        ],
        "zwischen\n\nder Rheinwerk GmbH, Kaiserstraße 12, 60311 Frankfurt\n– nachfolgend "
        "„Auftragnehmer“ genannt –\n\nund\n\nder Lindenau AG, Leipzig\n– nachfolgend "
        "„Auftraggeber“ genannt –\n\n§ 1 Gegenstand\nText.\n": [
            ("Rheinwerk GmbH", "Auftragnehmer", "contractor"),
            ("Lindenau AG", "Auftraggeber", "principal"),
        ],
        "Entre :\nLa société Horizon SA, dont le siège est à Paris (ci-après « le Prestataire »),"
        "\n\nEt :\nLa société Vignobles SAS, Montpellier (ci-après « le Client »),\n\n"
        "Article 1 – Objet\nTexte.\n": [
            ("Horizon SA", "Prestataire", "provider"),
            ("Vignobles SAS", "Client", "customer"),
        ],
        "De una parte, Soluciones Meseta, S.L., con domicilio en Madrid (en adelante, el "
        '"Proveedor").\n\nCláusula 1. Objeto\nTexto.\n': [
            ("Soluciones Meseta, S.L.", "Proveedor", "provider"),
        ],
    }
    for text, expected in cases.items():
        found = contract_structure(text).parties
        assert [(p.name, p.role_text, p.role) for p in found] == expected, text


# --- dates, term, law and forum ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "effective", "months", "renews"),
    [
        (
            "This Agreement is effective as of January 15, 2025. It continues for an initial term "
            "of three (3) years and renews automatically for successive one (1) year periods.",
            date(2025, 1, 15),
            36,
            True,
        ),
        (
            "Der Vertrag tritt am 1. April 2024 in Kraft und wird für eine Laufzeit von zwei "
            "Jahren geschlossen.",
            date(2024, 4, 1),
            24,
            False,
        ),
        (
            "Le contrat prend effet le 1er octobre 2024 pour une durée initiale de douze (12) "
            "mois. Il est renouvelé par tacite reconduction.",
            date(2024, 10, 1),
            12,
            True,
        ),
        (
            "El arrendamiento se pacta por un plazo de cinco (5) años a contar desde el 1 de "
            "febrero de 2025.",
            date(2025, 2, 1),
            60,
            False,
        ),
        (
            "Deze overeenkomst treedt in werking op 1 januari 2025 en wordt aangegaan voor een "
            "periode van drie (3) jaar.",
            date(2025, 1, 1),
            36,
            False,
        ),
    ],
)
def test_effective_date_and_term(text: str, effective: date, months: int, renews: bool) -> None:
    found = contract_structure(text)
    assert (found.effective_date, found.term_months, found.renews) == (effective, months, renews)


def test_renewal_periods_are_not_the_term_and_an_open_term_is_indefinite() -> None:
    assert (
        contract_structure("It renews for additional periods of twelve (12) months.").term_months
        is None
    )
    open_ended = contract_structure("Der Vertrag läuft auf unbestimmte Zeit.")
    assert (open_ended.term_months, open_ended.indefinite) == (None, True)


@pytest.mark.parametrize(
    ("text", "law", "kind", "place", "exclusive"),
    [
        (
            "11. Governing law and jurisdiction\n11.1 This Agreement shall be governed by the law "
            "of England and Wales.\n11.2 The courts of England and Wales shall have exclusive "
            "jurisdiction.\n",
            "UK/EW",
            "court",
            "England and Wales",
            True,
        ),
        (
            "7. General\n7.1 Governing Law. This Agreement is governed by the laws of the State "
            "of New York.\n7.2 Dispute Resolution. Any dispute shall be finally resolved by "
            "arbitration, and the seat of arbitration shall be New York City.\n",
            "US/STATE/NY",
            "arbitration",
            "New York City",
            False,
        ),
        (
            "§ 9 Schlussbestimmungen\n(1) Es gilt das Recht der Bundesrepublik Deutschland.\n(2) "
            "Ausschließlicher Gerichtsstand ist Frankfurt am Main.\n",
            "EU/DE",
            "court",
            "Frankfurt am Main",
            True,
        ),
        (
            "Article 10 – Droit applicable et juridiction\n10.1 Le contrat est régi par la loi "
            "française.\n10.2 Compétence exclusive du Tribunal de commerce de Paris.\n",
            "EU/FR",
            "court",
            "Paris",
            True,
        ),
    ],
)
def test_governing_law_and_forum(
    text: str, law: str, kind: str, place: str, exclusive: bool
) -> None:
    found = contract_structure(text)
    assert (found.governing_law, found.forum_kind, found.forum_place, found.forum_exclusive) == (
        law,
        kind,
        place,
        exclusive,
    )


# --- the written contracts against their labels -----------------------------------------------


@pytest.fixture(scope="module")
def evaluation() -> ModuleType:
    sys.path.insert(0, str(REPO_ROOT / "bench" / "eval"))
    path = REPO_ROOT / "bench" / "research" / "contract_eval.py"
    spec = importlib.util.spec_from_file_location("contract_eval", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["contract_eval"] = module
    spec.loader.exec_module(module)
    return module


def test_the_fixtures_are_labelled_and_in_several_styles() -> None:
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))
    files = {path.name for path in FIXTURES.glob("*.txt")}
    assert files == set(labels["contracts"])
    assert {name.split("_")[0] for name in files} >= {"us", "uk", "de", "fr", "es", "nl"}


@pytest.mark.parametrize("half", ["dev", "test"])
def test_required_categories_and_fields_on_each_half(evaluation: ModuleType, half: str) -> None:
    tally = evaluation.measure((half,))[half]
    for category in REQUIRED:
        _, predicted, precision, _, gold, recall = tally.row(category)
        assert predicted, (category, tally.errors)
        assert precision >= 0.9, (category, tally.errors)
        assert gold, (category, tally.errors)
        assert recall >= 0.8, (category, tally.errors)
    for key in ("clauses", "defined_terms", "parties"):
        _, _, precision, _, _, recall = tally.row(key)
        assert precision >= 0.9, (key, tally.errors)
        assert recall >= 0.8, (key, tally.errors)
    for key in ("effective_date", "term_months", "governing_law", "forum_place"):
        assert tally.counts[f"{key}:ok"] >= 0.8 * tally.counts[f"{key}:n"], (key, tally.errors)

"""Parties with roles, counsel and judges read from the caption at the head of a judgment."""

from __future__ import annotations

import time

import pytest

from lexstream.index.extraction.models import Person
from lexstream.index.extraction.parties import (
    find_counsel,
    find_judges,
    find_parties,
    find_party_roles,
)

# --- the role lexicon: every language x role x caption layout ---------------------------

# (language, role words as courts print them, normalised role, separator between the sides)
PRINTED_ROLES = [
    ("en", "Claimant", "claimant"),
    ("en", "Claimants", "claimant"),
    ("en", "Plaintiff", "claimant"),
    ("en", "Defendant", "defendant"),
    ("en", "Appellant", "appellant"),
    ("en", "Respondent", "respondent"),
    ("en", "Appellee", "respondent"),
    ("en", "Applicant", "applicant"),
    ("en", "Petitioner", "petitioner"),
    ("en", "Intervener", "intervener"),
    ("en", "Interested Party", "interested_party"),
    ("en", "Third Party", "third_party"),
    ("en", "Prosecutor", "prosecutor"),
    ("en", "Accused", "accused"),
    ("en", "Plaintiff-Appellant", "claimant"),
    ("en", "Defendant-Appellee", "defendant"),
    ("en", "Claimant/Appellant", "claimant"),
    ("de", "Kläger", "claimant"),
    ("de", "Klägerin", "claimant"),
    ("de", "Beklagte", "defendant"),
    ("de", "Beklagter", "defendant"),
    ("de", "Revisionskläger", "appellant"),
    ("de", "Revisionsklägerin", "appellant"),
    ("de", "Berufungskläger", "appellant"),
    ("de", "Berufungsklägerin", "appellant"),
    ("de", "Revisionsbeklagte", "respondent"),
    ("de", "Antragsteller", "applicant"),
    ("de", "Antragstellerin", "applicant"),
    ("de", "Antragsgegnerin", "respondent"),
    ("de", "Beschwerdeführer", "complainant"),
    ("de", "Beigeladene", "interested_party"),
    ("de", "Klägerin und Revisionsklägerin", "claimant"),
    ("de", "Beklagter und Berufungskläger", "defendant"),
    ("fr", "demandeur", "claimant"),
    ("fr", "demanderesse", "claimant"),
    ("fr", "défendeur", "defendant"),
    ("fr", "défenderesse", "defendant"),
    ("fr", "appelant", "appellant"),
    ("fr", "appelante", "appellant"),
    ("fr", "intimé", "respondent"),
    ("fr", "intimée", "respondent"),
    ("fr", "requérant", "applicant"),
    ("fr", "requérante", "applicant"),
    ("es", "demandante", "claimant"),
    ("es", "demandado", "defendant"),
    ("es", "demandada", "defendant"),
    ("es", "recurrente", "appellant"),
    ("es", "recurrido", "respondent"),
    ("es", "recurrida", "respondent"),
    ("it", "ricorrente", "appellant"),
    ("it", "resistente", "respondent"),
    ("it", "controricorrente", "respondent"),
    ("it", "attore", "claimant"),
    ("it", "convenuto", "defendant"),
    ("nl", "eiser", "claimant"),
    ("nl", "eiseres", "claimant"),
    ("nl", "gedaagde", "defendant"),
    ("nl", "appellant", "appellant"),
    ("nl", "verweerder", "respondent"),
    ("nl", "verweerster", "respondent"),
    ("nl", "verzoeker", "applicant"),
    ("nl", "verzoekster", "applicant"),
    ("nl", "eiseres tot cassatie", "appellant"),
]
# The other side's role and the word between the sides, per language.
OTHER_SIDE = {
    "en": ("Respondent", "respondent", "v"),
    "de": ("Beklagte", "defendant", "gegen"),
    "fr": ("défendeur", "defendant", "contre"),
    "es": ("demandado", "defendant", "contra"),
    "it": ("resistente", "respondent", "contro"),
    "nl": ("gedaagde", "defendant", "tegen"),
}
OPENER = {
    "en": "Between:",
    "de": "In dem Rechtsstreit",
    "fr": "ENTRE :",
    "es": "ENTRE:",
    "it": "tra",
    "nl": "in de zaak van",
}
FIRST = "Anna Maria Schmidt"
SECOND = "Nordwind Handels GmbH"


def _layout(layout: str, language: str, role: str) -> str:
    other, _, separator = OTHER_SIDE[language]
    if layout == "role_line":  # UK and US: the name, then its role on a line of its own
        return f"{OPENER[language]}\n{FIRST}\n{role}\n{separator}\n{SECOND}\n{other}\n"
    if layout == "trailing_comma":  # German, French, Dutch rubrum: 'Name, role,'
        return f"{OPENER[language]}\n{FIRST}, {role},\n{separator}\n{SECOND}, {other},\n"
    if layout == "no_opener":  # a US caption: no 'Between', the sides around the separator
        return f"COURT OF FIRST INSTANCE\n\n{FIRST},\n{role},\n{separator}\n{SECOND},\n{other}.\n"
    if layout == "label":  # Spanish, Italian and tribunal headers: 'Role: Name'
        return f"{role}: {FIRST}\n{other}: {SECOND}\n"
    raise AssertionError(layout)


@pytest.mark.parametrize("layout", ["role_line", "trailing_comma", "no_opener", "label"])
@pytest.mark.parametrize(("language", "printed", "role"), PRINTED_ROLES)
def test_role_lexicon_in_every_caption_layout(
    layout: str, language: str, printed: str, role: str
) -> None:
    header = _layout(layout, language, printed)
    people = find_party_roles(header)
    _, other_role, _ = OTHER_SIDE[language]
    assert [person.name for person in people] == [FIRST, SECOND], header
    assert people[0].role == role
    assert people[0].role_text == printed
    assert people[1].role == other_role
    if role not in {"intervener", "other_party"}:
        assert find_parties(header) == [FIRST, SECOND]


def test_compound_german_role_keeps_its_words_and_drops_them_from_the_name() -> None:
    header = (
        "BUNDESGERICHTSHOF\nIM NAMEN DES VOLKES\nURTEIL\n\nIn dem Rechtsstreit\n"
        "Anna Schmidt, Klägerin und Revisionsklägerin,\n"
        "- Prozessbevollmächtigte: Rechtsanwältin Dr. Eva Meier -\n"
        "gegen\n"
        "Beispiel GmbH, vertreten durch den Geschäftsführer, Musterweg 3, 50667 Köln,\n"
        "Beklagte und Revisionsbeklagte,\n"
        "- Prozessbevollmächtigter: Rechtsanwalt Dr. Karl Braun -\n"
    )
    assert find_party_roles(header) == [
        Person(name="Anna Schmidt", role="claimant", role_text="Klägerin und Revisionsklägerin"),
        Person(name="Beispiel GmbH", role="defendant", role_text="Beklagte und Revisionsbeklagte"),
    ]
    assert find_counsel(header) == [
        Person(name="Eva Meier", role="for the claimant", role_text="Prozessbevollmächtigte"),
        Person(name="Karl Braun", role="for the defendant", role_text="Prozessbevollmächtigter"),
    ]


def test_uk_numbered_parties_and_several_sides() -> None:
    header = (
        "Before :\nMR JUSTICE FOXTON\n- - - - - - - - -\nBetween :\n"
        "(1) ALPHA SHIPPING LIMITED\n(2) BETA TRADING SA\nClaimants/\nRespondents\n"
        "- and -\n(1) GAMMA PLC\n(2) DELTA LLP\nDefendants/\nApplicants\n"
        "- - - - - - - - -\n"
        "Mr John Brown KC and Ms Jane Green (instructed by X LLP) for the Respondents\n"
    )
    people = find_party_roles(header)
    assert [person.name for person in people] == [
        "ALPHA SHIPPING LIMITED",
        "BETA TRADING SA",
        "GAMMA PLC",
        "DELTA LLP",
    ]
    assert [person.role for person in people] == ["claimant"] * 2 + ["defendant"] * 2
    assert people[0].role_text == "Claimants/Respondents"


def test_roles_stacked_under_the_last_side_go_to_the_sides_in_order() -> None:
    header = (
        "Between :\nALPHA LIMITED\nClaimant\n- and -\nBETA LIMITED\n-and -\nGAMMA LIMITED\n"
        "Defendant\nThird Party\n- - - - -\n"
    )
    assert [(p.name, p.role) for p in find_party_roles(header)] == [
        ("ALPHA LIMITED", "claimant"),
        ("BETA LIMITED", "defendant"),
        ("GAMMA LIMITED", "third_party"),
    ]


def test_us_caption_with_columns_and_et_al() -> None:
    header = (
        "UNITED STATES COURT OF APPEALS\nFOR THE NINTH CIRCUIT\n\n"
        "JOHN DOE,                )\n  Plaintiff-Appellant,  )\n v.                      )\n"
        "ACME CORPORATION, et al., )\n  Defendants-Appellees.  )\n\nNo. 19-55555\n"
    )
    people = find_party_roles(header)
    assert [(p.name, p.role, p.role_text) for p in people] == [
        ("JOHN DOE", "claimant", "Plaintiff-Appellant"),
        ("ACME CORPORATION", "defendant", "Defendants-Appellees"),
    ]


def test_uk_supreme_court_title_line() -> None:
    header = (
        "Hilary Term\n[2020] UKSC 12\n\nJUDGMENT\n\n"
        "Barclays Bank plc (Appellant) v Various Claimants (Respondents)\n\nbefore\n\nLord Reed\n"
    )
    assert [(p.name, p.role) for p in find_party_roles(header)] == [
        ("Barclays Bank plc", "appellant"),
        ("Various Claimants", "respondent"),
    ]


def test_cjeu_reference_keeps_interveners_out_of_parties() -> None:
    header = (
        "In Case C-26/22,\nREQUEST for a preliminary ruling under Article 267 TFEU from the "
        "Verwaltungsgericht Wiesbaden (Germany), in the proceedings\n"
        "UF (C-26/22),\nAB (C-64/22)\nv\nLand Hessen,\nintervener:\nSCHUFA Holding AG,\n"
        "interested party:\nDer Landesbeauftragte,\nTHE COURT (First Chamber),\n"
        "composed of A. Arabadjiev, President of the Chamber, T. von Danwitz, "
        "A. Kumin (Rapporteur) and I. Ziemele, Judges,\n"
        "- UF and AB, by R. Rohrmoser and S. Tintemann, Rechtsanwälte,\n"
        "- the German Government, by J. Möller, acting as Agent,\n"
    )
    people = find_party_roles(header)
    assert [(p.name, p.role) for p in people] == [
        ("UF", None),
        ("AB", None),
        ("Land Hessen", None),
        ("SCHUFA Holding AG", "intervener"),
        ("Der Landesbeauftragte", "interested_party"),
    ]
    assert find_parties(header) == ["UF", "AB", "Land Hessen"]
    assert find_judges(header) == ["A. Arabadjiev", "T. von Danwitz", "A. Kumin", "I. Ziemele"]
    counsel = find_counsel(header)
    assert [(c.name, c.role) for c in counsel] == [
        ("R. Rohrmoser", "for UF and AB"),
        ("S. Tintemann", "for UF and AB"),
    ]


def test_cjeu_direct_action_roles_after_the_names() -> None:
    header = (
        "In Case T-229/18,\n\nNordic Oils AS, established in Oslo (Norway), represented by "
        "K. Hansen, lawyer,\n\napplicant,\n\nv\n\nEuropean Union Intellectual Property Office "
        "(EUIPO), represented by H. O'Neill, acting as Agent,\n\ndefendant,\n\n"
        "THE GENERAL COURT (Ninth Chamber),\n"
    )
    assert [(p.name, p.role) for p in find_party_roles(header)] == [
        ("Nordic Oils AS", "applicant"),
        ("European Union Intellectual Property Office (EUIPO)", "defendant"),
    ]


def test_french_cassation_prose() -> None:
    header = (
        "LA COUR DE CASSATION, PREMIÈRE CHAMBRE CIVILE, a rendu l'arrêt suivant :\n\n"
        "Statuant sur le pourvoi formé par la société Distrinord, contre l'arrêt rendu le "
        "18 janvier 2018 par la cour d'appel de Douai, dans le litige l'opposant à M. Martin,\n"
    )
    assert [(p.name, p.role) for p in find_party_roles(header)] == [
        ("la société Distrinord", "appellant"),
        ("M. Martin", "respondent"),
    ]


def test_inline_captions_keep_first_and_second_side() -> None:
    assert find_parties("Autohaus Müller GmbH ./. Schneider\n\nGründe") == [
        "Autohaus Müller GmbH",
        "Schneider",
    ]
    assert find_parties("Dupont c. Durand\n\nArrêt") == ["Dupont", "Durand"]


@pytest.mark.parametrize(
    "body",
    [
        "The claimant argued that the defendant had been negligent in the performance of "
        "the contract and that the appellant's case should fail.",
        "Die Klägerin verlangt von der Beklagten Schadensersatz wegen der Verletzung ihres "
        "Persönlichkeitsrechts durch die Veröffentlichung.",
        "Le demandeur soutient que la défenderesse a manqué à ses obligations contractuelles "
        "depuis le mois de mars.",
        "The judge before whom the case came said that counsel for the claimant had argued it "
        "well.",
    ],
)
def test_body_text_names_no_party_counsel_or_judge(body: str) -> None:
    header = f"JUDGMENT\n\n{body}\n\n{body}\n"
    assert find_party_roles(header) == []
    assert find_parties(header) == []
    assert find_counsel(header) == []
    assert find_judges(header) == []


def test_a_court_name_above_the_caption_is_not_a_party() -> None:
    header = (
        "UNITED STATES DISTRICT COURT\nNORTHERN DISTRICT OF CALIFORNIA\nSAN FRANCISCO DIVISION\n\n"
        "BRIGHTPATH SOFTWARE, INC.,\nPlaintiff,\nv.\nMEGACLOUD CORPORATION,\nDefendant.\n\n"
        "Case No. 3:23-cv-04567\n\nCOMPLAINT\n"
    )
    assert find_parties(header) == ["BRIGHTPATH SOFTWARE, INC.", "MEGACLOUD CORPORATION"]


# --- judges: each bench layout ----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "judges"),
    [
        (
            "Before :\nLORD JUSTICE SIMON BROWN\nLORD JUSTICE DYSON\nand\n"
            "LADY JUSTICE SCOTT BAKER\n- - - - - -\nBetween :\nX\nAppellant\n",
            ["SIMON BROWN", "DYSON", "SCOTT BAKER"],
        ),
        ("Before :\nTHE HON. MR JUSTICE TOMLINSON\n- - - -\n", ["TOMLINSON"]),
        ("Before:\nTHE HONOURABLE MRS JUSTICE DIAS\n- - - -\n", ["DIAS"]),
        ("Before :\nHHJ PARKER\n- - - -\n", ["PARKER"]),
        ("Before :\nHIS HONOUR JUDGE RICHARD CLARKE\n- - - -\n", ["RICHARD CLARKE"]),
        (
            "B E F O R E:\nLORD JUSTICE PILL\nLORD JUSTICE CHADWICK\n- - - -\n",
            ["PILL", "CHADWICK"],
        ),
        (
            "before\n\nLord Reed, President\nLord Hodge, Deputy President\nLord Kerr\n\n"
            "JUDGMENT GIVEN ON\n",
            ["Lord Reed", "Lord Hodge", "Lord Kerr"],
        ),
        (  # a DOCX table cell, its paragraphs glued together
            "beforeLord Reed, PresidentLord Hodge, Deputy PresidentLord Briggs\n",
            ["Lord Reed", "Lord Hodge", "Lord Briggs"],
        ),
        (
            "Before\nTRIBUNAL JUDGE ANNE SCOTT\nMEMBER: PATRICIA GORDON\nBetween\nX\nAppellant\n",
            ["ANNE SCOTT"],
        ),
        (
            "Before :\nANTHONY METZER Q.C\n(SITTING AS A DEPUTY HIGH COURT JUDGE)\n- - - -\n",
            ["ANTHONY METZER Q.C"],
        ),
        (
            "THE COURT (Fourth Chamber),\ncomposed of C. Lycourgos, President of the Chamber, "
            "L.S. Rossi (Rapporteur), J.-C. Bonichot, S. Rodin and O. Spineanu-Matei, Judges,\n",
            ["C. Lycourgos", "L.S. Rossi", "J.-C. Bonichot", "S. Rodin", "O. Spineanu-Matei"],
        ),
        (
            "Der VI. Zivilsenat des Bundesgerichtshofs hat auf die mündliche Verhandlung vom "
            "5. November 2013 durch den Vorsitzenden Richter Galke, die Richter Zoll und Wellner, "
            "die Richterin Diederichsen und den Richter Stöhr\nfür Recht erkannt:\n",
            ["Galke", "Zoll", "Wellner", "Diederichsen", "Stöhr"],
        ),
        (
            "Composée de M. Louvel, président, Mme Batut, conseiller rapporteur, et "
            "M. Ingall-Montagnier, conseiller.\n",
            ["Louvel", "Batut", "Ingall-Montagnier"],
        ),
        (
            "Before: Kim McLane Wardlaw, Jay S. Bybee, and Paul J. Watford, Circuit Judges.\n",
            ["Kim McLane Wardlaw", "Jay S. Bybee", "Paul J. Watford"],
        ),
        (
            "Before SMITH, HIGGINSON, and ENGELHARDT, Circuit Judges.\n",
            ["SMITH", "HIGGINSON", "ENGELHARDT"],
        ),
        ("ORDER\n\nJudge Alison Nathan\n\nThe motion is denied.\n", ["Alison Nathan"]),
    ],
)
def test_judges_for_each_bench_layout(header: str, judges: list[str]) -> None:
    assert find_judges(header) == judges


# --- counsel ----------------------------------------------------------------------------


def test_uk_counsel_with_instructing_solicitors() -> None:
    header = (
        "- - - - - -\n"
        "Mr Richard Gordon QC and Mr Hugh Southey (instructed by Messrs Roberts, Moore, "
        "Nicholas and Jones) for the Appellant\n"
        "Ms Jennifer Perrins (instructed by The International Family Law Group LLP)\n"
        "for the Respondent\n"
        "For the Claimant:MR CLARKE\n"
        "Hearing dates : 31st March 2003\n"
    )
    counsel = find_counsel(header)
    assert counsel[0].role_text == "for the Appellant"
    assert [(c.name, c.role) for c in counsel] == [
        ("Richard Gordon QC", "for the appellant"),
        ("Hugh Southey", "for the appellant"),
        ("Jennifer Perrins", "for the respondent"),
        ("CLARKE", "for the claimant"),
    ]


def test_us_counsel() -> None:
    header = "Jane Roe, Attorney for Plaintiff-Appellant\nAttorneys for Defendant:\nRichard Poe\n"
    assert [(c.name, c.role) for c in find_counsel(header)] == [
        ("Jane Roe", "for the claimant"),
        ("Richard Poe", "for the defendant"),
    ]


def test_cjeu_agents_of_governments_are_not_counsel() -> None:
    header = (
        "after considering the observations submitted on behalf of:\n"
        "- Proximus NV, by P. Craddock and T. de Haan, avocats, and by E. Van Bogget, advocaat,\n"
        "- the Italian Government, by G. Palmieri, acting as Agent,\n"
    )
    assert [(c.name, c.role) for c in find_counsel(header)] == [
        ("P. Craddock", "for Proximus NV"),
        ("T. de Haan", "for Proximus NV"),
        ("E. Van Bogget", "for Proximus NV"),
    ]


# --- bounds -----------------------------------------------------------------------------


def test_a_caption_past_the_line_bound_is_not_read() -> None:
    filler = "".join(f"Line {number} of the preamble.\n" for number in range(200))
    assert (
        find_parties(filler + "Between:\nALPHA LTD\nClaimant\n- and -\nBETA LTD\nDefendant\n") == []
    )
    assert find_parties("Between:\nALPHA LTD\nClaimant\n- and -\nBETA LTD\nDefendant\n") == [
        "ALPHA LTD",
        "BETA LTD",
    ]


@pytest.mark.parametrize(
    "header",
    [
        "Claimant " * 5_000,
        "-" * 50_000,
        "(1) X v Y, Plaintiff-Appellant and Defendant,\n" * 2_000,
        "Mr X (instructed by " + "y " * 20_000 + ") for the Appellant",
        "Before: " + "Lord A, " * 5_000,
        "a b c d e f g h " * 5_000,
    ],
)
def test_hostile_headers_stay_fast(header: str) -> None:
    started = time.perf_counter()
    find_party_roles(header)
    find_parties(header)
    find_counsel(header)
    find_judges(header)
    assert time.perf_counter() - started < 0.5

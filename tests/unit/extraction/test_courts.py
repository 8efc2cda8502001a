"""The court table and detect_court, generated over the whole table: every ECLI court code,
neutral-citation code and court name resolves to its entry; every member state's ECLI
country alone gives EU/<ISO>; US courts in both name orders and their caption forms; and
documents of legal systems the project has no samples of."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from courts_db import courts as courts_db_courts

from lexstream.index.extraction import extract
from lexstream.index.extraction.courts import (
    _courts_db_index,
    _table_patterns,
    court_for_ecli,
    detect_court,
    jurisdiction_for_ecli,
    jurisdiction_from_citations,
)
from lexstream.index.extraction.tables import (
    CourtEntry,
    court_entries,
    ecli_countries,
    us_state_codes,
)

MEMBER_STATES = tuple(
    re.findall(
        r"[A-Z]{2}",
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK",
    )
)
LEVELS = {
    "constitutional",
    "supreme",
    "appellate",
    "first_instance",
    "administrative",
    "tribunal",
    "gazette",
}
ENTRIES = court_entries()
COURTS = [entry for entry in ENTRIES if entry.is_court]
ECLI_CODES = [(entry, prefix) for entry in ENTRIES for prefix in entry.ecli_prefixes]
NEUTRAL_CODES = [(entry, code) for entry in ENTRIES for code in entry.neutral_codes]
FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * 10  # > 400 chars


def _ids(pairs: list[tuple[CourtEntry, str]]) -> list[str]:
    return [f"{entry.id}:{code}" for entry, code in pairs]


# --- the table itself --------------------------------------------------------------------


def test_table_covers_every_member_state_and_the_european_courts() -> None:
    jurisdictions = {entry.jurisdiction for entry in COURTS}
    assert {f"EU/{iso}" for iso in MEMBER_STATES} <= jurisdictions
    assert {"EU", "INT/COE", "UK", "UK/EW", "UK/SC", "UK/NI"} <= jurisdictions
    codes = {prefix for _, prefix in ECLI_CODES}
    assert {"EU:C", "EU:T", "EU:F", "CE:ECHR"} <= codes
    # ECLI writes Greece as EL; every member state's ECLI country has a path.
    countries = ecli_countries()
    assert {countries[iso if iso != "GR" else "EL"] for iso in MEMBER_STATES} == {
        f"EU/{iso}" for iso in MEMBER_STATES
    }


@pytest.mark.parametrize("entry", COURTS, ids=[entry.id for entry in COURTS])
def test_every_entry_is_complete(entry: CourtEntry) -> None:
    assert entry.name
    assert entry.name_en
    assert entry.level in LEVELS
    assert re.fullmatch(
        r"EU(?:/[A-Z]{2})?|INT/[A-Z]{3}|UK(?:/(?:EW|SC|NI))?|US/.+", entry.jurisdiction
    )
    assert entry.language
    assert re.fullmatch(r"[a-z]{2}", entry.language)
    for prefix in entry.ecli_prefixes:
        country = prefix.split(":")[0]
        path = ecli_countries()[country]
        # An ECLI court code sits in its country's jurisdiction.
        assert entry.jurisdiction == path or entry.jurisdiction.startswith(path + "/")


def test_codes_are_unique() -> None:
    ecli = Counter(prefix for _, prefix in ECLI_CODES)
    neutral = Counter(code.lower() for _, code in NEUTRAL_CODES)
    assert [code for code, n in ecli.items() if n > 1] == []
    assert [code for code, n in neutral.items() if n > 1] == []
    assert len({entry.id for entry in ENTRIES}) == len(ENTRIES)


# --- the document's own identifier decides -----------------------------------------------


@pytest.mark.parametrize(("entry", "prefix"), ECLI_CODES, ids=_ids(ECLI_CODES))
def test_every_ecli_code_resolves_to_its_entry(entry: CourtEntry, prefix: str) -> None:
    country, code = prefix.split(":")
    ecli = f"ECLI:{country}:{code}:2020:123"
    at_top = detect_court(f"{ecli}\n\nJudgment of the court")
    assert (at_top.court_id, at_top.jurisdiction) == (entry.id, entry.jurisdiction)
    # Below the top it decides when labelled or alone on its line.
    labelled = detect_court(f"{FILLER}ECLI: {ecli}\nJudgment")
    alone = detect_court(f"{FILLER}\n{ecli}\nJudgment")
    assert labelled.court_id == alone.court_id == entry.id
    assert court_for_ecli(country.lower(), code.lower()) is entry


def test_court_code_family_resolves_by_longest_prefix() -> None:
    assert detect_court("ECLI:NL:RBAMS:2019:1234\n").court_id == "nl-rb"
    assert detect_court("ECLI:NL:GHARL:2019:1\n").court_id == "nl-gh"
    assert detect_court("ECLI:ES:TSJCAT:2018:55\n").court_id == "es-tsj"
    assert detect_court("ECLI:ES:TS:2018:55\n").court_id == "es-ts"
    assert detect_court("ECLI:AT:OGH0002:2019:0010OB00001.19X.0115.000\n").court_id == "at-ogh"
    assert detect_court("ECLI:PT:TCASUL:2020:1\n").court_id == "pt-tca"
    assert detect_court("ECLI:PT:TC:2020:1\n").court_id == "pt-tc"


@pytest.mark.parametrize("iso", MEMBER_STATES)
def test_member_state_ecli_country_alone_gives_its_jurisdiction(iso: str) -> None:
    country = "EL" if iso == "GR" else iso
    match = detect_court(f"ECLI:{country}:QXZ9:2021:77\n\nText of the decision.")
    assert match.jurisdiction == f"EU/{iso}"
    assert match.court_id is None
    assert jurisdiction_for_ecli(f"ECLI:{country}:QXZ9:2021:77") == f"EU/{iso}"


def test_ecli_country_alone_keeps_a_court_named_in_the_header() -> None:
    match = detect_court("ECLI:PL:XX:2021:1\n\nSĄD NAJWYŻSZY\nIzba Cywilna\n")
    assert (match.court_id, match.jurisdiction) == ("pl-sn", "EU/PL")


def test_a_cited_ecli_below_the_top_does_not_decide() -> None:
    text = f"{FILLER}as held in ECLI:NL:HR:2019:376, the rule applies.\n"
    assert detect_court(text).jurisdiction is None


def test_own_ecli_beats_header_names() -> None:
    # An Austrian decision that names the German Bundesgerichtshof in its header.
    match = detect_court("ECLI:AT:OGH0002:2019:0010OB00001.19X.0115.000\nBundesgerichtshof\n")
    assert match.court_id == "at-ogh"
    neutral = detect_court("Neutral Citation Number: [2023] EWHC 1481 (Comm)\nIN THE HIGH COURT")
    assert neutral.court_id == "ewhc-comm"


def test_ecthr_and_cjeu_identifiers() -> None:
    echr = detect_court("ECLI:CE:ECHR:2020:0121JUD002937515\n")
    assert (echr.court_id, echr.jurisdiction) == ("echr", "INT/COE")
    assert detect_court("ECLI:EU:F:2010:80\n").court_id == "eu-cst"
    assert detect_court("EUR-Lex - CELEX:62021CJ0560 - EN").court_id == "eu-cj"
    assert detect_court("EUR-Lex - CELEX:62019TJ0123 - EN").court_id == "eu-gc"


def _neutral_text(code: str) -> str:
    if code.startswith("SAC ("):
        return f"[2021] {code} 12"
    if " (" in code:
        base, division = code.split(" (")
        return f"[2021] {base} 123 ({division}"
    tier = re.fullmatch(r"(.+) ([A-Z]\d?)", code)
    if tier and tier.group(1) in {c for _, c in NEUTRAL_CODES}:
        return f"[2021] {code}12" if len(tier.group(2)) == 1 else f"[2021] {code} 12"
    return f"[2021] {code} 123"


@pytest.mark.parametrize(("entry", "code"), NEUTRAL_CODES, ids=_ids(NEUTRAL_CODES))
def test_every_neutral_code_resolves_to_its_entry(entry: CourtEntry, code: str) -> None:
    citation = _neutral_text(code)
    assert detect_court(f"{citation}\n\nJudgment").court_id == entry.id
    labelled = detect_court(f"{FILLER}Neutral Citation Number: {citation}\nJudgment")
    assert (labelled.court_id, labelled.jurisdiction) == (entry.id, entry.jurisdiction)


def test_neutral_citation_glued_to_the_next_words() -> None:
    # docx text without separators: 'Michaelmas Term[2021] UKSC 50On appeal from: [2019] ...'
    text = "Michaelmas Term[2021] UKSC 50On appeal from: [2019] EWCA Civ 1599\nJUDGMENT"
    assert detect_court(text).court_id == "uksc"


# --- header names ------------------------------------------------------------------------

NAMED = [
    (entry, name)
    for entry in COURTS
    for name in sorted({entry.name, entry.name_en})
    if any(pattern.search(name) for pattern in entry.patterns)
]


@pytest.mark.parametrize(("entry", "name"), NAMED, ids=[f"{e.id}:{n}" for e, n in NAMED])
def test_every_court_name_its_patterns_match_resolves_to_it(entry: CourtEntry, name: str) -> None:
    match = detect_court(f"{name}\n\nJudgment")
    assert (match.court_id, match.jurisdiction) == (entry.id, entry.jurisdiction)


def test_most_courts_are_found_by_name() -> None:
    # The generated test above covers a real share of the table, not a handful.
    assert len({entry.id for entry, _ in NAMED}) >= 0.6 * len(COURTS)


@pytest.mark.parametrize(
    ("header", "court_id", "jurisdiction"),
    [
        ("NEJVYŠŠÍ SPRÁVNÍ SOUD\nrozsudek", "cz-nss", "EU/CZ"),
        ("Acórdão do Supremo Tribunal de Justiça\nProcesso n.º 123/19", "pt-stj", "EU/PT"),
        ("Tribunal da Relação de Guimarães\nAcórdão", "pt-tr", "EU/PT"),
        ("KORKEIN OIKEUS\nTUOMIO", "fi-kko", "EU/FI"),
        ("Helsingin hovioikeus\nTuomio", "fi-ho", "EU/FI"),
        ("Tribunal Supremo. Sala de lo Civil\nSentencia núm. 12/2020", "es-ts", "EU/ES"),
        ("Audiencia Provincial de Madrid\nSección 28", "es-ap", "EU/ES"),
        ("LA CORTE SUPREMA DI CASSAZIONE\nSEZIONE TERZA CIVILE", "it-cass", "EU/IT"),
        ("Hof van Cassatie van België\nArrest", "be-cass", "EU/BE"),
        ("SĄD NAJWYŻSZY\nWYROK W IMIENIU RZECZYPOSPOLITEJ POLSKIEJ", "pl-sn", "EU/PL"),
        ("Vrhovno sodišče Republike Slovenije\nsodba", "si-vsrs", "EU/SI"),
        ("ΑΡΕΙΟΣ ΠΑΓΟΣ\nΑπόφαση 123/2020", "gr-ap", "EU/GR"),
        ("Högsta domstolen\nDOM", "se-hd", "EU/SE"),
        ("Højesteret\nDOM", "dk-hr", "EU/DK"),
        ("Curtea Constituțională\nDecizia nr. 1", "ro-ccr", "EU/RO"),
        ("Oberster Gerichtshof\nIm Namen der Republik", "at-ogh", "EU/AT"),
        ("IN THE HIGH COURT OF JUSTICE IN NORTHERN IRELAND\nCHANCERY DIVISION", "nich", "UK/NI"),
        ("EUROPEAN COURT OF HUMAN RIGHTS\nFIRST SECTION", "echr", "INT/COE"),
        ("SHERIFF APPEAL COURT\nCIVIL", "sac-civ", "UK/SC"),
        ("IN THE FIRST-TIER TRIBUNAL (PROPERTY CHAMBER)", "ukftt-pc", "UK"),
    ],
)
def test_courts_of_systems_without_samples(header: str, court_id: str, jurisdiction: str) -> None:
    match = detect_court(header)
    assert (match.court_id, match.jurisdiction) == (court_id, jurisdiction)


def test_a_name_shared_by_two_systems_takes_the_longer_match() -> None:
    # 'Cour de cassation' alone is the French court; the Belgian one names its country.
    assert detect_court("COUR DE CASSATION\nArrêt").court_id == "fr-ccass"
    assert detect_court("Cour de cassation de Belgique\nArrêt").court_id == "be-cass"


# --- US: courts-db, both name orders, caption forms, OCR ----------------------------------

_STATES = [state for state, code in us_state_codes().items() if len(code) == 2][:50]


@pytest.mark.parametrize("state", _STATES)
def test_state_supreme_court_in_every_name_order(state: str) -> None:
    forms = [
        f"Supreme Court of {state}",
        f"{state} Supreme Court",
        f"IN THE SUPREME COURT OF THE STATE OF {state.upper()}",
    ]
    matches = {detect_court(form) for form in forms}
    assert len(matches) == 1
    (match,) = matches
    assert match.jurisdiction == f"US/STATE/{us_state_codes()[state]}"
    assert match.court_id


@pytest.mark.parametrize(
    ("state", "court_id"),
    [
        ("Texas", "texcrimapp"),
        ("Oklahoma", "oklacrimapp"),
        ("Alabama", "alacrimapp"),
        ("Tennessee", "tenncrimapp"),
    ],
)
def test_criminal_appellate_courts_in_both_orders(state: str, court_id: str) -> None:
    for form in (
        f"{state} Court of Criminal Appeals",
        f"Court of Criminal Appeals of {state}",
        f"IN THE COURT OF CRIMINAL APPEALS OF {state.upper()}",
    ):
        assert detect_court(form).court_id == court_id, form


@pytest.mark.parametrize("state", ["Arizona", "Michigan", "Oregon", "Georgia", "Iowa", "Kansas"])
def test_intermediate_appellate_courts_in_both_orders(state: str) -> None:
    a = detect_court(f"{state} Court of Appeals")
    b = detect_court(f"Court of Appeals of {state}")
    c = detect_court(f"IN THE COURT OF APPEALS OF THE STATE OF {state.upper()}")
    assert a == b == c
    assert a.jurisdiction == f"US/STATE/{us_state_codes()[state]}"


_DIRECTIONS = {
    "N": "Northern",
    "S": "Southern",
    "E": "Eastern",
    "W": "Western",
    "C": "Central",
    "M": "Middle",
}
_DISTRICT_NAME = re.compile(
    r"District Court, (?:(?P<abbr>[NSEWCM])\.)?D\. (?P<state>.+)"
    r"|United States District Court for the (?:(?P<dir>Northern|Southern|Eastern|Western|Central"
    r"|Middle) )?District of (?P<state2>.+)"
)


def _current(court: dict[str, Any]) -> bool:
    dates: list[dict[str, Any]] = court.get("dates") or [{}]
    return all(d.get("end") is None for d in dates)


DISTRICTS = sorted(
    {
        (
            str(court["id"]),
            match["dir"] or _DIRECTIONS.get(match["abbr"] or "", ""),
            match["state"] or match["state2"],
        )
        for court in courts_db_courts
        if court.get("system") == "federal"
        and _current(court)
        and (match := _DISTRICT_NAME.fullmatch(str(court["name"])))
        and (match["state"] or match["state2"]) in us_state_codes()
    }
)


def test_district_table_is_broad() -> None:
    assert len(DISTRICTS) >= 80  # of the 94 federal districts


@pytest.mark.parametrize(
    ("court_id", "direction", "state"), DISTRICTS, ids=[d[0] for d in DISTRICTS]
)
def test_district_courts_in_caption_forms(court_id: str, direction: str, state: str) -> None:
    district = f"{direction} District of {state}".strip()
    forms = [
        f"United States District Court, {district}",
        f"UNITED STATES DISTRICT COURT\n{district.upper()}",
        f"U.S. District Court for the {district}",
        f"IN THE UNITED STATES DISTRICT COURT FOR THE {district.upper()}",
    ]
    if direction:
        forms.append(f"{district}\nCase No. 1:20-cv-01234")
    for form in forms:
        match = detect_court(form)
        assert (match.court_id, match.jurisdiction) == (court_id, "US/FED"), form


def test_scanned_caption_with_ocr_noise() -> None:
    match = detect_court("UNlTED STATES DlSTRICT C0URT\nN0RTHERN DlSTRICT OF lLLINOIS")
    assert match.court_id == "ilnd"
    assert detect_court("IN THE SUPREME C0URT OF THE STATE OF M0NTANA").court_id == "mont"


def test_a_lower_court_line_does_not_decide() -> None:
    header = "Appeal from the United States District Court for the District of Idaho\n"
    assert detect_court(header).court_id is None


# --- speed: the word index --------------------------------------------------------------


def test_word_index_runs_a_small_share_of_the_patterns() -> None:
    table, index = _courts_db_index()
    pairs, table_index = _table_patterns()
    for line in (
        "United States Court of Appeals for the Ninth Circuit",
        "IN THE HIGH COURT OF JUSTICE",
        "Judgment of the Court (Grand Chamber)",
        "Between: ALEXANDRA PRICE Claimant",
    ):
        assert len(index.candidates(line)) < len(table) / 10
        assert len(table_index.candidates(line)) < len(pairs) / 4


def test_word_index_misses_no_match_of_a_pattern_that_starts_a_word() -> None:
    table, index = _courts_db_index()
    lines = [str(court["name"]) for court in courts_db_courts][::7]
    for line in lines:
        candidates = set(index.candidates(line))
        for position, row in enumerate(table):
            found = row[0].search(line)
            if found and (found.start() == 0 or not line[found.start() - 1].isalnum()):
                assert position in candidates, (line, row[1])


# --- jurisdiction from citations ---------------------------------------------------------


def test_national_case_citations_and_international_instruments_do_not_decide() -> None:
    assert (
        jurisdiction_from_citations(
            [("de_case", "BGH VI ZR 211/12"), ("fr_case", "Cass. 14-10.842")]
        )
        is None
    )
    assert (
        jurisdiction_from_citations([("int_echr", "Art. 8 ECHR"), ("int_cets", "CETS No. 225")])
        is None
    )
    assert (
        jurisdiction_from_citations(
            [("de_statute", "§ 1 BGB"), ("int_echr", "Art. 8 ECHR"), ("de_statute", "§ 2 BGB")]
        )
        == "EU/DE"
    )


def test_ecli_citations_count_as_their_country() -> None:
    assert (
        jurisdiction_from_citations([("ecli", "ECLI:EL:AP:2019:1"), ("ecli", "ECLI:EL:COS:2019:2")])
        == "EU/GR"
    )
    assert (
        jurisdiction_from_citations(
            [("ecli", "ECLI:CE:ECHR:2019:1"), ("ecli", "ECLI:CE:ECHR:2018:2")]
        )
        == "INT/COE"
    )
    assert (
        jurisdiction_from_citations(
            [("ecli", "ECLI:CH:BGER:2019:1"), ("ecli", "ECLI:CH:BGER:2019:2")]
        )
        is None
    )


def test_extract_keeps_the_jurisdiction_of_an_unknown_court_code() -> None:
    text = "ECLI:SK:XYZ:2021:1\n\nRozsudok\n\nNajvyšší súd Slovenskej republiky rozhodol ..."
    meta = extract(text)
    assert meta.jurisdiction == "EU/SK"
    assert meta.court_id == "sk-ns"

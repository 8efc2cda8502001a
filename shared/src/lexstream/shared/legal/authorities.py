"""Authorities: what a citation cites, under one id whatever the language or form it is
written in ('Art. 6 DSGVO', 'article 6 du RGPD' and 'Article 6 GDPR' are one provision).

A citation is read by the citation families (:mod:`~lexstream.shared.legal.patterns`, and
eyecite for US citations in the index); :func:`resolve` maps the instrument and pinpoint
they read to an :class:`Authority`, and :func:`lookup` reads a typed surface form through
the same families. A citation that resolves to nothing keeps its raw text where it is
(the index keeps every citation; ``resolve`` answers None, never drops one).

Id scheme. An id is a root, then one ``/<level>:<value>`` segment per pinpoint level,
coarsest first, so a provision's id begins with its parent's id and a search for Art. 6
matches Art. 6(1)(f): ``eu:celex:32016R0679`` < ``eu:celex:32016R0679/art:6`` <
``eu:celex:32016R0679/art:6/para:1`` < ``eu:celex:32016R0679/art:6/para:1/point:f``.
Roots never hold a ':' after their scheme part, pinpoint segments always do
(:func:`lineage` splits an id on that rule). Roots:

- EU acts by CELEX: ``eu:celex:32016R0679`` (from 'Regulation (EU) 2016/679', 'GDPR',
  'DSGVO', 'RGPD', 'AVG', '32016R0679' alike), ``eu:celex:31995L0046``; the Official
  Journal page ``eu:oj:2016/L/119/1``; the Treaties and the Charter
  ``eu:treaty:TFEU``, ``eu:treaty:TEU``, ``eu:treaty:TEC``, ``eu:charter:CFR``;
- cases of the EU courts by case number ``eu:case:C-131/12`` (an appeal 'C-131/12 P' and the
  judgment's CELEX 62012CJ0131 are the same case); any ECLI as itself,
  ``ecli:EU:C:2014:317``, ``ecli:DE:BGH:2013:171213UVIZR211.12.0``;
- Council of Europe treaties by ETS/CETS number, ``coe:ets:005`` (the ECHR),
  ``coe:ets:009`` (its Protocol No. 1), ``coe:ets:225``; UN treaties by UNTS registration
  number, ``un:unts:14668`` (ICCPR);
- national legislation by official abbreviation or reference: ``de:act:BGB``,
  ``de:act:SGB-V``, ``fr:code:civil``, ``fr:code:procedure-civile``, ``fr:loi:78-17``,
  ``es:act:CC``, ``it:act:cc``, ``nl:act:BW``; UK Acts by year and chapter
  ``uk:ukpga:1998/42`` where the chapter is known (data/authorities.json), else by year and
  short title ``uk:act:1998/human-rights-act``; ``us:usc:42``, ``us:cfr:28``, state codes
  and court rules ``us:code:Cal-Civ-Code``, ``us:rules:frcp``; gazettes ``de:bgbl:2024/I/Nr/107``;
- cases by reporter, neutral citation or court and docket: ``us:reporter:410/US/113``,
  ``us:tcmemo:2020/26``, ``uk:nc:2020/UKSC/5``, ``uk:nc:2019/EWHC/123/Ch``,
  ``uk:report:1990/1/WLR/100``,
  ``de:case:BGH/VI-ZR-211/12``, ``fr:case:Cass/14-10.842``, ``es:case:STS/1234/2019``,
  ``it:case:Cass-civ/12345/2019``, ``nl:case:HR/19/01234``, law reports
  ``de:report:BGHZ/194/123``, ``nl:report:NJ/2020/123``.

Pinpoint levels, in each system's own words: ``art``, ``para``, ``point``, ``subpoint`` (EU
acts, treaties, conventions: Art. 6(1)(f)); ``par`` (§), ``art``, ``abs``, ``satz``, ``nr``,
``buchst`` (German law); ``art``, ``al`` (French codes); ``art``, ``lid``, ``sub`` (Dutch);
``art``, ``apdo``, ``letra`` (Spanish); ``art``, ``comma`` (Italian); ``sec``, ``subsec``,
``para``, ``subpara``, ``clause`` (UK Acts, US codes; ``rule`` heads a US court rule);
``para`` for a paragraph of a judgment and ``page`` for a page of a law report. Where the
index's statute and judgment parser (extraction/structure*) names a provision of a held
document, it uses the same names, so an authority id's pinpoint part is the provision id
there ('par:823/abs:1', 'art:6/para:1', 'sec:3/subsec:1', 'para:50').
Examples: ``de:act:BGB/par:823/abs:1/satz:2``, ``coe:ets:005/art:6/para:1``,
``uk:ukpga:1998/42/sec:3/subsec:1``, ``uk:nc:2020/UKSC/5/para:50``, ``us:usc:42/sec:1983``.

Not joined yet (no table holds the pairs): an EU case number and the ECLI of its judgment,
a US case's parallel reporter citations, and a UK judgment's neutral citation and its law
reports stay different ids; a UK Act missing from the chapter table changes id when it is
added (a re-extraction, as any change to the tables is).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal, Protocol

from lexstream.shared.legal.citations import MAX_QUERY_CHARS, settle_overlaps
from lexstream.shared.legal.patterns import Found, find_pattern_citations, instrument_alone
from lexstream.shared.legal.text import clean, squash
from lexstream.shared.legal.us import find_us_query_citations

__all__ = [
    "Authority",
    "AuthorityKind",
    "CitationLike",
    "act_celex",
    "lineage",
    "lookup",
    "resolve",
    "within",
]

AuthorityKind = Literal["case", "legislation", "provision", "instrument"]


@dataclass(frozen=True, slots=True)
class Authority:
    """One authority: a case, an act, an international instrument, or a provision (a
    pinpoint beneath one of them: an article, a section, a paragraph of a judgment)."""

    id: str
    kind: AuthorityKind
    name: str
    jurisdiction: str | None
    parent: str | None = None

    @property
    def lineage(self) -> tuple[str, ...]:
        """This id and every coarser one, root first."""
        return lineage(self.id)


class CitationLike(Protocol):
    """What resolving needs of a citation: the index's Citation and the families' Found
    both have it."""

    @property
    def raw(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def normalized(self) -> str: ...
    @property
    def instrument(self) -> str | None: ...
    @property
    def pinpoint(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class _Root:
    id: str
    kind: AuthorityKind
    name: str
    jurisdiction: str | None


# --- ids ---------------------------------------------------------------------------------

_PINPOINT_SEGMENT = re.compile(r"^[a-z]+:")


@lru_cache(maxsize=1 << 16)
def lineage(authority_id: str) -> tuple[str, ...]:
    """'eu:celex:32016R0679/art:6/para:1' -> ('eu:celex:32016R0679',
    'eu:celex:32016R0679/art:6', 'eu:celex:32016R0679/art:6/para:1').

    Cached: a judgment's authorities call it for each of their hundreds of citations several
    times, and the same ids recur across requests (a bounded cache of immutable results)."""
    segments = authority_id.split("/")
    cut = next(
        (at for at in range(1, len(segments)) if _PINPOINT_SEGMENT.match(segments[at])),
        len(segments),
    )
    root = "/".join(segments[:cut])
    ids = [root]
    for segment in segments[cut:]:
        ids.append(f"{ids[-1]}/{segment}")
    return tuple(ids)


def within(authority_id: str, ancestor_id: str) -> bool:
    """Whether ``authority_id`` is ``ancestor_id`` or a provision beneath it."""
    return ancestor_id in lineage(authority_id)


_GERMAN = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def _ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_GERMAN))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _slug(value: str, *, lower: bool = False) -> str:
    """A name as one id segment: ASCII, words joined by '-', no '/', ':', dots or
    apostrophes ('Cal. Civ. Code' -> 'Cal-Civ-Code', 'N.J.S.A.' -> 'NJSA')."""
    text = re.sub(r"['.]", "", _ascii(value))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return text.lower() if lower else text


def _value(value: str) -> str:
    """A pinpoint value as one segment: no spaces or slashes, dots kept ('35.130')."""
    return re.sub(r"[\s/]+", "-", _ascii(value).strip(" .,"))


# --- data --------------------------------------------------------------------------------


@cache
def _data(name: str) -> dict[str, Any]:
    text = resources.files("lexstream.shared.legal.data").joinpath(name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _table(name: str) -> dict[str, Any]:
    return {
        key: value for key, value in _data("authorities.json")[name].items() if key != "_source"
    }


@cache
def _named_names() -> dict[str, str]:
    """Display names of the instruments cited by name: the first (English) name."""
    return {
        str(entry["instrument"]): str((entry["names"] or entry["acronyms"])[0])
        for entry in _data("instruments.json")["named"]
    }


@cache
def _cets_names() -> dict[int, str]:
    return {
        int(number): str(names[0])
        for number, names in _data("instruments.json")["cets"].items()
        if names and names != ["ECHR"]
    }


@cache
def _us_states() -> list[tuple[str, str]]:
    states = [(key.replace(" ", ""), str(code)) for key, code in _table("us_states").items()]
    return sorted(states, key=lambda item: len(item[0]), reverse=True)


# --- roots: EU ---------------------------------------------------------------------------

_ACT = re.compile(
    r"^(?P<type>Regulation|Directive|Decision|Framework Decision)\s(?:\((?P<inst>[A-Za-z, ]+)\)\s)?"
    r"(?P<no>No\s)?(?P<a>\d{1,4})/(?P<b>\d{1,4})(?:/[A-Za-z]+)?$"
)
_CELEX_TYPE = {"Regulation": "R", "Directive": "L", "Decision": "D", "Framework Decision": "F"}


def _year(two_or_four: str) -> int:
    value = int(two_or_four)
    if len(two_or_four) == 4:
        return value
    return value + (1900 if value >= 50 else 2000)


def act_celex(instrument: str) -> str | None:
    """The CELEX number of an EU act from its normal form ('Regulation (EU) 2016/679' ->
    '32016R0679', 'Directive 95/46/EC' -> '31995L0046', 'Regulation (EC) No 44/2001' ->
    '32001R0044'): old regulations are numbered number/year, everything else year/number."""
    match = _ACT.match(instrument)
    if not match:
        return None
    first, second = match["a"], match["b"]
    old_regulation = match["type"] == "Regulation" and bool(match["no"] or len(first) < 4)
    year, number = (second, first) if old_regulation else (first, second)
    return f"3{_year(year)}{_CELEX_TYPE[match['type']]}{int(number):04d}"


def _eu_act(instrument: str) -> _Root | None:
    celex = act_celex(instrument)
    if celex is None:
        return None
    name = _named_names().get(instrument, instrument)
    return _Root(f"eu:celex:{celex}", "legislation", name, "EU")


_CELEX_CASE = re.compile(r"^6(?P<year>\d{4})(?P<court>[CTF])J(?P<number>\d{4})$")
_CELEX_SECTOR_KIND: dict[str, AuthorityKind] = {"1": "instrument", "6": "case"}


def _celex(instrument: str) -> _Root | None:
    celex = instrument.upper()
    case = _CELEX_CASE.match(celex)
    if case:
        number = f"{case['court']}-{int(case['number'])}/{case['year'][2:]}"
        return _Root(f"eu:case:{number}", "case", number, "EU")
    kind = _CELEX_SECTOR_KIND.get(celex[0], "legislation")
    return _Root(f"eu:celex:{celex}", kind, celex, "EU")


_EU_CASE = re.compile(r"^(?P<number>[CTF]-\d{1,4}/\d{2})(?:\sP)?$")


def _eu_case(instrument: str) -> _Root | None:
    match = _EU_CASE.match(instrument)
    if not match:
        return None
    return _Root(f"eu:case:{match['number']}", "case", match["number"], "EU")


_OJ = re.compile(r"^OJ (?P<year>\d{4}) (?P<series>[LC]) (?P<issue>\d+), p\. (?P<page>\d+)$")


def _oj(instrument: str) -> _Root | None:
    match = _OJ.match(instrument)
    if not match:
        return None
    path = "/".join(match.group("year", "series", "issue", "page"))
    return _Root(f"eu:oj:{path}", "legislation", instrument, "EU")


# EU member states by ECLI country code; Greece's ECLIs say EL, the path says GR (ISO).
_EU_STATES = {
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
    *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
}
_ECLI_JURISDICTION = {"EU": "EU", "EL": "EU/GR", "CE": "INT/COE", "EP": "INT/EPO", "UK": "UK"}
_ECLI = re.compile(r"^ECLI:(?P<country>[A-Z]{2}):[A-Z0-9.]{1,7}:\d{4}:[A-Z0-9.]+$")


def _ecli(instrument: str) -> _Root | None:
    ecli = instrument.upper()
    match = _ECLI.match(ecli)
    if not match:
        return None
    country = match["country"]
    jurisdiction = _ECLI_JURISDICTION.get(country) or (
        f"EU/{country}" if country in _EU_STATES else country
    )
    return _Root(f"ecli:{ecli[5:]}", "case", ecli, jurisdiction)


# --- roots: treaties and conventions -----------------------------------------------------

_PROTOCOL = re.compile(r"^ECHR Protocol No\. (?P<number>\d{1,2})$")
_CETS = re.compile(r"^CETS No\. (?P<number>\d{1,3})$")


def _coe(number: int, name: str) -> _Root:
    return _Root(f"coe:ets:{number:03d}", "instrument", name, "INT/COE")


def _treaty(instrument: str) -> _Root | None:
    entry = _table("instruments").get(instrument)
    if entry is not None:
        return _Root(str(entry["id"]), "instrument", str(entry["name"]), entry.get("jurisdiction"))
    protocol = _PROTOCOL.match(instrument)
    if protocol:
        number = _table("echr_protocols").get(protocol["number"])
        return _coe(int(number), instrument) if number else None
    cets = _CETS.match(instrument)
    if cets:
        number = int(cets["number"])
        return _coe(number, _cets_names().get(number, instrument))
    return None


# --- roots: national legislation ---------------------------------------------------------


def _de_act(instrument: str) -> _Root | None:
    if instrument == "DSGVO":  # the German abbreviation of the GDPR, read as a code
        return _eu_act("Regulation (EU) 2016/679")
    return _Root(f"de:act:{_slug(instrument)}", "legislation", instrument, "EU/DE")


_DE_GAZETTE = re.compile(
    r"^BGBl\. (?P<year>\d{4}) (?P<part>III|II|I) (?:S\. (?P<page>\d+)|Nr\. (?P<number>\d+))$"
)


def _de_gazette(instrument: str) -> _Root | None:
    """A page or number of the Bundesgesetzblatt; without its year it names nothing."""
    match = _DE_GAZETTE.match(instrument)
    if not match:
        return None
    where = f"S/{match['page']}" if match["page"] else f"Nr/{match['number']}"
    return _Root(
        f"de:bgbl:{match['year']}/{match['part']}/{where}", "legislation", instrument, "EU/DE"
    )


_FR_TEXT = re.compile(r"^(?P<type>loi|décret|ordonnance) n° (?P<number>[\d-]+)$")
_FR_CODE_WORDS = re.compile(r"^code\s+(?:(?:de\s+la|de\s+l'|du|des|de)\s*)?", re.IGNORECASE)


def _fr_act(instrument: str) -> _Root | None:
    text = _FR_TEXT.match(instrument)
    if text:
        kind = _slug(text["type"], lower=True)
        return _Root(f"fr:{kind}:{text['number']}", "legislation", instrument, "EU/FR")
    if not instrument.lower().startswith("code "):
        return None
    name = _slug(_FR_CODE_WORDS.sub("", instrument), lower=True)
    return _Root(f"fr:code:{name}", "legislation", instrument, "EU/FR")


def _coded(system: str, instrument: str, jurisdiction: str) -> _Root | None:
    entry = _table("national_codes")[system].get(instrument)
    if entry is None:
        return None
    name = str(entry.get("name", instrument))
    return _Root(f"{system}:act:{entry['id']}", "legislation", name, jurisdiction)


def _es_act(instrument: str) -> _Root | None:
    return _coded("es", instrument, "EU/ES")


def _it_act(instrument: str) -> _Root | None:
    return _coded("it", instrument, "EU/IT")


def _nl_act(instrument: str) -> _Root | None:
    if instrument == "Zesde Richtlijn":  # the Sixth VAT Directive, 77/388/EEC
        return _eu_act("Directive 77/388/EEC")
    coded = _coded("nl", instrument, "EU/NL")
    if coded is not None:
        return coded
    return _Root(f"nl:act:{_slug(instrument, lower=True)}", "legislation", instrument, "EU/NL")


_UK_ACT = re.compile(r"^(?P<title>.+) Act (?P<year>\d{4})$")


def _uk_act(instrument: str) -> _Root | None:
    match = _UK_ACT.match(instrument)
    if not match:
        return None
    chapter = _table("uk_acts").get(instrument)
    if chapter is not None:
        return _Root(f"uk:ukpga:{match['year']}/{chapter}", "legislation", instrument, "UK")
    title = _slug(f"{match['title']} Act", lower=True)
    return _Root(f"uk:act:{match['year']}/{title}", "legislation", instrument, "UK")


# --- roots: cases ------------------------------------------------------------------------

_UK_NEUTRAL = re.compile(
    r"^\[(?P<year>\d{4})\] (?P<court>[A-Za-z]+(?: Civ| Crim)?) (?P<number>\d+)"
    r"(?: \((?P<division>\w+)\))?$"
)


def _uk_court_jurisdiction(court: str) -> str:
    if court.startswith("EW"):
        return "UK/EW"
    if court.startswith(("CS", "HCJ")):
        return "UK/SC"
    if court.startswith("NI"):
        return "UK/NI"
    return "UK"


def _uk_neutral(instrument: str) -> _Root | None:
    match = _UK_NEUTRAL.match(instrument)
    if not match:
        return None
    court = match["court"].replace(" ", "-")
    division = f"/{match['division']}" if match["division"] else ""
    path = f"{match['year']}/{court}/{int(match['number'])}{division}"
    return _Root(f"uk:nc:{path}", "case", instrument, _uk_court_jurisdiction(match["court"]))


_UK_REPORT = re.compile(
    r"^[\[(](?P<year>\d{4})[\])] (?:(?P<volume>\d+) )?(?P<reporter>.+) (?P<page>\d+)$"
)
_REPORT_JURISDICTION = {"EHRR": "INT/COE", "ECR": "EU", "CMLR": "EU"}


def _uk_report(instrument: str) -> _Root | None:
    match = _UK_REPORT.match(instrument)
    if not match:
        return None
    volume = f"{match['volume']}/" if match["volume"] else ""
    reporter = _slug(match["reporter"])
    path = f"{match['year']}/{volume}{reporter}/{match['page']}"
    jurisdiction = _REPORT_JURISDICTION.get(match["reporter"], "UK")
    return _Root(f"uk:report:{path}", "case", instrument, jurisdiction)


# German federal courts by the register of their dockets ('VI ZR 211/12' is the BGH's).
_DE_REGISTERS = {
    "BGH": ("ZR", "ZB", "ZA", "StR", "ARs", "KZR", "KVR", "AnwZ", "NotZ", "EnVR", "BLw"),
    "BVerfG": ("BvR", "BvL", "BvE", "BvF", "BvB", "BvC", "BvQ", "BvH", "BvK", "BvP"),
    "BAG": ("AZR", "ABR", "AZB", "AZN", "ABN"),
}
_DE_REGISTER_COURT = {reg: court for court, regs in _DE_REGISTERS.items() for reg in regs}
_DE_DOCKET = re.compile(
    r"^(?:[IVX]{1,5}[a-z]?-)?(?P<senate>[IVX]{1,5}[a-z]?|\d{1,2}[a-z]?)\s+(?P<register>[A-Za-zÜü]+)"
    r"\s+\d{1,5}(?P<sep>[/.])\d{2}"
)
_DE_BSG = re.compile(r"^B \d{1,2} [A-Z]{1,3} \d{1,4}/\d{2} [A-Z]{1,2}$")
_DE_RAW_COURT = re.compile(
    r"^(?P<court>BGH|BVerfG|BAG|BFH|BSG|BVerwG|BPatG|BayObLG|KG"
    r"|(?:OLG|LG|AG|OVG|VGH|VG|LAG|ArbG|LSG|SG|FG)\s+[A-ZÄÖÜ][a-zäöüß]+"
    r"(?:[\s-](?:am|an\s+der|a\.\s?M\.|[A-ZÄÖÜ][a-zäöüß]+)){0,2})(?![\w])"
)


def _de_court(docket: str, raw: str) -> str | None:
    """The court of a German docket: from its register where that names a federal court,
    else from the court the citation names ('OLG München, ... 7 U 12/19')."""
    if _DE_BSG.match(docket):
        return "BSG"
    match = _DE_DOCKET.match(docket)
    if match:
        court = _DE_REGISTER_COURT.get(match["register"])
        if court:
            return court
        if match["register"] in {"R", "B"} and not match["senate"][0].isdigit():
            return "BFH"  # 'XI R 1/20', 'IX B 12/20': a roman senate with R or B
        if match["sep"] == "." and match["senate"][0].isdigit():
            return "BVerwG"  # '3 C 12.19'
    named = _DE_RAW_COURT.match(squash(raw))
    return squash(named["court"]) if named else None


def _de_case(instrument: str, raw: str) -> _Root | None:
    if instrument.startswith("ECLI:"):
        return _ecli(instrument)
    court = _de_court(instrument, raw)
    if court is None:
        return None  # a docket alone whose court nothing names
    docket = re.sub(r"\s+", "-", instrument.strip())
    return _Root(f"de:case:{_slug(court)}/{docket}", "case", f"{court} {instrument}", "EU/DE")


_NATIONAL_CASE = re.compile(r"^(?P<court>.+?),?\s+(?:n°|n\.|nr\.)\s*(?P<number>.+)$")


def _court_docket(system: str, instrument: str) -> _Root | None:
    """'Cass. n° 14-10.842', 'CE n° 123456', 'Cass. civ. n. 12345/2019', 'HR nr. 19/01234'."""
    if instrument.startswith("ECLI:"):
        return _ecli(instrument)
    match = _NATIONAL_CASE.match(instrument)
    if not match:
        return None
    number = match["number"].replace(" ", "-")
    if system == "it" and "/" not in number:
        return None  # 'Corte cost. n. 123': the number repeats every year
    jurisdiction = f"EU/{system.upper()}"
    return _Root(
        f"{system}:case:{_slug(match['court'])}/{number}", "case", instrument, jurisdiction
    )


_ES_CASE = re.compile(r"^(?P<court>[A-Z]+(?: .+?)?) (?P<number>\d{1,5}/\d{4})$")


def _es_case(instrument: str) -> _Root | None:
    match = _ES_CASE.match(instrument)
    if not match:
        return None
    return _Root(f"es:case:{_slug(match['court'])}/{match['number']}", "case", instrument, "EU/ES")


_REPORT_TOKENS = re.compile(r"[^\s,/]+")
_REPORT_MARKS = {"p.", "n°", "col.", "c."}


def _report(system: str, instrument: str) -> _Root | None:
    """A law report by reporter, volume or year, and page: 'BGHZ 194, 123', 'NJW 2014,
    2029', 'D. 2015, p. 123', 'NJ 2020/123', 'Foro it. 2019, I, 123'. A report without a
    year or volume ('Bull. civ. II, n° 123') names no one page."""
    tokens = [token for token in _REPORT_TOKENS.findall(instrument) if token not in _REPORT_MARKS]
    first_number = next((at for at, token in enumerate(tokens) if token.isdigit()), None)
    if first_number is None or first_number == 0 or len(tokens) - first_number < 2:
        return None
    reporter = _slug(" ".join(tokens[:first_number]))
    if reporter.startswith("Bull") and tokens[first_number - 1] in {"I", "II", "III", "IV", "V"}:
        return None
    rest = "/".join(tokens[first_number:])
    jurisdiction = f"EU/{system.upper()}"
    return _Root(f"{system}:report:{reporter}/{rest}", "case", instrument, jurisdiction)


# --- roots: United States ----------------------------------------------------------------

_US_CASE = re.compile(r"^(?P<volume>\d{1,4}) (?P<reporter>.+?) (?P<page>\d{1,7})$")
# Tax Court memorandum opinions are numbered by year: 'T.C. Memo. 2020-26'.
_TC_MEMO = re.compile(r"^T\.C\. Memo\. (?P<year>\d{4})-(?P<number>\d{1,4})$")
_US_FEDERAL_REPORTERS = re.compile(
    r"^(?:U\.S\.|S\. Ct\.|L\. Ed\.(?: 2d)?|F\.(?:2d|3d|4th)?|F\. Supp\.(?: 2d| 3d)?"
    r"|F\. App'x|B\.R\.|F\.R\.D\.|Fed\. Cl\.|T\.C\.)$"
)


def _us_case(instrument: str) -> _Root | None:
    memo = _TC_MEMO.match(instrument)
    if memo:
        path = f"{memo['year']}/{int(memo['number'])}"
        return _Root(f"us:tcmemo:{path}", "case", instrument, "US/FED")
    match = _US_CASE.match(instrument)
    if not match:
        return None
    reporter = re.sub(r"[\s.']", "", match["reporter"])
    path = f"{int(match['volume'])}/{reporter}/{int(match['page'])}"
    federal = _US_FEDERAL_REPORTERS.match(match["reporter"])
    return _Root(f"us:reporter:{path}", "case", instrument, "US/FED" if federal else "US")


_US_FEDERAL_CODES = {"U.S.C.": "usc", "U.S.C.A.": "usc", "U.S.C.S.": "usc", "C.F.R.": "cfr"}
_US_RULES = {
    "Fed. R. Civ. P.": "frcp",
    "Fed. R. Crim. P.": "frcrmp",
    "Fed. R. App. P.": "frap",
    "Fed. R. Bankr. P.": "frbp",
    "Fed. R. Evid.": "fre",
}


def _us_state(code: str) -> str:
    compact = re.sub(r"^\d+", "", code.replace(" ", ""))
    if compact.startswith("ILCS"):
        return "US/STATE/IL"
    for key, state in _us_states():
        if compact.startswith(key):
            return f"US/STATE/{state}"
    return "US"


def _us_code(code: str) -> _Root:
    """'42 U.S.C.' -> us:usc:42; 'Cal. Civ. Code' -> us:code:Cal-Civ-Code (a state code)."""
    title, _, rest = code.partition(" ")
    federal = _US_FEDERAL_CODES.get(rest) if title.isdigit() else None
    if federal:
        return _Root(f"us:{federal}:{int(title)}", "legislation", code, "US/FED")
    return _Root(f"us:code:{_slug(code)}", "legislation", code, _us_state(code))


# '42 U.S.C. § 1983(a)', 'Cal. Civ. Code § 1714', 'G.L. c. 93A, § 2', '735 ILCS 5/2-619',
# 'N.J.S.A. 2A:15-5.1', 'Fed. R. Civ. P. 12(b)(6)'
_US_SECTION = re.compile(r"^(?P<code>.+?),?\s+§§?\s*(?P<section>[^\s(]+)(?P<subs>(?:\(\w+\))*)$")
_US_ILCS = re.compile(r"^(?P<code>\d+ ILCS \d+)/(?P<section>[^\s(]+)(?P<subs>(?:\(\w+\))*)$")
_US_BARE = re.compile(
    r"^(?P<code>[A-Z][\w.]*(?:\s[A-Z][\w.]*)*)\s(?P<section>\d[\w.:-]*)(?P<subs>(?:\(\w+\))*)$"
)
_BRACKET = re.compile(r"\((\w+)\)")


def _us_statute(normalized: str) -> tuple[_Root, list[str]] | None:
    for pattern in (_US_SECTION, _US_ILCS, _US_BARE):
        match = pattern.match(normalized)
        if match:
            root = _us_code(match["code"])
            subs = _section_levels(_BRACKET.findall(match["subs"]))
            return root, [f"sec:{_value(match['section'])}", *subs]
    return None


_FED_REG = re.compile(r"^(?P<volume>\d+) Fed\. Reg\. (?P<page>[\d,]+)$")


def _us_regulation(normalized: str) -> tuple[_Root, list[str]] | None:
    register = _FED_REG.match(normalized)
    if register:
        page = register["page"].replace(",", "")
        root = _Root(f"us:fedreg:{register['volume']}/{page}", "legislation", normalized, "US/FED")
        return root, []
    return _us_statute(normalized)


def _us_rule(instrument: str, pinpoint: str | None) -> tuple[_Root, list[str]] | None:
    rules = _US_RULES.get(instrument)
    if rules is None:
        return None
    root = _Root(f"us:rules:{rules}", "legislation", instrument, "US/FED")
    if not pinpoint:
        return root, []
    number, _, subs = pinpoint.partition("(")
    levels = [f"rule:{_value(number)}"]
    levels += _section_levels(_BRACKET.findall(f"({subs}" if subs else ""))
    return root, levels


# --- pinpoints ---------------------------------------------------------------------------

_ROMAN = re.compile(r"^(?:i{1,3}|iv|vi{0,3}|ix|x{1,3})$")


def _article_levels(pinpoint: str) -> list[str]:
    """'Art. 6(1)(f)' -> ['art:6', 'para:1', 'point:f']; '(i)' beneath a point is a
    'subpoint' (the levels the statute parser of the index names an article's parts by)."""
    match = re.match(r"^Art\.\s*(?P<number>[^\s(]+)(?P<subs>(?:\(\w+\))*)$", pinpoint)
    if not match:
        return [f"art:{_value(pinpoint)}"]
    levels = [f"art:{_value(match['number'])}"]
    seen: set[str] = set()
    for value in _BRACKET.findall(match["subs"]):
        if value.isdigit():
            level = "para" if "para" not in seen and "point" not in seen else "subpoint"
        elif _ROMAN.match(value) and "point" in seen:
            level = "subpoint"
        else:
            level = "point" if "point" not in seen else "subpoint"
        seen.add(level)
        levels.append(f"{level}:{value}")
    return levels


_WORD_LEVELS: dict[str, dict[str, str]] = {
    "de": {
        "§": "par",
        "Art.": "art",
        "Abs.": "abs",
        "S.": "satz",
        "Nr.": "nr",
        "Buchst.": "buchst",
    },
    "fr": {"article": "art", "alinéa": "al"},
    "nl": {"artikel": "art", "lid": "lid", "onder": "sub"},
    "it": {"art.": "art", "comma": "comma"},
    "es": {"artículo": "art", "letra": "letra"},
}
_WORD_PIECE = re.compile(r"(?P<word>§|[^\W\d][\w.]*\.?|artículo)\s*(?P<value>[^\s]+)")


def _word_levels(system: str, pinpoint: str) -> list[str]:
    """'§ 823 Abs. 1 S. 2' -> ['par:823', 'abs:1', 'satz:2']; 'artikel 6:162 lid 1 onder a'
    -> ['art:6:162', 'lid:1', 'sub:a']; 'artículo 1902.1 letra a' -> ['art:1902',
    'apdo:1', 'letra:a']."""
    words = _WORD_LEVELS[system]
    levels: list[str] = []
    for piece in _WORD_PIECE.finditer(pinpoint):
        level = words.get(piece["word"])
        if level is None:
            continue
        value = piece["value"]
        if system == "es" and level == "art" and "." in value:
            number, _, paragraph = value.partition(".")
            levels += [f"art:{_value(number)}", f"apdo:{_value(paragraph)}"]
            continue
        levels.append(f"{level}:{_value(value)}")
    return levels


_UK_PIN = re.compile(r"^s\.\s*(?P<section>\w+)(?P<subs>(?:\(\w+\))*)$")
# The levels beneath a section, by depth: subsection (1), paragraph (a), sub-paragraph (i)
# in UK Acts; subsection (a), paragraph (1), subparagraph (A), clause (i) in the U.S. Code.
# The same names as the index's statute parser gives a section's parts.
_SECTION_LEVELS = ("subsec", "para", "subpara", "clause", "subclause", "item")


def _section_levels(values: list[str]) -> list[str]:
    depth = len(_SECTION_LEVELS) - 1
    return [f"{_SECTION_LEVELS[min(at, depth)]}:{_value(value)}" for at, value in enumerate(values)]


def _uk_levels(pinpoint: str) -> list[str]:
    """'s. 3(1)(a)' -> ['sec:3', 'subsec:1', 'para:a']."""
    match = _UK_PIN.match(pinpoint)
    if not match:
        return []
    return [f"sec:{match['section']}", *_section_levels(_BRACKET.findall(match["subs"]))]


_CASE_PIN = re.compile(r"^para (?P<number>\d+)$")


def _case_levels(pinpoint: str) -> list[str]:
    match = _CASE_PIN.match(pinpoint)
    if match:
        return [f"para:{int(match['number'])}"]
    if pinpoint.isdigit():  # the page of a law report: 'BGHZ 194, 123, 130'
        return [f"page:{pinpoint}"]
    return []


# --- resolving ---------------------------------------------------------------------------

_ARTICLE_KINDS = {"eu_legislation", "eu_treaty", "eu_charter", "int_echr", "int_un", "int_coe"}
_CASE_ROOTS: dict[str, Callable[[str], _Root | None]] = {
    "ecli": _ecli,
    "eu_case": _eu_case,
    "uk_neutral": _uk_neutral,
    "uk_report": _uk_report,
    "es_case": _es_case,
    "fr_case": lambda instrument: _court_docket("fr", instrument),
    "it_case": lambda instrument: _court_docket("it", instrument),
    "nl_case": lambda instrument: _court_docket("nl", instrument),
    "us_case": _us_case,
    "de_report": lambda instrument: _report("de", instrument),
    "fr_report": lambda instrument: _report("fr", instrument),
    "nl_report": lambda instrument: _report("nl", instrument),
    "es_report": lambda instrument: _report("es", instrument),
    "it_report": lambda instrument: _report("it", instrument),
}
_STATUTE_ROOTS: dict[str, tuple[Callable[[str], _Root | None], Callable[[str], list[str]]]] = {
    "de_statute": (_de_act, lambda pin: _word_levels("de", pin)),
    "fr_statute": (_fr_act, lambda pin: _word_levels("fr", pin)),
    "nl_statute": (_nl_act, lambda pin: _word_levels("nl", pin)),
    "es_statute": (_es_act, lambda pin: _word_levels("es", pin)),
    "it_statute": (_it_act, lambda pin: _word_levels("it", pin)),
    "uk_statute": (_uk_act, _uk_levels),
}
_EU_WORDS = {"lid": "para", "sub": "point", "abs": "para", "buchst": "point"}


def _as_eu_levels(levels: list[str]) -> list[str]:
    """An EU act cited in a national system's words ('artikel 13, lid 1, onder a, van de
    Zesde Richtlijn'): its levels named as the EU's own (art, para, point)."""
    renamed = []
    for level in levels:
        name, _, value = level.partition(":")
        renamed.append(f"{_EU_WORDS.get(name, name)}:{value}")
    return renamed


_PLAIN_ROOTS: dict[str, Callable[[str], _Root | None]] = {
    "celex": _celex,
    "eu_oj": _oj,
    "de_gazette": _de_gazette,
}


def _root_and_levels(citation: CitationLike) -> tuple[_Root, list[str]] | None:
    kind = citation.kind
    instrument = citation.instrument or citation.normalized
    pinpoint = citation.pinpoint
    root: _Root | None
    if kind in _ARTICLE_KINDS:
        root = _eu_act(instrument) if kind == "eu_legislation" else _treaty(instrument)
        return (root, _article_levels(pinpoint) if pinpoint else []) if root else None
    if kind in _STATUTE_ROOTS:
        find_root, read_levels = _STATUTE_ROOTS[kind]
        root = find_root(instrument)
        if root is None:
            return None
        levels = read_levels(pinpoint) if pinpoint else []
        return root, _as_eu_levels(levels) if root.id.startswith("eu:") else levels
    if kind == "de_case":
        root = _de_case(instrument, citation.raw)
        return (root, _case_levels(pinpoint) if pinpoint else []) if root else None
    if kind in _CASE_ROOTS:
        root = _CASE_ROOTS[kind](instrument)
        return (root, _case_levels(pinpoint) if pinpoint else []) if root else None
    if kind in _PLAIN_ROOTS:
        root = _PLAIN_ROOTS[kind](instrument)
        return (root, []) if root else None
    if kind == "us_statute":
        return _us_statute(citation.normalized) or _us_code_alone(instrument)
    if kind == "us_regulation":
        return _us_regulation(citation.normalized)
    if kind == "us_rule":
        return _us_rule(instrument, pinpoint)
    return None


def _us_code_alone(instrument: str) -> tuple[_Root, list[str]] | None:
    """A code named without a section ('Cal. Civ. Code', typed as a query)."""
    if "§" in instrument or not re.match(r"^(?:\d+ )?[A-Z]", instrument):
        return None
    return _us_code(instrument), []


def resolve(citation: CitationLike) -> Authority | None:
    """The authority ``citation`` cites, at its pinpoint; None where the citation names no
    one authority (a report page without its year, a docket without its court, a family
    without ids such as US journal articles). The caller keeps such a citation as it is."""
    found = _root_and_levels(citation)
    if found is None:
        return None
    root, levels = found
    if not levels:
        return Authority(root.id, root.kind, root.name, root.jurisdiction)
    ids = lineage("/".join([root.id, *levels]))
    return Authority(ids[-1], "provision", citation.normalized, root.jurisdiction, ids[-2])


@dataclass(frozen=True, slots=True)
class _Typed:
    raw: str
    kind: str
    normalized: str
    instrument: str | None
    pinpoint: str | None


def lookup(surface_form: str) -> list[Authority]:
    """The authorities a typed surface form cites ('Art. 6 DSGVO', 'BGB', '410 U.S. 113'),
    read by the same families as documents are (and the gateway's US query reader), in
    text order; an authority read together with a finer one of the same match (the section
    of a subsection) is left out."""
    text = squash(clean(surface_form))[:MAX_QUERY_CHARS]
    if not text:
        return []
    alone = instrument_alone(text)
    if alone is not None:
        kind, instrument = alone
        authority = resolve(_Typed(text, kind, instrument, instrument, None))
        return [authority] if authority else []
    found = settle_overlaps(
        [*find_pattern_citations(text, query=True), *find_us_query_citations(text)]
    )
    return _finest(found)


def _finest(found: Iterable[Found]) -> list[Authority]:
    resolved = [(item, resolve(item)) for item in found]
    kept: list[Authority] = []
    for item, authority in resolved:
        if authority is None or any(a.id == authority.id for a in kept):
            continue
        coarser = any(
            other is not None
            and other.id != authority.id
            and within(other.id, authority.id)
            and other_item.start < item.end
            and item.start < other_item.end
            for other_item, other in resolved
        )
        if not coarser:
            kept.append(authority)
    return kept

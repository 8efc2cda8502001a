"""Citation families found by regular expressions, and the canonical spelling of each.

Every citation is read as its instrument (the act or the case) and its pinpoint (the
provision or paragraph cited, or None); ``Found.normalized`` is the full form with the
pinpoint, ``Found.keys`` adds each coarser pinpoint and the instrument alone, so that a
``cites`` query for '§ 823 BGB' or 'BGB' finds a document citing '§ 823 Abs. 1 S. 2 BGB'.
One spelling per family, whatever the language or spacing of the text:

- EU acts, EU treaties and Charter, ECHR, UN and Council of Europe treaties: the
  instrument, a comma, the article with its paragraphs and points in brackets:
  'Regulation (EU) 2016/679, Art. 6(1)(f)', 'Regulation (EC) No 44/2001', 'Directive
  95/46/EC', 'TFEU, Art. 267', 'EU Charter, Art. 8', 'ECHR, Art. 8', 'ECHR Protocol No. 1,
  Art. 1', 'ICCPR, Art. 14', 'CETS No. 225' (:mod:`~lexstream.shared.legal.international`);
- German, French, Dutch, Spanish, Italian codes: the pinpoint in the system's own words,
  then the code: '§ 823 Abs. 1 S. 2 Nr. 3 Buchst. a BGB', 'Art. 3 Abs. 1 GG', 'article 1240
  alinéa 2 code civil', 'artikel 6:162 lid 1 onder a BW', 'artículo 1902.1 Código Civil',
  'art. 2043 comma 1 c.c.';
- UK Acts: 'Human Rights Act 1998, s. 3(1)';
- case citations (ECLI, EU case numbers, UK neutral citations and reports, national
  dockets): the case, then ', para N' where a paragraph is written next to it:
  '[2020] UKSC 12, para 42', 'ECLI:EU:C:2014:317, para 80', 'VI ZR 211/12, para 25';
- national dockets, law reports, US rules and state codes: see
  :mod:`~lexstream.shared.legal.national` ('Cass. n° 14-10.842', 'STS 1234/2019',
  'NJ 2020/123', 'BGHZ 194, 123, 130', 'Fed. R. Civ. P. 12(b)(6)', '735 ILCS 5/2-619').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from lexstream.shared.legal.found import (
    CASE_PIN,
    Cite,
    Found,
    Needles,
    case_cite,
    pinned,
    scan,
    whole,
    windows,
)
from lexstream.shared.legal.international import find_international
from lexstream.shared.legal.national import code_alone, national_families, query_families
from lexstream.shared.legal.statutes import french_code_names, named_instruments, statute_code
from lexstream.shared.legal.text import squash

__all__ = ["Cite", "Family", "Found", "find_pattern_citations", "instrument_alone"]

Normalizer = Callable[[re.Match[str]], list[str | Cite]]


@dataclass(frozen=True)
class Family:
    kind: str
    pattern: re.Pattern[str]
    normalize: Normalizer
    needles: Needles | None = None


# --- ECLI -------------------------------------------------------------------------------

_ECLI = re.compile(
    r"(?<![\w:])ECLI:(?P<country>[A-Z]{2}):(?P<court>[A-Z0-9.]{1,7}):(?P<year>\d{4}):"
    r"(?P<number>[A-Z0-9]+(?:\.[A-Z0-9]+)*)" + CASE_PIN,
    re.IGNORECASE,
)
# The CJEU prints its own identifiers without the prefix: 'EU:C:2009:381'.
_ECLI_BARE_EU = re.compile(
    r"(?<![\w:])EU:(?P<court>[CTF]):(?P<year>\d{4}):(?P<number>\d{1,6})\b" + CASE_PIN
)


def _ecli(match: re.Match[str]) -> list[str | Cite]:
    country = match.group("country").upper() if "country" in match.groupdict() else "EU"
    parts = (country, match.group("court"), match.group("year"), match.group("number"))
    return [case_cite("ECLI:" + ":".join(part.upper() for part in parts), match)]


def _ecli_bare(match: re.Match[str]) -> list[str | Cite]:
    ecli = f"ECLI:EU:{match.group('court')}:{match.group('year')}:{match.group('number')}"
    return [case_cite(ecli, match)]


# --- EU case numbers, CELEX, legislation, Official Journal ------------------------------

_EU_CASE = re.compile(
    r"(?<![\w/-])(?P<court>[CTF])\s?-\s?(?P<number>\d{1,4})/(?P<year>\d{2})(?P<appeal>\s?P\b)?"
    r"(?![\w/-])" + CASE_PIN,
    re.IGNORECASE,
)


def _eu_case(match: re.Match[str]) -> list[str | Cite]:
    appeal = " P" if match.group("appeal") else ""
    number = int(match.group("number"))
    case = f"{match.group('court').upper()}-{number}/{match.group('year')}{appeal}"
    return [case_cite(case, match)]


_CELEX = re.compile(
    r"(?<![\w])(?:CELEX\s*(?:number|no\.?)?\s*:?\s*)?"
    r"(?P<celex>[0-9CE](?:19|20)\d{2}[A-Z]{1,2}\d{4}(?:\(\d{1,2}\))?)(?![\w])",
    re.IGNORECASE,
)


def _celex(match: re.Match[str]) -> list[str | Cite]:
    return [match.group("celex").upper()]


_OJ = re.compile(
    r"\bOJ\s+(?:(?P<year>\d{4})\s+(?P<series>[LC])\s+(?P<issue>\d{1,4})"
    r"|(?P<series2>[LC])\s+(?P<issue2>\d{1,4})\s*,\s*\d{1,2}\.\d{1,2}\.(?P<year2>\d{4}))"
    r"\s*,\s*p\.\s*(?P<page>\d+)",
)


def _oj(match: re.Match[str]) -> list[str | Cite]:
    year = match.group("year") or match.group("year2")
    series = match.group("series") or match.group("series2")
    issue = match.group("issue") or match.group("issue2")
    return [f"OJ {year} {series} {issue}, p. {match.group('page')}"]


# --- United States Code sections with letters, which eyecite's patterns miss -------------

_USC = re.compile(
    r"\b(?P<title>\d{1,2})\s+U\.\s?S\.\s?C\.(?:\s?A\.)?\s+§§?\s*(?P<section>\d+[a-z]+(?:-\d+[a-z]*)?)"
    r"(?![\w-])"
)


def _usc(match: re.Match[str]) -> list[str | Cite]:
    return [f"{match.group('title')} U.S.C. § {match.group('section')}"]


# --- United Kingdom ---------------------------------------------------------------------

_UK_COURTS = {
    code.lower(): code
    for code in (
        "UKSC",
        "UKPC",
        "UKHL",
        "EWCA Civ",
        "EWCA Crim",
        "EWHC",
        "UKUT",
        "UKFTT",
        "EWFC",
        "EWCOP",
        "UKEAT",
        "EAT",
        "CSIH",
        "CSOH",
        "HCJAC",
        "NICA",
        "NIQB",
        "NIKB",
        "NICh",
        "UKIPTrib",
        "UKAIT",
    )
}
_UK_DIVISIONS = {
    code.lower(): code
    for code in (
        "Ch",
        "QB",
        "KB",
        "Admin",
        "Comm",
        "Fam",
        "Pat",
        "TCC",
        "Admlty",
        "IPEC",
        "Costs",
        "SCCO",
        "Mercantile",
        "LC",
        "IAC",
        "AAC",
        "TC",
        "GRC",
        "B",
        # Court of Protection tiers; First-tier Tribunal chambers
        "T1",
        "T2",
        "T3",
        "PC",
        "HESC",
        "SEC",
        "WPAFCC",
    )
}
_UK_NEUTRAL = re.compile(
    r"\[(?P<year>\d{4})\]\s+(?P<court>UKSC|UKPC|UKHL|EWCA\s+Civ|EWCA\s+Crim|EWHC|UKUT|UKFTT"
    r"|EWFC|EWCOP|UKEAT|EAT|CSIH|CSOH|HCJAC|NICA|NIQB|NIKB|NICh|UKIPTrib|UKAIT)\s+"
    r"(?P<number>\d{1,6})(?:\s*\((?P<division>" + "|".join(_UK_DIVISIONS) + r")\))?" + CASE_PIN,
    re.IGNORECASE,
)


def _uk_neutral(match: re.Match[str]) -> list[str | Cite]:
    court = _UK_COURTS[squash(match.group("court")).lower()]
    division = match.group("division")
    suffix = f" ({_UK_DIVISIONS[division.lower()]})" if division else ""
    neutral = f"[{match.group('year')}] {court} {int(match.group('number'))}{suffix}"
    return [case_cite(neutral, match)]


_UK_REPORTERS = {
    name.lower(): name
    for name in (
        "AC",
        "QB",
        "KB",
        "Ch",
        "Fam",
        "WLR",
        "All ER",
        "All ER (Comm)",
        "All ER (D)",
        "Lloyd's Rep",
        "EHRR",
        "Cr App R",
        "BCLC",
        "BCC",
        "P & CR",
        "HLR",
        "ICR",
        "IRLR",
        "EMLR",
        "FSR",
        "RPC",
        "Imm AR",
        "Bus LR",
        "EGLR",
        "STC",
        "CMLR",
        "ECR",
        "FLR",
        "App Cas",
        "QBD",
        "Ch D",
        "Env LR",
        "PNLR",
        "UKHRR",
        "BMLR",
        "ELR",
        "LGR",
        "JPL",
        "EG",
        "L Ed",
        "TLR",
        "ER",
    )
}
_UK_REPORT = re.compile(
    r"(?P<open>[\[(])(?P<year>1[6-9]\d{2}|20\d{2})[\])]\s+(?:(?P<volume>\d{1,3})\s+)?"
    r"(?P<reporter>"
    + "|".join(sorted((re.escape(r) for r in _UK_REPORTERS), key=len, reverse=True))
    + r")\s+(?P<page>\d{1,5})\b"
    + CASE_PIN,
    re.IGNORECASE,
)


def _uk_report(match: re.Match[str]) -> list[str | Cite]:
    reporter = _UK_REPORTERS[match.group("reporter").lower()]
    year = match.group("year")
    volume = f"{match.group('volume')} " if match.group("volume") else ""
    year_part = f"[{year}]" if match.group("open") == "[" else f"({year})"
    return [case_cite(f"{year_part} {volume}{reporter} {match.group('page')}", match)]


_UK_ACT = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z'-]+(?:\s+(?:[A-Z][A-Za-z'-]+|\([A-Z][A-Za-z ,'-]{2,60}\)|of|and"
    r"|for|on|in|to|the|&)){0,10})\s+Act\s+(?P<year>1[6-9]\d{2}|20\d{2})\b"
    # the canonical form with its section: 'Human Rights Act 1998, s. 3(1)'
    r"(?:,\s*s\.\s*(?P<section>\d{1,4}[A-Z]{0,2})(?P<subs>(?:\(\w{1,4}\))*)(?![\w(]))?"
)
_LEADING_WORDS = re.compile(
    r"^(?:(?:The|the|This|That|In|Under|Of|By|See|And|Section|s|Nothing|Part|Schedule|Both"
    r"|Neither|As|It|Its|For|When|If|Since|Unlike|Like|Following|Pursuant|Whereas|But|So|Then"
    r"|Also|Although|While|Where|Once|Until|Before|After|Accordingly|Moreover|However)\s+)+"
)


_LEADING_LOWER = re.compile(r"^(?:[a-z&]+\s+)+")


def _uk_act(match: re.Match[str]) -> list[str | Cite]:
    name = squash(match.group("name"))
    while True:
        stripped = _LEADING_LOWER.sub("", _LEADING_WORDS.sub("", name))
        if stripped == name:
            break
        name = stripped
    if not name or not name[0].isupper() or name.startswith("Act "):
        return []
    act = f"{name} Act {match.group('year')}"
    if not match.group("section"):
        return [act]
    pieces = [f"s. {match.group('section')}", *_BRACKETS.findall(match.group("subs"))]
    return [pinned(act, pieces, before=False, sep=", ")]


_UK_SECTION = re.compile(
    r"\b(?:[Ss]ections?|ss?\.?)\s*(?P<numbers>\d{1,4}[A-Z]{0,2}(?:\(\w{1,4}\))*"
    r"(?:\s*(?:,|and|or)\s*\d{1,4}[A-Z]{0,2}(?:\(\w{1,4}\))*)*)\s+of\s+the\s+"
    r"(?P<name>[A-Z][A-Za-z'-]+(?:\s+(?:[A-Z][A-Za-z'-]+|\([A-Z][A-Za-z ,'-]{2,60}\)|of|and"
    r"|for|on|in|to|the|&)){0,10})\s+Act\s+(?P<year>1[6-9]\d{2}|20\d{2})\b"
)
_UK_SECTION_ITEM = re.compile(r"(?P<number>\d{1,4}[A-Z]{0,2})(?P<subs>(?:\(\w{1,4}\))*)")
_BRACKETS = re.compile(r"\(\w{1,4}\)")


def _uk_section(match: re.Match[str]) -> list[str | Cite]:
    act = f"{squash(match.group('name'))} Act {match.group('year')}"
    cites: list[str | Cite] = []
    for item in _UK_SECTION_ITEM.finditer(match.group("numbers")):
        pieces = [f"s. {item['number']}", *_BRACKETS.findall(item["subs"])]
        cites.append(pinned(act, pieces, before=False, sep=", "))
    return cites


# --- Civil-law statutes -----------------------------------------------------------------
# Canonical spelling: the pinpoint in the system's own words, then the code, as lawyers of
# that system write it: '§ 823 Abs. 1 S. 2 Nr. 3 Buchst. a BGB', 'Art. 3 Abs. 1 GG',
# 'article 1240 alinéa 2 code civil', 'artikel 6:162 lid 1 onder a BW'.

_DE_PIN = (
    r"(?:\s*(?:Abs\.|Absatz)\s*\d{1,3}[a-z]?(?:\s*(?:und|bis|u\.|oder)\s*\d{1,3}[a-z]?)*)?"
    r"(?:\s*(?:S\.|Satz)\s*\d{1,2})?(?:\s*(?:Nr\.|Nummer)\s*\d{1,3}[a-z]?)?"
    r"(?:\s*(?:lit\.|Buchst\.|Buchstabe)\s*[a-z]\)?)?"
)
_DE_NUMBERS = (
    r"\d{1,4}[a-z]?" + _DE_PIN + r"(?:\s*(?:,|und|bis|sowie|oder)\s*\d{1,4}[a-z]?" + _DE_PIN + ")*"
)
_DE_PARAGRAPH = re.compile(
    r"§§?\s*(?P<numbers>" + _DE_NUMBERS + r")"
    r"\s+(?P<code>[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,9}(?:\s+[IVX]{1,4}\b)?)",
)
_DE_ARTICLE = re.compile(r"\bArt\.\s*(?P<numbers>" + _DE_NUMBERS + r")\s+(?P<code>GG|EGBGB)\b")
_DE_ITEM = re.compile(
    r"(?P<number>\d{1,4}[a-z]?)(?:\s*(?:Abs\.|Absatz)\s*(?P<abs>\d{1,3}[a-z]?(?:\s*(?:und|bis|u\.|oder)"
    r"\s*\d{1,3}[a-z]?)*))?(?:\s*(?:S\.|Satz)\s*(?P<satz>\d{1,2}))?"
    r"(?:\s*(?:Nr\.|Nummer)\s*(?P<nr>\d{1,3}[a-z]?))?(?:\s*(?:lit\.|Buchst\.|Buchstabe)\s*(?P<lit>[a-z])\)?)?"
)
_DE_ABS = re.compile(r"\d{1,3}[a-z]?")


def _de_statute(match: re.Match[str]) -> list[str | Cite]:
    code = statute_code("de", match.group("code"))
    if code is None:
        return []
    mark = "Art." if match.group(0).startswith("Art") else "§"
    cites: list[str | Cite] = []
    for item in _DE_ITEM.finditer(match.group("numbers")):
        tail = [
            f" {word} {item[group]}"
            for word, group in (("S.", "satz"), ("Nr.", "nr"), ("Buchst.", "lit"))
            if item[group]
        ]
        head = f"{mark} {item['number']}"
        paragraphs = _DE_ABS.findall(item["abs"] or "")
        if not paragraphs:
            # a sentence or number without an Absatz is still a finer pinpoint of the §
            cites.append(pinned(code, [head, *tail], before=True, sep=" "))
            continue
        for paragraph in paragraphs:
            pieces = [head, f" Abs. {paragraph}", *(tail if len(paragraphs) == 1 else [])]
            cites.append(pinned(code, pieces, before=True, sep=" "))
    return cites


_DE_GAZETTE = re.compile(
    r"\bBGBl\.\s*(?:(?P<year>\d{4})\s+)?(?P<part>III|II|I)\s+(?:S\.\s*(?P<page>\d+)"
    r"|Nr\.\s*(?P<number>\d+))"
)


def _de_gazette(match: re.Match[str]) -> list[str | Cite]:
    year = f"{match.group('year')} " if match.group("year") else ""
    part = match.group("part")
    if match.group("page"):
        return [f"BGBl. {year}{part} S. {match.group('page')}"]
    return [f"BGBl. {year}{part} Nr. {match.group('number')}"]


def _fr_article_pattern() -> re.Pattern[str]:
    codes = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in french_code_names())
    return re.compile(
        r"\b[Aa]rt(?:icles?|\.)\s+(?P<numbers>(?:[LRDA]\.?\s?\*?)?\d{1,4}(?:-\d{1,4})*"
        r"(?:\s*(?:,|et)\s*(?:[LRDA]\.?\s?\*?)?\d{1,4}(?:-\d{1,4})*)*)"
        r"(?:,?\s+(?:alinéa|al\.)\s*(?P<alinea>\d{1,2})(?:er|e)?)?(?:\s+et\s+suivants)?,?\s+"
        r"(?:(?:du|de la|de l'|des)\s*)?(?P<code>" + codes + r")\b",
        re.IGNORECASE,
    )


_FR_NUMBER = re.compile(r"(?:([LRDA])\.?\s?\*?)?(\d{1,4}(?:-\d{1,4})*)")


def _fr_article(match: re.Match[str]) -> list[str | Cite]:
    code = statute_code("fr", match.group("code"))
    if code is None:
        return []
    numbers = [f"{prefix}{number}" for prefix, number in _FR_NUMBER.findall(match.group("numbers"))]
    alinea = (
        [f" alinéa {match.group('alinea')}"] if match.group("alinea") and len(numbers) == 1 else []
    )
    return [
        pinned(code, [f"article {number}", *alinea], before=True, sep=" ") for number in numbers
    ]


_FR_TEXT = re.compile(
    r"\b(?P<type>loi|décret|ordonnance)\s+(?:organique\s+)?n[°o]\s*(?P<number>\d{2,4}-\d{1,5})"
    r"(?:\s+du\s+\d{1,2}(?:er)?\s+[a-zéû]+\s+\d{4})?",
    re.IGNORECASE,
)


def _fr_text(match: re.Match[str]) -> list[str | Cite]:
    return [f"{match.group('type').lower()} n° {match.group('number')}"]


_NL_ARTICLE = re.compile(
    r"\b[Aa]rt(?:ikel|\.)\s+(?P<number>\d{1,4}[a-z]?(?::\d{1,4}[a-z]?)?)"
    r"(?:,?\s+(?:lid|leden)\s+(?P<lid>\d{1,2}))?(?:,?\s+(?:letter|onderdeel|onder|sub)\s+(?P<sub>[a-z\d])\)?)?"
    r",?\s+(?:van\s+(?:de|het)\s+)?(?P<act>Wet\s+(?:op|inzake|van|tot|betreffende)\s+de\s+"
    r"[a-z]+(?:\s+\d{4})?|Wet\s+[a-z]+(?:\s+\d{4})?|Zesde Richtlijn|Burgerlijk Wetboek|BW|Sr|Sv"
    r"|Rv|Awb|AWR|Grondwet|Wetboek van (?:Strafrecht|Strafvordering|Burgerlijke Rechtsvordering)"
    r"|Algemene wet inzake rijksbelastingen|Algemene wet bestuursrecht)\b",
)


def _nl_article(match: re.Match[str]) -> list[str | Cite]:
    act = statute_code("nl", squash(match.group("act"))) or squash(match.group("act"))
    pieces = [f"artikel {match.group('number')}"]
    if match.group("lid"):
        pieces.append(f" lid {match.group('lid')}")
    if match.group("sub"):
        pieces.append(f" onder {match.group('sub')}")
    return [pinned(act, pieces, before=True, sep=" ")]


_ACT_NEEDLES = Needles(exact=("Act ",), back=260, ahead=80)
_EU_CASE_NEEDLES = Needles(
    folded=tuple(f"{court}{space}-" for court in "ctf" for space in ("", " ")), back=0, ahead=60
)
# a CELEX number begins with its sector (a digit, 'C' or 'E') and a year
_CELEX_NEEDLES = Needles(
    exact=tuple(f"{sector}{century}" for sector in "0123456789CE" for century in ("19", "20")),
    back=24,
    ahead=24,
)


@cache
def families() -> tuple[Family, ...]:
    """All families; built on first use because the French one reads the code table."""
    return (
        Family("ecli", _ECLI, _ecli, Needles(folded=("ecli:",), back=0, ahead=120)),
        Family("ecli", _ECLI_BARE_EU, _ecli_bare, Needles(exact=("EU:",), back=0, ahead=60)),
        Family("eu_case", _EU_CASE, _eu_case, _EU_CASE_NEEDLES),
        Family("celex", _CELEX, _celex, _CELEX_NEEDLES),
        Family("eu_oj", _OJ, _oj, Needles(exact=("OJ ",), back=0, ahead=80)),
        Family("us_statute", _USC, _usc, Needles(exact=("U.", "U. "), back=8, ahead=60)),
        Family("uk_neutral", _UK_NEUTRAL, _uk_neutral, Needles(exact=("[",), back=0, ahead=60)),
        Family("uk_report", _UK_REPORT, _uk_report),
        Family("uk_statute", _UK_ACT, _uk_act, _ACT_NEEDLES),
        Family("uk_statute", _UK_SECTION, _uk_section, Needles(exact=("Act ",), back=320)),
        Family("de_statute", _DE_PARAGRAPH, _de_statute, Needles(exact=("§",), back=0)),
        Family("de_statute", _DE_ARTICLE, _de_statute, Needles(exact=("Art.",), back=0)),
        Family("de_gazette", _DE_GAZETTE, _de_gazette, Needles(exact=("BGBl",), back=0)),
        Family(
            "fr_statute",
            _fr_article_pattern(),
            _fr_article,
            Needles(folded=("code",), back=160, ahead=200),
        ),
        Family(
            "fr_statute",
            _FR_TEXT,
            _fr_text,
            Needles(folded=("loi", "décret", "ordonnance"), back=0, ahead=120),
        ),
        Family("nl_statute", _NL_ARTICLE, _nl_article, Needles(folded=("art",), back=2)),
        *(
            Family(kind, pattern, normalize, needles)
            for kind, pattern, normalize, needles in national_families()
        ),
    )


def _folded(text: str) -> str:
    """``text`` in lower case, one character for one (so offsets stay those of the text)."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(char.lower()[:1] for char in text)


def _found(match: re.Match[str], kind: str, cite: str | Cite) -> Found:
    if isinstance(cite, str):
        cite = whole(cite)
    return Found(
        raw=squash(match.group(0)),
        normalized=cite.normalized,
        kind=kind,
        start=match.start(),
        end=match.end(),
        instrument=cite.instrument,
        pinpoint=cite.pinpoint,
        coarser=cite.coarser,
    )


def find_pattern_citations(text: str, *, query: bool = False) -> Iterator[Found]:
    """Every match of every family, in family order (overlaps are settled by the caller).

    ``query=True`` adds the forms only a typed query is read in: an abbreviation alone
    ('AVG', 'EUV') and a docket alone ('VI ZR 211/12')."""
    folded = _folded(text)
    for family in families():
        for match in scan(family.pattern, text, windows(text, folded, family.needles)):
            for cite in family.normalize(match):
                yield _found(match, family.kind, cite)
    for match, kind, cite in find_international(text, folded, query=query):
        yield _found(match, kind, cite)
    if query:
        for kind, pattern, normalize, _ in query_families():
            for match in pattern.finditer(text):
                for cite in normalize(match):
                    yield _found(match, kind, cite)


def instrument_alone(text: str) -> tuple[str, str] | None:
    """(kind, instrument) where a whole typed query is the name of a code or a set of rules
    ('BGB', 'code civil', 'BW', 'Código Civil', 'c.c.', 'Fed. R. Evid.', 'Tex. Penal Code')."""
    name = squash(text)
    tables = named_instruments()
    if name in tables["acronyms"] or name in tables["quiet"]:
        return None  # 'DSGVO' is the EU regulation, read by the international families
    for system in ("de", "fr", "nl"):
        code = statute_code(system, name)
        if code is not None and (system != "de" or name == code):
            return f"{system}_statute", code
    return code_alone(name)

"""Citation families found by regular expressions: ECLI, EU, UK and civil-law statutes.

Each family turns a match into a normalised form that drops pinpoints (paragraphs, Absatz,
alinéa, pin cites), so that 'cites X' finds every document that cites X at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from lexstream.shared.legal.statutes import french_code_names, named_act, statute_code
from lexstream.shared.legal.text import squash


@dataclass(frozen=True, slots=True)
class Found:
    raw: str
    normalized: str
    kind: str
    start: int
    end: int


Normalizer = Callable[[re.Match[str]], list[str]]


@dataclass(frozen=True)
class Family:
    kind: str
    pattern: re.Pattern[str]
    normalize: Normalizer


def _one(value: str | None) -> list[str]:
    return [value] if value else []


# --- ECLI -------------------------------------------------------------------------------

_ECLI = re.compile(
    r"(?<![\w:])ECLI:(?P<country>[A-Z]{2}):(?P<court>[A-Z0-9.]{1,7}):(?P<year>\d{4}):"
    r"(?P<number>[A-Z0-9]+(?:\.[A-Z0-9]+)*)",
    re.IGNORECASE,
)
# The CJEU prints its own identifiers without the prefix: 'EU:C:2009:381'.
_ECLI_BARE_EU = re.compile(r"(?<![\w:])EU:(?P<court>[CTF]):(?P<year>\d{4}):(?P<number>\d{1,6})\b")


def _ecli(match: re.Match[str]) -> list[str]:
    country = match.group("country").upper() if "country" in match.groupdict() else "EU"
    parts = (country, match.group("court"), match.group("year"), match.group("number"))
    return ["ECLI:" + ":".join(part.upper() for part in parts)]


def _ecli_bare(match: re.Match[str]) -> list[str]:
    return [f"ECLI:EU:{match.group('court')}:{match.group('year')}:{match.group('number')}"]


# --- EU case numbers, CELEX, legislation, Official Journal ------------------------------

_EU_CASE = re.compile(
    r"(?<![\w/-])(?P<court>[CTF])\s?-\s?(?P<number>\d{1,4})/(?P<year>\d{2})(?P<appeal>\s?P\b)?"
    r"(?![\w/-])",
    re.IGNORECASE,
)


def _eu_case(match: re.Match[str]) -> list[str]:
    appeal = " P" if match.group("appeal") else ""
    number = int(match.group("number"))
    return [f"{match.group('court').upper()}-{number}/{match.group('year')}{appeal}"]


_CELEX = re.compile(
    r"(?<![\w])(?:CELEX\s*(?:number|no\.?)?\s*:?\s*)?"
    r"(?P<celex>[0-9CE](?:19|20)\d{2}[A-Z]{1,2}\d{4}(?:\(\d{1,2}\))?)(?![\w])",
    re.IGNORECASE,
)


def _celex(match: re.Match[str]) -> list[str]:
    return [match.group("celex").upper()]


_INSTITUTIONS = {"eu": "EU", "ec": "EC", "eec": "EEC", "euratom": "Euratom", "cfsp": "CFSP"}
# French and German language versions name the same instruments differently.
_OTHER_LANGUAGE_INSTITUTIONS = {
    "EURATOM": "Euratom",
    "CE": "EC",
    "CEE": "EEC",
    "UE": "EU",
    "EG": "EC",
    "EWG": "EEC",
    "JAI": "JHA",
}
_ACT_TYPES = {
    "regulation": "Regulation",
    "directive": "Directive",
    "decision": "Decision",
    "richtlinie": "Directive",
    "entscheidung": "Decision",
    "décision": "Decision",
}

_EU_ACT_NEW = re.compile(
    r"\b(?P<type>Regulation|Directive|Decision)\s*\((?P<inst>EU|EC|EEC|Euratom|CFSP)"
    r"(?:\s*,\s*Euratom)?\)\s*(?:No\.?\s*)?(?P<a>\d{1,4})/(?P<b>\d{1,4})(?![\w/])",
    re.IGNORECASE,
)
_EU_ACT_OLD = re.compile(
    r"\b(?P<type>Directive|Decision|Richtlinie|Entscheidung|Décision)\s+(?:No\.?\s*)?(?P<a>\d{2,4})/(?P<b>\d{1,4})/"
    r"(?P<inst>EU|EC|EEC|JHA|CFSP|Euratom|CE|CEE|UE|EG|EWG|JAI)\b",
    re.IGNORECASE,
)
# 'Regulation 2016/679' as a user may type it: acts numbered since 2015 are all '(EU)'.
_EU_ACT_SHORT = re.compile(
    r"\b(?P<type>Regulation|Directive)\s+(?:No\.?\s*)?(?P<a>20(?:1[5-9]|[2-9]\d))/(?P<b>\d{1,4})"
    r"(?![\w/])",
    re.IGNORECASE,
)


def _eu_act_new(match: re.Match[str]) -> list[str]:
    kind = _ACT_TYPES[match.group("type").lower()]
    inst = _INSTITUTIONS[match.group("inst").lower()]
    first, second = match.group("a"), match.group("b")
    if kind == "Regulation" and not (len(first) == 4 and int(first) >= 2015):
        return [f"Regulation ({inst}) No {first}/{second}"]
    return [f"{kind} ({inst}) {first}/{second}"]


def _eu_act_old(match: re.Match[str]) -> list[str]:
    kind = _ACT_TYPES[match.group("type").lower()]
    inst = match.group("inst").upper()
    inst = _OTHER_LANGUAGE_INSTITUTIONS.get(inst, inst)
    return [f"{kind} {match.group('a')}/{match.group('b')}/{inst}"]


def _eu_act_short(match: re.Match[str]) -> list[str]:
    kind = _ACT_TYPES[match.group("type").lower()]
    return [f"{kind} (EU) {match.group('a')}/{match.group('b')}"]


_EU_ARTICLE = re.compile(
    r"\bArt(?:icle|\.)?\s*(?P<number>\d{1,3}[a-z]?)(?P<pin>(?:\s?\(\w{1,4}\))*)"
    r"(?:\s+of)?(?:\s+the)?\s+(?P<act>GDPR|TFEU|TEU|Charter(?: of Fundamental Rights"
    r"(?: of the European Union)?)?|DSGVO|RGPD|AEUV|TFUE|EUV)\b",
    re.IGNORECASE,
)


def _eu_article(match: re.Match[str]) -> list[str]:
    act = named_act(match.group("act"))
    return [f"Article {match.group('number')} {act}"] if act else []


_OJ = re.compile(
    r"\bOJ\s+(?:(?P<year>\d{4})\s+(?P<series>[LC])\s+(?P<issue>\d{1,4})"
    r"|(?P<series2>[LC])\s+(?P<issue2>\d{1,4})\s*,\s*\d{1,2}\.\d{1,2}\.(?P<year2>\d{4}))"
    r"\s*,\s*p\.\s*(?P<page>\d+)",
)


def _oj(match: re.Match[str]) -> list[str]:
    year = match.group("year") or match.group("year2")
    series = match.group("series") or match.group("series2")
    issue = match.group("issue") or match.group("issue2")
    return [f"OJ {year} {series} {issue}, p. {match.group('page')}"]


# --- United States Code sections with letters, which eyecite's patterns miss -------------

_USC = re.compile(
    r"\b(?P<title>\d{1,2})\s+U\.\s?S\.\s?C\.(?:\s?A\.)?\s+§§?\s*(?P<section>\d+[a-z]+(?:-\d+[a-z]*)?)"
    r"(?![\w-])"
)


def _usc(match: re.Match[str]) -> list[str]:
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
    )
}
_UK_NEUTRAL = re.compile(
    r"\[(?P<year>\d{4})\]\s+(?P<court>UKSC|UKPC|UKHL|EWCA\s+Civ|EWCA\s+Crim|EWHC|UKUT|UKFTT"
    r"|EWFC|EWCOP|UKEAT|EAT|CSIH|CSOH|HCJAC|NICA|NIQB|NIKB|NICh|UKIPTrib|UKAIT)\s+"
    r"(?P<number>\d{1,5})(?:\s*\((?P<division>" + "|".join(_UK_DIVISIONS) + r")\))?",
    re.IGNORECASE,
)


def _uk_neutral(match: re.Match[str]) -> list[str]:
    court = _UK_COURTS[squash(match.group("court")).lower()]
    division = match.group("division")
    suffix = f" ({_UK_DIVISIONS[division.lower()]})" if division else ""
    return [f"[{match.group('year')}] {court} {int(match.group('number'))}{suffix}"]


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
    + r")\s+(?P<page>\d{1,5})\b",
    re.IGNORECASE,
)


def _uk_report(match: re.Match[str]) -> list[str]:
    reporter = _UK_REPORTERS[match.group("reporter").lower()]
    year = match.group("year")
    volume = f"{match.group('volume')} " if match.group("volume") else ""
    year_part = f"[{year}]" if match.group("open") == "[" else f"({year})"
    return [f"{year_part} {volume}{reporter} {match.group('page')}"]


_UK_ACT = re.compile(
    r"\b(?P<name>[A-Z][A-Za-z'-]+(?:\s+(?:[A-Z][A-Za-z'-]+|\([A-Z][A-Za-z ,'-]{2,60}\)|of|and"
    r"|for|on|in|to|the|&)){0,10})\s+Act\s+(?P<year>1[6-9]\d{2}|20\d{2})\b"
)
_LEADING_WORDS = re.compile(
    r"^(?:(?:The|the|This|That|In|Under|Of|By|See|And|Section|s|Nothing|Part|Schedule|Both"
    r"|Neither|As|It|Its|For|When|If|Since|Unlike|Like|Following|Pursuant|Whereas|But|So|Then"
    r"|Also|Although|While|Where|Once|Until|Before|After|Accordingly|Moreover|However)\s+)+"
)


_LEADING_LOWER = re.compile(r"^(?:[a-z&]+\s+)+")


def _uk_act(match: re.Match[str]) -> list[str]:
    name = squash(match.group("name"))
    while True:
        stripped = _LEADING_LOWER.sub("", _LEADING_WORDS.sub("", name))
        if stripped == name:
            break
        name = stripped
    if not name or not name[0].isupper() or name.startswith("Act "):
        return []
    return [f"{name} Act {match.group('year')}"]


# --- Civil-law statutes -----------------------------------------------------------------

_NUMBER_LIST = re.compile(r"\d+[a-z]?")

_DE_PIN = (
    r"(?:\s+(?:Abs\.|Absatz)\s*\d+[a-z]?(?:\s+(?:und|bis)\s+\d+[a-z]?)?)?"
    r"(?:\s+(?:S\.|Satz)\s*\d+)?(?:\s+(?:Nr\.|Nummer)\s*\d+[a-z]?)?"
    r"(?:\s+(?:lit\.|Buchst\.)\s*[a-z]\)?)?"
)
_DE_NUMBERS = r"\d{1,4}[a-z]?" + _DE_PIN + r"(?:\s*(?:,|und|bis)\s*\d{1,4}[a-z]?" + _DE_PIN + ")*"
_DE_PARAGRAPH = re.compile(
    r"§§?\s*(?P<numbers>" + _DE_NUMBERS + r")"
    r"\s+(?P<code>[A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,9}(?:\s+[IVX]{1,4}\b)?)",
)
_DE_ARTICLE = re.compile(r"\bArt\.\s*(?P<numbers>" + _DE_NUMBERS + r")\s+(?P<code>GG|EGBGB)\b")
_DE_PIN_PARTS = re.compile(
    r"(?:Abs\.|Absatz|S\.|Satz|Nr\.|Nummer|lit\.|Buchst\.)\s*\d*[a-z]?\)?"
    r"(?:\s+(?:und|bis)\s+\d+[a-z]?)?"
)


def _de_statute(match: re.Match[str]) -> list[str]:
    code = statute_code("de", match.group("code"))
    if code is None:
        return []
    numbers = _NUMBER_LIST.findall(_DE_PIN_PARTS.sub(" ", match.group("numbers")))
    mark = "Art." if match.group(0).startswith("Art") else "§"
    return [f"{mark} {number} {code}" for number in numbers]


_DE_GAZETTE = re.compile(
    r"\bBGBl\.\s*(?:(?P<year>\d{4})\s+)?(?P<part>III|II|I)\s+(?:S\.\s*(?P<page>\d+)"
    r"|Nr\.\s*(?P<number>\d+))"
)


def _de_gazette(match: re.Match[str]) -> list[str]:
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
        r"(?:,?\s+(?:alinéa|al\.)\s*\d+)?(?:\s+et\s+suivants)?,?\s+(?:(?:du|de la|de l'|des)\s*)?"
        r"(?P<code>" + codes + r")\b",
        re.IGNORECASE,
    )


_FR_NUMBER = re.compile(r"(?:([LRDA])\.?\s?\*?)?(\d{1,4}(?:-\d{1,4})*)")


def _fr_article(match: re.Match[str]) -> list[str]:
    code = statute_code("fr", match.group("code"))
    if code is None:
        return []
    numbers = [f"{prefix}{number}" for prefix, number in _FR_NUMBER.findall(match.group("numbers"))]
    return [f"article {number} {code}" for number in numbers]


_FR_TEXT = re.compile(
    r"\b(?P<type>loi|décret|ordonnance)\s+(?:organique\s+)?n[°o]\s*(?P<number>\d{2,4}-\d{1,5})"
    r"(?:\s+du\s+\d{1,2}(?:er)?\s+[a-zéû]+\s+\d{4})?",
    re.IGNORECASE,
)


def _fr_text(match: re.Match[str]) -> list[str]:
    return [f"{match.group('type').lower()} n° {match.group('number')}"]


_NL_ARTICLE = re.compile(
    r"\b[Aa]rt(?:ikel|\.)\s+(?P<number>\d{1,4}[a-z]?(?::\d{1,4}[a-z]?)?)"
    r"(?:,?\s+(?:lid|leden)\s+\d+)?(?:,?\s+(?:letter|onderdeel|sub)\s+\w)?,?\s+"
    r"(?:van\s+(?:de|het)\s+)?(?P<act>Wet\s+(?:op|inzake|van|tot|betreffende)\s+de\s+"
    r"[a-z]+(?:\s+\d{4})?|Wet\s+[a-z]+(?:\s+\d{4})?|Zesde Richtlijn|Burgerlijk Wetboek|BW|Sr|Sv"
    r"|Rv|Awb|AWR|Grondwet|Wetboek van (?:Strafrecht|Strafvordering|Burgerlijke Rechtsvordering)"
    r"|Algemene wet inzake rijksbelastingen|Algemene wet bestuursrecht)\b",
)


def _nl_article(match: re.Match[str]) -> list[str]:
    act = statute_code("nl", squash(match.group("act"))) or squash(match.group("act"))
    return [f"artikel {match.group('number')} {act}"]


@cache
def families() -> tuple[Family, ...]:
    """All families; built on first use because the French one reads the code table."""
    return (
        Family("ecli", _ECLI, _ecli),
        Family("ecli", _ECLI_BARE_EU, _ecli_bare),
        Family("eu_case", _EU_CASE, _eu_case),
        Family("celex", _CELEX, _celex),
        Family("eu_legislation", _EU_ACT_NEW, _eu_act_new),
        Family("eu_legislation", _EU_ACT_OLD, _eu_act_old),
        Family("eu_legislation", _EU_ACT_SHORT, _eu_act_short),
        Family("eu_article", _EU_ARTICLE, _eu_article),
        Family("eu_oj", _OJ, _oj),
        Family("us_statute", _USC, _usc),
        Family("uk_neutral", _UK_NEUTRAL, _uk_neutral),
        Family("uk_report", _UK_REPORT, _uk_report),
        Family("uk_statute", _UK_ACT, _uk_act),
        Family("de_statute", _DE_PARAGRAPH, _de_statute),
        Family("de_statute", _DE_ARTICLE, _de_statute),
        Family("de_gazette", _DE_GAZETTE, _de_gazette),
        Family("fr_statute", _fr_article_pattern(), _fr_article),
        Family("fr_statute", _FR_TEXT, _fr_text),
        Family("nl_statute", _NL_ARTICLE, _nl_article),
    )


def find_pattern_citations(text: str) -> Iterator[Found]:
    """Every match of every family, in family order (overlaps are settled by the caller)."""
    for family in families():
        for match in family.pattern.finditer(text):
            for normalized in family.normalize(match):
                yield Found(
                    raw=squash(match.group(0)),
                    normalized=normalized,
                    kind=family.kind,
                    start=match.start(),
                    end=match.end(),
                )

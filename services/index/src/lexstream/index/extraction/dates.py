"""Decision date: a date introduced by a decision word wins; otherwise the first plausible
date in the header, skipping dates of hearings, arguments, lower-court decisions and
receipt. All-numeric dates are read day-first unless the document is a US one.

Structured metadata beats body text: a date the caller read from the document's own
metadata (LegalDocML FRBRdate, rechtspraak dcterms:date, PDF metadata) is passed in as
``known``; an e-mail's own ``Date:`` header at the head of the text is read here."""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate_to_datetime

_MONTHS = {
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # fr
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6,
    "juli": 7, "oktober": 10, "dezember": 12,
    # nl
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # it
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    # pt
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

# The day may follow letters that DOCX runs glue to it ('JUDGMENT GIVEN ON10 November 2021').
# Ordinals: '1st', '1er' (fr), '1.º' / '1º' / '1°' (es, pt, it); 'de'/'del' (es, pt, it).
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\d.,/-])(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.?\s?[º°ª]|\.)?\s+(?:day\s+of\s+|de\s+)?(?P<month>"
    + _MONTH_NAMES
    + r")\.?,?\s+(?:de\s+|del\s+)?(?P<year>(?:1[89]|20)\d{2})(?!\d)",
    re.IGNORECASE,
)
# Month-first spelled dates ('March 5, 2015') are an English form: English names only.
_ENGLISH_MONTH_NAMES = "|".join(
    sorted(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
        ],
        key=len,
        reverse=True,
    )
)
_MONTH_DAY_YEAR = re.compile(
    r"\b(?=[A-Za-z])(?P<month>"
    + _ENGLISH_MONTH_NAMES
    + r")\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:1[89]|20)\d{2})(?!\d)",
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>(?:1[89]|20)?\d{2})"
    r"(?![\d/.-]|\d)"
)
# ISO dates followed by a time are metadata time stamps, not decision dates.
_ISO = re.compile(r"(?<![\d-])(?P<year>(?:1[89]|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?![\dT])")

# The words that introduce a decision's own date, per language (the date follows them).
_DECISION_WORDS = re.compile(
    r"(?:decided|decision date|date of (?:judgment|decision)|judgment date|dated?\s*:|date"
    r"|filed|entered"
    r"|delivered|handed down|promulgated|judgment of|order of|opinion of|jugement du"
    r"|judgment given on|given on|judgment handed down on|date of hearing and judgment"
    r"|arrêt du|audience publique du|décision du|ordonnance du|urteil vom|beschluss vom|vom"
    r"|datum|uitspraak(?:\s+van)?|arrest van|beschikking van|geschreven|gewezen|verkündet am"
    r"|lecture du|sentencia(?:\s+n[.º°]?\s*\d+/\d{4},?)?\s+de|auto\s+de|fecha"
    r"|sentenza(?:\s+n\.\s*\d+/\d{4},?)?\s+del|ordinanza\s+del|depositata\s+il"
    r"|pubblicata\s+il|data\s+della\s+decisione|data\s*:"
    r"|acórdão\s+(?:de|do)|ac[oó]rd[aã]o\s+de|data\s+do\s+ac[oó]rd[aã]o)"
    r"\s*(?:and filed)?\s*[:.,]?\s*"
    r"(?:\w+day,?\s+|[A-Z][a-z]{2},\s+|du\s+\w+\s+|le\s+|el\s+|il\s+)?$",
    re.IGNORECASE,
)
_NOT_DECISION = re.compile(
    r"(?:argued|heard|hearing(?: dates?)?|submitted|received|lodged|born|archive date|"
    r"effective|term|loan|since|until|entered on|rendu le|rendered|lower court|arrêt rendu le"
    r"|made by decision of|by decision of|before|par|sent|verhandlung vom|séance du"
    r"|against\s+(?:his|her|the|its|that|an?)\s+(?:order|decision|judgment|ruling)(?:\s+of)?)"
    r"\s*(?:on)?\s*[:.,]?\s*(?:\w+day,?\s+)?$",
    re.IGNORECASE,
)

HEADER_DATE_CHARS = 4_000
# A docket sheet's row of the decision: '02/29/2024 Memorandum opinion issued'.
_DECISION_EVENT = re.compile(
    r"[\d/.-]{6,10}\s+(?:Memorandum\s+opinion|Opinion\s+(?:issued|filed)|Judgment\s+(?:entered"
    r"|issued)|Per\s+curiam\s+opinion)\b",
    re.IGNORECASE,
)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value if 1800 <= value.year <= 2100 else None


def _all_dates(text: str, us_order: bool) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    for match in _DAY_MONTH_YEAR.finditer(text):
        value = _make(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))
        if value:
            found.append((match.start(), value))
    for match in _MONTH_DAY_YEAR.finditer(text):
        value = _make(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))
        if value:
            found.append((match.start(), value))
    for match in _ISO.finditer(text):
        value = _make(int(match["year"]), int(match["month"]), int(match["day"]))
        if value:
            found.append((match.start(), value))
    for match in _NUMERIC.finditer(text):
        year = int(match["year"])
        year = year + 2000 if year < 50 else year + 1900 if year < 100 else year
        first, second = int(match["a"]), int(match["b"])
        month, day = (first, second) if us_order else (second, first)
        # '13/03/2017' in a US text, or '03/13/2017' elsewhere, can be read only one way.
        value = _make(year, month, day) or _make(year, day, month)
        if value:
            found.append((match.start(), value))
    return sorted(found, key=lambda item: item[0])


# An e-mail's own header block, as the ocr service writes it ('From: ...' to 'Subject: ...').
_MAIL_DATE = re.compile(
    r"\A\s*(?:(?:From|To|Cc|Subject|Sent):[^\n]*\n){0,8}?Date:\s*(?P<value>[^\n]+)"
)
# Month-first spelled dates ('March 5, 2015') against day-first ones ('5 March 2015').
_US_ECF = re.compile(r"^\s*Case\s+\d:\d{2}-[a-z]{2,4}-\d{3,5}\b.*\bFiled\s+\d", re.MULTILINE)


def mail_date(header: str) -> date | None:
    """The ``Date:`` of an e-mail's own header block at the head of the text."""
    match = _MAIL_DATE.match(header[:2_000])
    if not match:
        return None
    value = match["value"].strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    found = _all_dates(value, us_order=False)
    return found[0][1] if found else None


def month_first(header: str, jurisdiction: str | None) -> bool:
    """Whether all-numeric dates read month-first: only in a US document. A known
    jurisdiction decides; an unknown one is day-first unless the text is clearly US (a
    CM/ECF stamp, or month-first spelled dates outnumbering day-first ones)."""
    if jurisdiction is not None:
        return jurisdiction == "US" or jurisdiction.startswith("US/")
    text = header[:HEADER_DATE_CHARS]
    if _US_ECF.search(text):
        return True
    us = sum(1 for _ in _MONTH_DAY_YEAR.finditer(text))
    other = sum(1 for _ in _DAY_MONTH_YEAR.finditer(text))
    return us > other


def find_decision_date(
    header: str,
    *,
    us_order: bool,
    court: str | None = None,
    year: int | None = None,
    known: date | None = None,
) -> date | None:
    """``court``: a date right after the court's name ('Hoge Raad, 16-12-1992') is the
    decision's; ``year``: the year of the document's own ECLI or neutral citation, which
    the decision date must have; ``known``: a date from the document's structured
    metadata, which wins (as does an e-mail's own Date header)."""
    if known is not None:
        return known
    mailed = mail_date(header)
    if mailed is not None:
        return mailed
    text = header[:HEADER_DATE_CHARS]
    candidates = _all_dates(text, us_order)
    court_key = court.lower() if court else None
    # The year of the own citation is a strong hint, not a rule: a tribunal's reported
    # decision may be cited by the year it was reported in.
    if year is not None:
        dated = _pick(text, [c for c in candidates if c[1].year == year], court_key)
        if dated is not None:
            return dated
    return _pick(text, candidates, court_key)


def _pick(text: str, candidates: list[tuple[int, date]], court_key: str | None) -> date | None:
    for start, value in candidates:
        if _DECISION_EVENT.match(text, start):
            return value
    fallback: date | None = None
    for start, value in candidates:
        before = text[max(0, start - 40) : start]
        if _NOT_DECISION.search(before):
            continue
        if _DECISION_WORDS.search(before) or (court_key and court_key in before.lower()):
            return value
        if fallback is None:
            fallback = value
    return fallback

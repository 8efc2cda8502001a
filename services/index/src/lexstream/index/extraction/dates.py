"""Decision date: a date introduced by a decision word wins; otherwise the first plausible
date in the header, skipping dates of hearings, arguments, lower-court decisions and
receipt. All-numeric dates are read day-first unless the document is a US one."""

from __future__ import annotations

import re
from datetime import date

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
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:day\s+of\s+)?(?P<month>"
    + _MONTH_NAMES
    + r")\.?,?\s+(?P<year>(?:1[89]|20)\d{2})\b",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    r"\b(?P<month>" + _MONTH_NAMES + r")\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:1[89]|20)\d{2})\b",
    re.IGNORECASE,
)
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>(?:1[89]|20)?\d{2})"
    r"(?![\d/.-]|\d)"
)
# ISO dates followed by a time are metadata time stamps, not decision dates.
_ISO = re.compile(r"(?<![\d-])(?P<year>(?:1[89]|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?![\dT])")

_DECISION_WORDS = re.compile(
    r"(?:decided|decision date|date of (?:judgment|decision)|judgment date|dated?\s*:|date"
    r"|filed|entered"
    r"|delivered|handed down|promulgated|judgment of|order of|opinion of|jugement du"
    r"|arrêt du|audience publique du|décision du|urteil vom|beschluss vom|vom|datum"
    r"|uitspraak|arrest van|geschreven|gewezen|verkündet am|lecture du)"
    r"\s*(?:and filed)?\s*[:.,]?\s*"
    r"(?:\w+day,?\s+|[A-Z][a-z]{2},\s+|du\s+\w+\s+|le\s+)?$",
    re.IGNORECASE,
)
_NOT_DECISION = re.compile(
    r"(?:argued|heard|hearing(?: dates?)?|submitted|received|lodged|born|archive date|"
    r"effective|term|loan|since|until|entered on|rendu le|rendered|lower court|arrêt rendu le"
    r"|made by decision of|by decision of|before|par|sent|verhandlung vom|séance du)"
    r"\s*(?:on)?\s*[:.,]?\s*$",
    re.IGNORECASE,
)

HEADER_DATE_CHARS = 4_000


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
        value = _make(year, month, day)
        if value:
            found.append((match.start(), value))
    return sorted(found, key=lambda item: item[0])


def find_decision_date(
    header: str, *, us_order: bool, court: str | None = None, year: int | None = None
) -> date | None:
    """``court``: a date right after the court's name ('Hoge Raad, 16-12-1992') is the
    decision's; ``year``: the year of the document's own ECLI or neutral citation, which
    the decision date must have."""
    text = header[:HEADER_DATE_CHARS]
    candidates = _all_dates(text, us_order)
    fallback: date | None = None
    court_key = court.lower() if court else None
    for start, value in candidates:
        if year is not None and value.year != year:
            continue
        before = text[max(0, start - 40) : start]
        if _NOT_DECISION.search(before):
            continue
        if _DECISION_WORDS.search(before) or (court_key and court_key in before.lower()):
            return value
        if fallback is None:
            fallback = value
    return fallback

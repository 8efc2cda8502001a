"""The document's own date from its structured metadata, for ``TextDocument.metadata_date``.

Only dates a format defines as the document's date are read; the index prefers them to any
date found in the text.

- LegalDocML / Akoma Ntoso (OASIS; used by The National Archives, the EU's AKN4EU, many
  parliaments): the ``FRBRdate`` of the ``FRBRWork`` (the work's date: the judgment's or the
  act's), never the expression's or manifestation's (``name="transform"`` is when the file
  was made).
- ECLI metadata (Council conclusions on the ECLI, OJ C 127, 29.4.2011, used by the national
  case-law portals such as rechtspraak.nl): ``dcterms:date`` is the decision date;
  ``dcterms:issued`` is the publication date and ``dcterms:modified`` the last edit, so
  neither is read.
- E-mail: the ``Date`` header (RFC 5322), the day in the sender's own offset.

PDF metadata is not read: ``CreationDate`` and ``ModDate`` say when software wrote the file
(a scanner, a print-to-PDF, a re-save), not when the court decided.

Bounded: the XML readers look at the first ``XML_HEAD_CHARS`` characters only, where both
schemes put their metadata, with regexes compiled once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

XML_HEAD_CHARS = 262_144
_EARLIEST_YEAR = 1800  # older 'dates' are placeholders, not decisions

_ISO_DAY = r"(\d{4}-\d{2}-\d{2})"
_FRBR_WORK_OPEN = re.compile(r"<(?:[\w.-]+:)?FRBRWork\b")
_FRBR_WORK_CLOSE = re.compile(r"</(?:[\w.-]+:)?FRBRWork\s*>")
_FRBR_DATE = re.compile(r"<(?:[\w.-]+:)?FRBRdate\b[^>]{0,500}?\sdate\s*=\s*[\"']\s*" + _ISO_DAY)
_DC_TERMS_PREFIX = re.compile(r"\sxmlns(?::([\w.-]+))?\s*=\s*[\"']http://purl\.org/dc/terms/?[\"']")


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if found.year < _EARLIEST_YEAR or found.year > date.today().year + 1:
        return None
    return found


def _iso(value: str) -> date | None:
    year, month, day = value.split("-")
    return _valid(int(year), int(month), int(day))


def looks_like_xml(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] == "<"


def xml_metadata_date(text: str) -> date | None:
    """The work date of an Akoma Ntoso document, else the ECLI ``dcterms:date``; None when
    neither is there (or the value is no real date)."""
    head = text[:XML_HEAD_CHARS]
    opened = _FRBR_WORK_OPEN.search(head)
    if opened is not None:
        closed = _FRBR_WORK_CLOSE.search(head, opened.end())
        work = head[opened.end() : closed.start() if closed is not None else len(head)]
        found = _FRBR_DATE.search(work)
        if found is not None:
            return _iso(found.group(1))
    for prefix in dict.fromkeys(m.group(1) for m in _DC_TERMS_PREFIX.finditer(head)):
        name = f"{re.escape(prefix)}:date" if prefix else "date"
        found = re.search(rf"<{name}(?:\s[^>]{{0,500}})?>\s*{_ISO_DAY}", head)
        if found is not None:
            return _iso(found.group(1))
    return None


def mail_header_date(value: object) -> date | None:
    """The day of an e-mail's ``Date`` header (a string or, from Outlook, a datetime)."""
    if isinstance(value, datetime):
        moment = value
    else:
        raw = str(value or "").strip()
        if not raw:
            return None
        try:
            moment = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
    return _valid(moment.year, moment.month, moment.day)

"""Fielded search syntax in ``q``: ``court:``, ``judge:``, ``party:``, ``cites:``,
``jurisdiction:``, ``type:``, ``date:``, ``identifier:``, ``language:``.

A fielded term is ``name:value``, ``name:"a quoted value"`` or, for ``date:``, a year, month
or day (``date:2019``, ``date:2019-05``, ``date:2019-05-03``) or an inclusive range
(``date:[2019 TO 2021]``, ``date:[2019-01-01 TO *]``). A leading ``-`` (or ``NOT``) excludes
what the term names. Fielded terms are taken out of ``q``; what is left is the free text.
The search module turns each term into the same filter as the request parameter of that
name. A ``q`` the syntax cannot read (an unknown field, a bad date, an unbalanced quote)
raises :class:`lexstream.gateway.search.BadSearch`'s base, ``ValueError``, through the
``error`` callable the caller passes, so the message reaches the caller as a 400.

Identifiers that contain colons (``ECLI:EU:C:2014:317``, ``celex:62021CJ0129``,
``https://...``) are not fielded terms: a name of an identifier scheme, or a value with a
colon of its own, stays in the free text.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

#: the fields ``q`` may name, and what each means (for the error message)
FIELDS: dict[str, str] = {
    "court": "court name or id",
    "judge": "judge's name",
    "party": "party's name",
    "cites": "a citation the document cites",
    "jurisdiction": "jurisdiction path (EU, UK/EW, US/FED)",
    "type": "document type (judgment, statute, ...)",
    "date": "decision date: 2019, 2019-05-03 or [2019 TO 2021]",
    "identifier": "one of the document's identifiers",
    "language": "document language (en, de, fr, ...)",
}

#: names before a colon that begin an identifier or an address, never a field
IDENTIFIER_SCHEMES = frozenset(
    {"ecli", "celex", "eli", "urn", "eu", "oj", "doi", "http", "https", "ftp", "mailto", "file"}
)

_FIELD = re.compile(r"(?P<sign>[+-]?)(?P<name>[A-Za-z][A-Za-z_]*):(?=\S)")
_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_RANGE = re.compile(r"\[\s*(\S+)\s+(?:TO|to)\s+(\S+)\s*\]")
_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "+", "|", "-", "&&", "||"})
_STRICT = re.compile(r'"|\||\(|\)|(?:^|\s)[+-]|(?:^|\s)(?:AND|OR|NOT)(?=\s|$)')
MAX_VALUE_CHARS = 300


@dataclass(frozen=True)
class FieldTerm:
    """One ``name:value`` of ``q``; ``start``/``end`` bound a ``date:`` (inclusive, None open)."""

    field: str
    value: str
    negated: bool = False
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # the free text: q without its fielded terms
    terms: tuple[FieldTerm, ...]

    @property
    def strict(self) -> bool:
        """The free text uses operators (quotes, ``+``, ``-``, ``|``, parentheses, AND/OR/NOT):
        every term is then required unless an operator says otherwise."""
        return bool(_STRICT.search(self.text))


def _unescaped_quote(q: str, start: int) -> int:
    i = start
    while i < len(q):
        if q[i] == "\\":
            i += 2
            continue
        if q[i] == '"':
            return i
        i += 1
    return -1


def _bound(text: str, error: Callable[[str], Exception], end: bool) -> date | None:
    if text == "*":
        return None
    match = _DAY.fullmatch(text)
    if not match:
        raise error(
            f"date: {text!r} is not a year, month or day (2019, 2019-05, 2019-05-03) or '*'"
        )
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        m = int(month)
        if day is None:
            return date(year, m, calendar.monthrange(year, m)[1] if end else 1)
        return date(year, m, int(day))
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise error(f"date: {text!r} is not a real date") from exc


def _date_term(value: str, negated: bool, error: Callable[[str], Exception]) -> FieldTerm:
    match = _RANGE.fullmatch(value)
    if match:
        start, end = _bound(match[1], error, end=False), _bound(match[2], error, end=True)
        if start and end and start > end:
            raise error(f"date: the range {value!r} starts after it ends")
    elif value.startswith("["):
        raise error(f"date: {value!r} is not a range like [2019 TO 2021]")
    else:
        start, end = _bound(value, error, end=False), _bound(value, error, end=True)
        if start is None and end is None:
            raise error("date: '*' alone is no date; use a range like [2019 TO *]")
    return FieldTerm("date", value, negated, start, end)


def _tidy(pieces: list[str]) -> str:
    """The free text, without operators left dangling where a fielded term was taken out."""
    words = " ".join(pieces).split()
    out: list[str] = []
    for word in words:
        if word in _OPERATOR_WORDS and (not out or out[-1] in _OPERATOR_WORDS):
            continue
        out.append(word)
    while out and out[-1] in _OPERATOR_WORDS:
        out.pop()
    return " ".join(out)


def parse_query(q: str, error: Callable[[str], Exception] = ValueError) -> ParsedQuery:
    """The fielded terms and the free text of ``q``; ``error(message)`` for what is wrong."""
    free: list[str] = []
    terms: list[FieldTerm] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace():
            free.append(q[i])
            i += 1
            continue
        at_start = i == 0 or q[i - 1].isspace() or q[i - 1] == "("
        match = _FIELD.match(q, i) if at_start else None
        name = match["name"].casefold() if match else ""
        if match and name in FIELDS:
            j = match.end()
            if q[j] == '"':
                close = _unescaped_quote(q, j + 1)
                if close < 0:
                    raise error(f'{name}: the quoted value has no closing quote (")')
                value, i = q[j + 1 : close].replace('\\"', '"').strip(), close + 1
            elif q[j] == "[":
                close = q.find("]", j)
                if close < 0:
                    raise error(f"{name}: the range {q[j:]!r} has no closing ']'")
                value, i = q[j : close + 1], close + 1
            else:
                stop = j
                while stop < n and not q[stop].isspace() and q[stop] != ")":
                    stop += 1
                value, i = q[j:stop], stop
            if not value:
                raise error(f"{name}: needs a value")
            if len(value) > MAX_VALUE_CHARS:
                raise error(f"{name}: the value is longer than {MAX_VALUE_CHARS} characters")
            negated = match["sign"] == "-" or (bool(free) and _last_word(free) == "NOT")
            if negated and _last_word(free) == "NOT":
                _drop_last_word(free)
            if name == "date":
                terms.append(_date_term(value, negated, error))
            else:
                terms.append(FieldTerm(name, value, negated))
            continue
        if match and name not in IDENTIFIER_SCHEMES:
            rest = q[match.end() :].split(None, 1)[0]
            if ":" not in rest and not rest.startswith("/"):
                known = ", ".join(f"{f}:" for f in FIELDS)
                raise error(f"q names an unknown field {match['name']!r}:; known fields: {known}")
        # a word of free text (or a quoted phrase, kept whole)
        if q[i] == '"':
            close = _unescaped_quote(q, i + 1)
            if close < 0:
                raise error('q has an unbalanced quote (")')
            free.append(q[i : close + 1])
            i = close + 1
            continue
        start = i
        while i < n and not q[i].isspace() and q[i] != '"':
            i += 2 if q[i] == "\\" else 1
        free.append(q[start:i])
    return ParsedQuery(_tidy(free), tuple(terms))


def operator_words(q: str) -> str:
    """The words AND, OR, NOT as simple_query_string's ``+``, ``|``, ``-`` (as the search
    route does; a ``q`` already in operators is returned as it is)."""
    words: list[str] = []
    pending_not = False
    for word in q.split(" "):
        if word == "AND":
            words.append("+")
        elif word == "OR":
            words.append("|")
        elif word == "NOT":
            pending_not = True
        elif pending_not and word:
            words.append("-" + word)
            pending_not = False
        else:
            words.append(word)
    return " ".join(words)


def _last_word(pieces: list[str]) -> str:
    for piece in reversed(pieces):
        if piece.strip():
            return piece.strip()
    return ""


def _drop_last_word(pieces: list[str]) -> None:
    for k in range(len(pieces) - 1, -1, -1):
        if pieces[k].strip():
            del pieces[k]
            return

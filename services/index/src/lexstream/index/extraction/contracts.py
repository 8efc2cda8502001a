"""A contract's structure: numbered clauses with headings and categories, defined terms with
their definitions and later uses, parties and roles, effective date, term, governing law
and forum. Pure functions over text, rules only.

Clause styles read: '1. DEFINITIONS' / '1.1 ...' (US and UK), 'ARTICLE IV' + heading line /
'Section 4.01 Term.' (US), '§ 5 Kündigung' / '(1) ...' (German), 'Article 7 – Confidentialité'
/ '7.1' (French), 'Artikel 5 Duur' (Dutch), 'PRIMERA.- Objeto' / 'Cláusula 1. Objeto'
(Spanish). The style with the most headed top-level clauses wins, so a numbered list of
parties ('1. Polder Digitaal B.V., ...') does not pass for clauses; top-level numbers must
rise. Clause categories (lexstream/index/data/contract_clauses.json, anchored on CUAD) are
read from headings first; the body of a clause is read only under a generic heading
('Miscellaneous', 'Schlussbestimmungen') or none, which keeps a definitions clause that
mentions 'Confidential Information' from passing for a confidentiality clause.

Measured by bench/research/contract_eval.py on tests/fixtures/contracts (labels.json).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lexstream.index.extraction.dates import _all_dates
from lexstream.index.extraction.tables import us_state_codes

# --- the contract model -----------------------------------------------------------------------


class Clause(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="'5', '5.2', '5(1)': the number as the contract writes it.")
    number: str = Field(description="The number as printed: '5.2', '§ 5', 'ARTICLE IV'.")
    heading: str | None = Field(default=None, description="'Kündigung', 'Governing Law'.")
    level: int = Field(ge=1, description="1 for a top-level clause.")
    parent: str | None = Field(default=None, description="The enclosing clause's id.")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    categories: list[str] = Field(default_factory=list, description="See CATEGORIES.")


class DefinedTerm(BaseModel):
    model_config = ConfigDict(frozen=True)

    term: str
    definition: str = Field(description="The defining words ('means ...') or the party named.")
    start: int = Field(ge=0, description="Offset of the term where it is defined.")
    end: int = Field(ge=0)
    uses: list[int] = Field(default_factory=list, description="Offsets of later uses.")


class ContractParty(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    role_text: str = Field(description="The defined term naming the party: 'Licensor'.")
    role: str | None = Field(default=None, description="Normalised role: licensor, customer ...")
    start: int = Field(ge=0)


class ContractStructure(BaseModel):
    model_config = ConfigDict(frozen=True)

    clauses: list[Clause] = Field(default_factory=list)
    defined_terms: list[DefinedTerm] = Field(default_factory=list)
    parties: list[ContractParty] = Field(default_factory=list)
    agreement_date: date | None = Field(default=None, description="The date it is dated.")
    effective_date: date | None = None
    term_text: str | None = Field(default=None, description="'three (3) years'.")
    term_months: int | None = None
    indefinite: bool = Field(default=False, description="Concluded for an indefinite period.")
    renews: bool = Field(default=False, description="Renews automatically.")
    governing_law: str | None = Field(
        default=None, description="Jurisdiction path: UK/EW, US/STATE/NY, EU/DE ..."
    )
    governing_law_text: str | None = None
    forum_kind: str | None = Field(default=None, description="court or arbitration.")
    forum_place: str | None = Field(default=None, description="'England and Wales', 'München'.")
    forum_exclusive: bool = False
    forum_text: str | None = None


# --- tables -----------------------------------------------------------------------------------


@cache
def _table() -> dict[str, Any]:
    raw = resources.files("lexstream.index.data").joinpath("contract_clauses.json")
    loaded: dict[str, Any] = json.loads(raw.read_text(encoding="utf-8"))
    return loaded


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    heading: re.Pattern[str]
    body: re.Pattern[str]
    cuad: tuple[str, ...]


@cache
def categories() -> tuple[Category, ...]:
    return tuple(
        Category(
            name,
            re.compile(entry["heading"], re.IGNORECASE),
            re.compile(entry["body"], re.IGNORECASE),
            tuple(entry["cuad"]),
        )
        for name, entry in _table()["categories"].items()
    )


def _category(name: str) -> Category:
    return next(category for category in categories() if category.name == name)


CATEGORIES = (
    "governing_law",
    "forum",
    "term",
    "termination",
    "confidentiality",
    "limitation_of_liability",
    "assignment",
    "data_protection",
    "audit_rights",
    "insurance",
    "non_compete",
)


@cache
def _generic_heading() -> re.Pattern[str]:
    return re.compile(_table()["generic_headings"], re.IGNORECASE)


@cache
def _definition_heading() -> re.Pattern[str]:
    return re.compile(_table()["definition_headings"], re.IGNORECASE)


@cache
def _roles() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (role, re.compile(rf"^(?:{words})$", re.IGNORECASE))
        for role, words in _table()["roles"].items()
    )


# --- clauses ----------------------------------------------------------------------------------

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ORDINAL_WORDS = (
    "primera segunda tercera cuarta quinta sexta séptima octava novena décima "
    "undécima duodécima decimotercera decimocuarta decimoquinta"
)
_ORDINALS = {word: index for index, word in enumerate(_ORDINAL_WORDS.split(), start=1)}

# 'ARTICLE IV', 'Article 7 – Confidentialité', 'Artikel 5 Duur', 'Artículo 3.'
_ARTICLE = re.compile(
    r"(?P<label>(?:ARTICLE|Article|ARTIKEL|Artikel|Art[ií]culo|ART[IÍ]CULO)\s+"
    r"(?P<num>\d{1,3}|[IVXLC]{1,6}))\b\.?\s*(?:[-–—:.]\s*)?(?P<rest>.*)"
)
# '§ 5 Kündigung', '§ 12a Haftung'
_PARAGRAPH = re.compile(r"(?P<label>§\s*(?P<num>\d{1,3}[a-z]?))\s*(?:[-–—:.]\s*)?(?P<rest>.*)")
# 'Section 4.01 Term.', 'Clause 5 Termination', 'Cláusula 1. Objeto'
_SECTION = re.compile(
    r"(?P<label>(?:Section|SECTION|Clause|CLAUSE|Cl[aá]usula|CL[AÁ]USULA)\s+"
    r"(?P<num>\d{1,3}(?:\.\d{1,3})*))\.?\s*(?:[-–—:]\s*)?(?P<rest>.*)"
)
# 'PRIMERA.- Objeto', 'CLÁUSULA SEGUNDA: Duración'
_ORDINAL = re.compile(
    r"(?P<label>(?:CL[AÁ]USULA\s+|Cl[aá]usula\s+)?(?P<ord>" + "|".join(_ORDINALS) + r"))"
    r"\s*[.\-:–—]+\s*(?P<rest>.*)",
    re.IGNORECASE,
)
# '1. DEFINITIONS', '1.1 "Services" means', '12.2 Subject to ...'
_BARE = re.compile(r"(?P<label>(?P<num>\d{1,3}(?:\.\d{1,3})*)\.?)\s+(?P<rest>\S.*)")
# '(1) Der Auftragnehmer ...' below a § or an article
_SUBPARAGRAPH = re.compile(r"\((?P<num>\d{1,2})\)\s+(?P<rest>\S.*)")
# 'Term. This Agreement ...': a short heading, then the clause text on the same line
_INLINE_HEADING = re.compile(r"(?P<heading>[A-ZÀ-Ý][^.:;,()\"“„«]{1,60}?)[.:]\s+(?=\S)")
_HEADING_WORDS = 8
_HEADING_CHARS = 80


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> Iterator[_Line]:
    offset = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.rstrip("\r\n")
        lead = len(stripped) - len(stripped.lstrip())
        yield _Line(offset + lead, offset + len(stripped), stripped.strip())
        offset += len(raw)


@dataclass(slots=True)
class _Candidate:
    style: str
    number: str  # '4', '4.01', '5(1)'
    label: str
    rest: str
    line: int
    start: int


def _roman(value: str) -> int:
    total = 0
    for char, following in zip(value, [*value[1:], ""], strict=True):
        amount = _ROMAN[char]
        total += -amount if following and _ROMAN[following] > amount else amount
    return total


def _candidates(lines: list[_Line]) -> list[_Candidate]:
    found = []
    for index, line in enumerate(lines):
        text = line.text
        for style, pattern in (
            ("article", _ARTICLE),
            ("paragraph", _PARAGRAPH),
            ("section", _SECTION),
            ("ordinal", _ORDINAL),
            ("bare", _BARE),
            ("sub", _SUBPARAGRAPH),
        ):
            match = pattern.fullmatch(text)
            if match is None:
                continue
            if style == "ordinal":
                number = str(_ORDINALS[match["ord"].lower()])
            elif style == "article" and match["num"].isalpha():
                number = str(_roman(match["num"]))
            else:
                number = match["num"]
            label = match["label"] if "label" in match.groupdict() else f"({number})"
            found.append(_Candidate(style, number, label, match["rest"], index, line.start))
            break
    return found


def _heading(candidate: _Candidate, lines: list[_Line]) -> tuple[str | None, bool]:
    """The clause heading and whether it fills its own line (else it leads the text)."""
    rest = candidate.rest.strip().strip("-–—:").strip()
    if not rest:
        following = lines[candidate.line + 1].text if candidate.line + 1 < len(lines) else ""
        if following and len(following) <= _HEADING_CHARS and not following.endswith("."):
            return following, True
        return None, True
    if (
        len(rest) <= _HEADING_CHARS
        and not rest.endswith((".", ";", ","))
        and rest[:1] not in "\"“„«'"
        and len(rest.split()) <= _HEADING_WORDS
    ):
        return rest, True
    inline = _INLINE_HEADING.match(rest)
    if inline and len(inline["heading"].split()) <= 6 and rest[:1] not in "\"“„«'":
        return inline["heading"].strip(), False
    return None, False


def _top_style(candidates: list[_Candidate], lines: list[_Line]) -> str | None:
    """The style of the top-level clauses: the one with most rising, headed numbers."""
    best, best_count = None, 0
    for style in ("article", "paragraph", "section", "ordinal", "bare"):
        count, last = 0, 0
        for candidate in candidates:
            if candidate.style != style or "." in candidate.number:
                continue
            number = int(re.match(r"\d+", candidate.number)[0])  # type: ignore[index]
            rises = last < number <= last + MAX_NUMBER_STEP or (last == 0 and style != "bare")
            if rises and _heading(candidate, lines)[0]:
                count += 1
                last = number
        if count > best_count:
            best, best_count = style, count
    return best


def find_clauses(text: str) -> list[Clause]:
    """The numbered clauses of a contract, top-level and below, in text order."""
    lines = list(_lines(text))
    candidates = _candidates(lines)
    style = _top_style(candidates, lines)
    if style is None:
        return []
    picked: list[tuple[_Candidate, str, str | None, int]] = []  # candidate, id, parent, level
    top: str | None = None
    last_top = 0
    last_sub: dict[str, int] = {}
    for candidate in candidates:
        number = candidate.number
        dotted = "." in number
        if candidate.style == style and not dotted:
            if top is None and _heading(candidate, lines)[0] is None:
                continue  # before the first headed clause: a numbered list of parties
            value = int(re.match(r"\d+", number)[0])  # type: ignore[index]
            # an excerpt may begin at 'Article 7'; a bare '10 ...' first is an address
            first = last_top == 0 and style != "bare"
            if not (first or last_top < value <= last_top + MAX_NUMBER_STEP):
                continue
            last_top, top = value, number
            picked.append((candidate, number, None, 1))
        elif top is not None and (dotted or candidate.style == "sub"):
            head, _, tail = number.partition(".")
            if candidate.style == "sub":
                clause_id, order = f"{top}({number})", int(number)
            elif int(head) == int(re.match(r"\d+", top)[0]):  # type: ignore[index]
                clause_id, order = number, int(tail.split(".")[0])
            else:
                continue
            if order <= last_sub.get(top, 0):
                continue
            last_sub[top] = order
            picked.append((candidate, clause_id, top, 2))
    clauses = []
    for index, (candidate, clause_id, parent, level) in enumerate(picked):
        end = len(text)
        for later in picked[index + 1 :]:
            if later[3] <= level or level == 2:
                end = later[0].start
                break
        heading, _ = _heading(candidate, lines)
        number = candidate.label if candidate.style != "sub" else f"({candidate.number})"
        clauses.append(
            Clause(
                id=clause_id,
                number=number.strip(),
                heading=heading,
                level=level,
                parent=parent,
                start=candidate.start,
                end=end,
            )
        )
    return _categorised(text, clauses)


def _categorised(text: str, clauses: list[Clause]) -> list[Clause]:
    """Categories from headings; from the text only under a generic heading or none."""
    by_id = {clause.id: clause for clause in clauses}
    out = []
    for clause in clauses:
        found = _heading_categories(clause.heading)
        parent = by_id.get(clause.parent) if clause.parent else None
        parent_heading = parent.heading if parent else None
        parent_open = parent is not None and (
            not parent_heading or bool(_generic_heading().match(parent_heading))
        )
        own_open = clause.heading is None or bool(_generic_heading().match(clause.heading))
        has_children = any(other.parent == clause.id for other in clauses)
        definitions = bool(
            (clause.heading and _definition_heading().search(clause.heading))
            or (parent_heading and _definition_heading().search(parent_heading))
        )
        readable = parent_open or (parent is None and own_open and not has_children)
        if not found and not definitions and readable:
            found = [c.name for c in categories() if c.body.search(text[clause.start : clause.end])]
        out.append(clause.model_copy(update={"categories": found}))
    return out


def _heading_categories(heading: str | None) -> list[str]:
    if not heading or _generic_heading().match(heading):
        return []
    return [category.name for category in categories() if category.heading.search(heading)]


# --- defined terms ----------------------------------------------------------------------------

_OPEN = "\"“„«‘'"
_CLOSE = "\"”“»’'"
_TERM = (
    rf"[{_OPEN}]\s*(?:(?:the|le|la|les|l'|el|los|las|der|die|das|de|het)\s+)?"
    rf"(?P<term>[A-ZÀ-Ý][^{_OPEN}{_CLOSE}\n]{{0,60}}?)\s*[{_CLOSE}]"
)
# '"Software" means', '„Leistungen“ im Sinne dieses Vertrages sind', '« X » désigne',
# '"Business Day": a day', 'wordt verstaan onder "Diensten":'
_MEANS = re.compile(
    _TERM + r"(?:\s+im\s+Sinne[^.\n]{0,40}?)?\s*(?P<verb>:|means\b|shall mean\b|has the meaning\b"
    r"|bezeichnet\b|bedeutet\b|meint\b|sind\b|ist\b|désigne\b|signifie\b|significa\b"
    r"|se entender[áa]\b|betekent\b)"
)
_NL_MEANS = re.compile(r"verstaan\s+onder\s+" + _TERM + r"\s*:")
# '(the "Licensor")', '(hereinafter "the Customer")', '(en adelante, el "Proveedor")',
# '– nachfolgend „Auftragnehmer“ genannt –', 'ci-après dénommée « le Client »',
# 'hierna te noemen: "Opdrachtnemer"', 'referred to herein as a "Party"'
_INTRO = re.compile(
    r"(?:\(\s*(?:(?:the|this)\s+)?|\b(?:hereinafter(?:\s+referred\s+to\s+as)?|herein\s+as|together\s+as"
    r"|referred\s+to\s+(?:herein\s+)?as|en\s+adelante,?|en\s+lo\s+sucesivo,?|ci-après"
    r"(?:\s+dénommée?s?)?|im\s+Folgenden|nachfolgend|hierna(?:\s+te\s+noemen)?:?|each\s+an?|together(?:\s+the)?)\s+"
    r"(?:(?:the|a|an|el|la|los|las|le|les|l')\s+)?)" + _TERM
)
_ARTICLES = re.compile(r"^(?:the|le|la|les|l'|el|los|las|der|die|das|de|het)\s+", re.IGNORECASE)
_DEFINITION_END = re.compile(r";\s*$|\.(?=\s+[A-Z(\"“]|\s*$)|\n", re.MULTILINE)
MAX_USES = 500
MAX_TERMS = 400


def find_defined_terms(text: str) -> list[DefinedTerm]:
    """Defined terms with what defines them and every later use, in order of definition."""
    found: dict[str, tuple[int, int, str]] = {}
    for match in (*_MEANS.finditer(text), *_NL_MEANS.finditer(text)):
        term = _ARTICLES.sub("", match["term"]).strip()
        tail = text[match.end() :]
        stop = _DEFINITION_END.search(tail)
        definition = tail[: stop.start() if stop else 400][:400].strip(" :")
        found.setdefault(term, (match.start("term"), match.end("term"), definition))
    previous_end = 0
    for match in _INTRO.finditer(text):
        term = _ARTICLES.sub("", match["term"]).strip()
        # what it names runs from the paragraph's start, or the previous such term, to here
        paragraph = max(
            text.rfind("\n\n", 0, match.start()), text.rfind("\n\r\n", 0, match.start())
        )
        begin = max(previous_end, paragraph + 1, match.start() - 400)
        definition = text[begin : match.start()].strip(" \n,–-(")
        previous_end = match.end()
        found.setdefault(term, (match.start("term"), match.end("term"), definition))
    terms = []
    ordered = sorted(found.items(), key=lambda item: item[1][0])[:MAX_TERMS]
    for term, (start, end, definition) in ordered:
        if not term or len(term.split()) > 6:
            continue
        uses = [
            use.start()
            for use in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text)
            if use.start() >= end
        ][:MAX_USES]
        terms.append(DefinedTerm(term=term, definition=definition, start=start, end=end, uses=uses))
    return terms


# --- parties ----------------------------------------------------------------------------------

_ORGANISATION = re.compile(
    r"\b(?:Inc|LLC|L\.L\.C|Ltd|LTD|Limited|LIMITED|plc|PLC|LLP|Corp|Corporation|Company|GmbH|AG"
    r"|KG|SE|SAS|SARL|SA|S\.A|S\.L|S\.A\.S|B\.V|N\.V|BV|NV|Association|ASSOCIATION|Gemeente"
    r"|Stadt|Ville|Ayuntamiento|Trust|Foundation|Stiftung)\b\.?"
)
# Words before a party's name: '(1)', 'by and between', 'BETWEEN:', 'zwischen der', 'ET :',
# 'La société', 'De una parte,', 'en'.
_PARTY_LEAD = re.compile(
    r"^(?:[\s,.;:()\-–\"“”„«»']+|\(?\d{1,2}[.)](?=\s)|(?:by|and|between|parties|parteien|reunidos"
    r"|de\s+ondergetekenden|zwischen|und|der|die|entre|et|la\s+société"
    r"|société|de\s+una\s+parte|de\s+otra\s+parte|y\s+de\s+otra|de\s+otra|tussen|en|the"
    r"|d'une\s+part|d'autre\s+part|les\s+soussignées?)(?=\W|$))",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    r",|\s+(?:a|an)\s+(?:company|corporation|registered|limited|[A-Z][a-z]+\s+(?:corporation"
    r"|limited))|\s+incorporated|\s+whose|\s+with\s+its|\s+dont|\s+con\s+(?:domicilio|CIF)"
    r"|\s+gevestigd|\s+ingeschreven|\s+immatriculée|\s+au capital|\s+vertreten|\s*–"
    r"|\s*\((?!haftungsbeschränkt\))",
)
_NOT_ROLES = re.compile(
    r"^(?:agreement|this agreement|effective date|party|parties|partei(?:en)?|partie|parties"
    r"|parte|partes|partij(?:en)?|vertrag|contrat|contrato|overeenkomst)$",
    re.IGNORECASE,
)


def find_parties(text: str, terms: list[DefinedTerm], clauses: list[Clause]) -> list[ContractParty]:
    """Parties named before the first clause, each with the defined term naming its role."""
    limit = clauses[0].start if clauses else min(len(text), 4000)
    parties = []
    for term in terms:
        if term.start >= limit or _NOT_ROLES.match(term.term):
            continue
        role = next((name for name, words in _roles() if words.match(term.term)), None)
        segment = term.definition
        if role is None and not _ORGANISATION.search(segment):
            continue
        name = _party_name(segment)
        if name and (role or _ORGANISATION.search(name)):
            parties.append(
                ContractParty(name=name, role_text=term.term, role=role, start=term.start)
            )
    return parties


_BETWEEN = re.compile(r"\b(?:between|zwischen|entre|tussen)\b", re.IGNORECASE)
# Top-level numbers rise by one, or skip at most one ('10 Downing Street' after clause 2 is
# an address).
MAX_NUMBER_STEP = 2


def _party_name(segment: str) -> str | None:
    betweens = list(_BETWEEN.finditer(segment))
    rest = segment[betweens[-1].end() :] if betweens else segment
    while True:
        lead = _PARTY_LEAD.match(rest)
        if not lead or not lead.group():
            break
        rest = rest[lead.end() :]
    rest = rest.strip(" \n,;:–-")
    if not rest:
        return None
    end = _NAME_END.search(rest)
    name = rest[: end.start()] if end else rest
    # 'Acme Analytics, Inc.': the comma before a company suffix is part of the name
    if end and end.group().startswith(","):
        after = rest[end.end() :].lstrip()
        suffix = _ORGANISATION.match(after)
        if suffix:
            name = rest[: end.end()] + " " + suffix.group()
    name = " ".join(name.split()).strip(" ,")
    return name or None


# --- dates and term ---------------------------------------------------------------------------

_EFFECTIVE = re.compile(
    r"(?:effective(?:\s+as\s+of|\s+on|\s+from)?|entered\s+into\s+as\s+of|take[s]?\s+effect\s+on"
    r"|commenc(?:e|es|ing)\s+on|in\s+Kraft|mit\s+Wirkung\s+(?:zum|vom)|prend\s+effet(?:\s+le)?"
    r"|entre\s+en\s+vigueur(?:\s+le)?|entrar[áa]\s+en\s+vigor(?:\s+el)?|a\s+contar\s+desde(?:\s+el)?"
    r"|treedt\s+in\s+werking(?:\s+op)?|gaat\s+in\s+op|beginnt\s+am|à\s+compter\s+du"
    r"|with\s+effect\s+from|(?:\"|“)?(?:Effective|Commencement)\s+Date(?:\"|”)?"
    r"\s+means)",
    re.IGNORECASE,
)
# 'tritt am 1. April 2024 in Kraft': the date stands before the words
_IN_FORCE_BEFORE = re.compile(r"tritt\s+am\s+(?P<date>.{6,30}?)\s+in\s+Kraft", re.IGNORECASE)
_ON_SIGNATURE = re.compile(
    r"commence\s+on\s+the\s+date\s+of\s+this\s+agreement|from\s+the\s+date\s+of\s+this"
    r"\s+agreement|mit\s+(?:der\s+)?Unterzeichnung\s+in"
    r"\s+Kraft|à\s+la\s+date\s+de\s+(?:sa\s+)?signature|a\s+la\s+firma|bij\s+ondertekening",
    re.IGNORECASE,
)
_DATED = re.compile(
    r"\b(?:dated|made\s+on|made\s+this|date\s+of\s+this\s+agreement\s+is|fait\s+à\s+\w+,?\s+le"
    r"|den|\ba\b|op)\s+",
    re.IGNORECASE,
)

_NUMBER_WORDS = {
    word: value
    for value, words in {
        1: "one a an ein eine einem einen un une uno una een",
        2: "two zwei deux dos twee",
        3: "three drei trois tres drie",
        4: "four vier quatre cuatro",
        5: "five fünf cinq cinco vijf",
        6: "six sechs seis zes",
        10: "ten zehn dix diez tien",
        12: "twelve zwölf douze doce twaalf",
        18: "eighteen",
        24: "twenty-four",
        36: "thirty-six",
    }.items()
    for word in words.split()
}
_UNIT_MONTHS = {
    "year": 12, "years": 12, "jahr": 12, "jahre": 12, "jahren": 12, "an": 12, "ans": 12,
    "année": 12, "années": 12, "año": 12, "años": 12, "jaar": 12, "jaren": 12,
    "month": 1, "months": 1, "monat": 1, "monate": 1, "monaten": 1, "mois": 1,
    "mes": 1, "meses": 1, "maand": 1, "maanden": 1,
}  # fmt: skip
_TERM_PHRASE = re.compile(
    r"(?<!additional\s)(?<!successive\s)(?<!renewal\s)(?<!further\s)"
    r"\b(?:term|period|Laufzeit|durée(?:\s+initiale)?|duración|plazo|periode|duur)\s+"
    r"(?:of|von|de|van)\s+(?:an?\s+|eine[rm]?\s+)?(?:initial\s+)?"
    r"(?P<count>\d{1,3}|[\w-]+)\s*(?:\((?P<digits>\d{1,3})\)\s*)?(?P<unit>[a-zéñ]+)\b",
    re.IGNORECASE,
)
_INDEFINITE = re.compile(
    r"unbestimmte\s+Zeit|indefinite\s+(?:term|period)|durée\s+indéterminée|tiempo\s+indefinido"
    r"|onbepaalde\s+tijd",
    re.IGNORECASE,
)
_RENEWS = re.compile(
    r"renews?\s+automatically|automatically\s+renew|renews?\s+for\s+(?:additional|successive)"
    r"|verlängert\s+sich|tacite\s+reconduction|prorrogable\s+tácitamente|prorrogará"
    r"|stilzwijgend\s+verlengd",
    re.IGNORECASE,
)


def _first_date(text: str, us_order: bool) -> date | None:
    found = _all_dates(text, us_order)
    return found[0][1] if found else None


def find_dates(text: str, clauses: list[Clause]) -> tuple[date | None, date | None]:
    """(agreement date, effective date)."""
    us_order = bool(
        re.search(
            r"\b(?:January|February|March|April|May|June|July|August|"
            r"September|October|November|December)\s+\d{1,2},\s+\d{4}",
            text,
        )
    )
    head = text[: clauses[0].start] if clauses else text[:3000]
    agreement = None
    for match in _DATED.finditer(head):
        agreement = _starting_date(text[match.end() : match.end() + 40], us_order)
        if agreement:
            break
    if agreement is None:  # a signature line: 'Frankfurt am Main, den 15. März 2024'
        for match in _DATED.finditer(text[-600:]):
            agreement = _starting_date(text[-600:][match.end() : match.end() + 40], us_order)
            if agreement:
                break
    effective = None
    for match in _IN_FORCE_BEFORE.finditer(text):
        effective = _first_date(match["date"], us_order)
        if effective:
            break
    if effective is None:
        for match in _EFFECTIVE.finditer(text):
            effective = _starting_date(text[match.end() : match.end() + 40], us_order)
            if effective:
                break
    if effective is None and _ON_SIGNATURE.search(text):
        effective = agreement
    return agreement, effective


def _starting_date(window: str, us_order: bool) -> date | None:
    """A date at the start of ``window`` (a few words in at most)."""
    found = _all_dates(window, us_order)
    if found and found[0][0] <= 6:
        return found[0][1]
    return None


def find_term(text: str, clauses: list[Clause]) -> tuple[str | None, int | None, bool, bool]:
    """(term text, months, indefinite, renews), read from the term clauses first."""
    term_clauses = [c for c in clauses if "term" in c.categories]
    scopes = [text[c.start : c.end] for c in term_clauses] or [text]
    for scope in scopes:
        if _INDEFINITE.search(scope):
            return _INDEFINITE.search(scope).group(), None, True, bool(_RENEWS.search(scope))  # type: ignore[union-attr]
        for match in _TERM_PHRASE.finditer(scope):
            unit = _UNIT_MONTHS.get(match["unit"].lower())
            raw = match["digits"] or match["count"]
            count = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw.lower())
            if unit and count:
                phrase = scope[match.start("count") : match.end("unit")]
                return phrase, count * unit, False, bool(_RENEWS.search(scope))
    return None, None, False, bool(_RENEWS.search(" ".join(scopes)))


# --- governing law and forum ------------------------------------------------------------------

_COUNTRIES = {
    "EU/DE": r"deutsch\w*|Bundesrepublik\s+Deutschland|Deutschlands?|German(?:y)?",
    "EU/FR": r"fran[cç]ais\w*|France|French",
    "EU/ES": r"español\w*|espa[nñ]ol\w*|España|Spain|Spanish",
    "EU/NL": r"Nederlands\w*|Nederland|Netherlands|Dutch",
    "EU/BE": r"belge|Belgisch|Belgique|Belgium|Belgian",
    "EU/IT": r"italian[oa]|Italia|Italy|Italian",
    "UK/EW": r"England(?:\s+and\s+Wales)?",
    "UK/SC": r"Scotland|Scots",
    "UK/NI": r"Northern\s+Ireland",
    "CH": r"Swiss|Switzerland|schweizerisch\w*|Schweiz|suisse",
}
_LAW_OF = re.compile(
    r"laws?\s+of\s+(?:the\s+)?(?:State\s+of\s+|Commonwealth\s+of\s+)?"
    r"(?P<place>[A-Z][A-Za-z]+(?:\s+(?:and\s+)?[A-Z][A-Za-z]+)*)"
)
_ARBITRATION = re.compile(r"arbitra|schiedsgericht|schiedsverfahren", re.IGNORECASE)
_EXCLUSIVE = re.compile(
    r"exclusive|ausschließlich|exclusiv[ea]|uitsluitend|renuncia\s+a\s+cualquier\s+otro\s+fuero",
    re.IGNORECASE,
)
_PLACE = r"(?P<place>[A-ZÄÖÜÉ][\w'’-]+(?:\s+(?:am|an|de|del|upon|on|and|y)?\s*[A-ZÄÖÜÉ][\w'’-]+)*)"
_FORUM_PLACES = (
    re.compile(r"seat\s+of\s+(?:the\s+)?arbitration\s+shall\s+be\s+" + _PLACE),
    re.compile(
        r"(?:plaats\s+van\s+(?:de\s+)?arbitrage\s+is|siège\s+de\s+l'arbitrage\s+est"
        r"|Sitz\s+des\s+Schiedsgerichts\s+ist)\s+" + _PLACE
    ),
    re.compile(r"(?P<place>English|Scottish|Welsh|Northern\s+Irish|Irish)\s+courts"),
    re.compile(r"courts?\s+(?:located\s+)?(?:of|in|at)\s+(?:the\s+)?" + _PLACE),
    re.compile(r"Gerichtsstand\b[^.]{0,80}?\bist\s+" + _PLACE),
    re.compile(
        r"(?:tribunaux|Tribunal\s+de\s+commerce|Tribunal\s+judiciaire)\s+(?:compétents\s+)?"
        r"de\s+" + _PLACE
    ),
    re.compile(r"Juzgados\s+y\s+Tribunales\s+de\s+(?:la\s+ciudad\s+de\s+)?" + _PLACE),
    re.compile(r"rechtbank\s+" + _PLACE),
    re.compile(r"rechter\s+(?:te|in)\s+" + _PLACE),
)


def governing_law(text: str) -> str | None:
    """A jurisdiction path for the law a governing-law clause names."""
    match = _LAW_OF.search(text)
    if match:
        place = match["place"]
        states = us_state_codes()
        for name, code in states.items():
            if place.startswith(name):
                return f"US/STATE/{code}"
    for path, words in _COUNTRIES.items():
        if re.search(rf"\b(?:{words})\b", text, re.IGNORECASE):
            return path
    return None


def forum(text: str) -> tuple[str | None, str | None, bool]:
    """(kind, place, exclusive) of a forum clause."""
    kind = "arbitration" if _ARBITRATION.search(text) else "court"
    place = None
    for pattern in _FORUM_PLACES:
        match = pattern.search(text)
        if match:
            place = match["place"].strip()
            break
    return kind, place, bool(_EXCLUSIVE.search(text))


def _category_text(text: str, clauses: list[Clause], category: str) -> str | None:
    chosen = [c for c in clauses if category in c.categories]
    # the most specific: a sub-clause rather than its parent where both are chosen
    ids = {c.id for c in chosen}
    chosen = [c for c in chosen if not any(o.parent == c.id for o in clauses if o.id in ids)]
    if not chosen:
        return None
    return " ".join(text[c.start : c.end] for c in chosen)


def _sentence_with(text: str, pattern: re.Pattern[str]) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    start = max(text.rfind(".", 0, match.start()) + 1, text.rfind("\n", 0, match.start()) + 1)
    stop = text.find(".", match.end())
    return " ".join(text[start : stop + 1 if stop >= 0 else len(text)].split())


# --- everything -------------------------------------------------------------------------------


# Every step reads at most this prefix (about 150 pages): a few regular expressions scan
# the whole of it, about 1 s per 200,000 characters in all.
MAX_CONTRACT_CHARS = 500_000


def contract_structure(text: str) -> ContractStructure:
    """Clauses, defined terms, parties, dates, term, governing law and forum of a contract
    (its first MAX_CONTRACT_CHARS characters; offsets are into ``text``)."""
    text = text[:MAX_CONTRACT_CHARS]
    clauses = find_clauses(text)
    terms = find_defined_terms(text)
    parties = find_parties(text, terms, clauses)
    agreement, effective = find_dates(text, clauses)
    term_text, months, indefinite, renews = find_term(text, clauses)
    law_text = _category_text(text, clauses, "governing_law")
    if law_text is None:
        law_text = _sentence_with(text, _category("governing_law").body)
    forum_text = _category_text(text, clauses, "forum")
    if forum_text is None:
        forum_text = _sentence_with(text, _category("forum").body)
    kind, place, exclusive = forum(forum_text) if forum_text else (None, None, False)
    return ContractStructure(
        clauses=clauses,
        defined_terms=terms,
        parties=parties,
        agreement_date=agreement,
        effective_date=effective,
        term_text=term_text,
        term_months=months,
        indefinite=indefinite,
        renews=renews,
        governing_law=governing_law(law_text) if law_text else None,
        governing_law_text=" ".join(law_text.split())[:600] if law_text else None,
        forum_kind=kind,
        forum_place=place,
        forum_exclusive=exclusive,
        forum_text=" ".join(forum_text.split())[:600] if forum_text else None,
    )


__all__ = [
    "CATEGORIES",
    "Category",
    "Clause",
    "ContractParty",
    "ContractStructure",
    "DefinedTerm",
    "categories",
    "contract_structure",
    "find_clauses",
    "find_dates",
    "find_defined_terms",
    "find_parties",
    "find_term",
    "forum",
    "governing_law",
]

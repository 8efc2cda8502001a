"""Court and jurisdiction of a document, in this order:

1. the document's own ECLI or neutral citation in the header (alone on a line, labelled
   'ECLI:', 'Neutral Citation Number', 'Identifiant', 'Kenmerk' ..., or at the very top):
   the court table (data/courts.json) maps its court code to the court; an ECLI whose
   court code is not in the table still gives its country's jurisdiction (EU/<ISO>);
2. the court table's header patterns (UK, EU, every member state, ECtHR, some US);
3. courts-db for US courts, after caption forms are rewritten to the ones it knows.

The first header line that names a court decides; lines that name a lower court ('Appeal
from the United States District Court...') are skipped. When a line's longest match names
courts in different jurisdictions, the court stays unknown rather than guessed.

Speed: neither the table's patterns nor courts-db's ~8,400 are run over every line. Each
pattern is indexed by a word (its first five letters) that every match must contain,
taken from the pattern's parse tree; a line runs only the patterns whose word it holds.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from lexstream.index.extraction.tables import (
    CourtEntry,
    court_entries,
    ecli_countries,
    us_state_codes,
)
from lexstream.index.extraction.text import squash

MAX_HEADER_LINES = 80
# A header line is read this far (court names open their line).
MAX_LINE_CHARS = 1_000
# Two lines are joined only when both are short, as caption lines are.
MAX_JOINED_CHARS = 240
# courts-db look-ups per document (each one is cheap now; this bounds the worst case).
MAX_COURTS_DB_LOOKUPS = 10
# The document's own ECLI or neutral citation is looked for in this many characters.
OWN_ZONE = 3_000
TOP_ZONE = 400
_US_COURT_WORDS = re.compile(r"court|circuit|district|board|commission", re.IGNORECASE)
# Two lines are joined ('U.S. District Court' / 'California Northern District') only when
# the pair names a court.
_COURT_WORDS = re.compile(
    r"court|circuit|board|tribunal|chamber|council|gericht|gerichtshof|cour|conseil|raad"
    r"|rechtbank|gerechtshof|bundesgesetzblatt|journal|staatsblad|citation nr|subject:"
    r"|district|division|hof\b|corte|juzgado|audiencia|soud|sąd|súd|sodišče|oikeus|domstol",
    re.IGNORECASE,
)
_LOWER_COURT = re.compile(
    r"^(?:\W*)(?:on\s+)?(?:appeal(?:ed)?\s+from|certiorari\s+to|on\s+appeal|petition\s+for"
    r"|from\s+the|transferred\s+from|remanded\s+to|sur\s+(?:le\s+)?pourvoi|gewezen\s+op"
    r"|recurso\s+(?:de\s+)?(?:casación|apelación)\s+contra|vorinstanz|vorinstanzen)",
    re.IGNORECASE,
)
_ECLI = re.compile(r"\bECLI:([A-Z]{2}):([A-Z0-9.]{1,7}):(\d{4}):[A-Z0-9.]+", re.IGNORECASE)
# Text before a document's own identifier on its line: 'ECLI:', 'Neutral Citation Number:'.
_OWN_LABEL = re.compile(
    r"^\W*(?:ECLI(?:[\s-]*(?:nummer|nr\.?|number|code))?|European Case Law Identifier"
    r"|Neutral Citation(?:\s+Number|\s+No\.?)?|Identifiant(?:\s+ECLI)?|Kenmerk|Identificador"
    r"(?:\s+ECLI)?|Identificatore(?:\s+ECLI)?|Rechtsprechungsidentifikator|Identifikátor"
    r"|Identifikator|Tunniste|Identifikační číslo|Sygnatura ECLI|Cita(?:ción)?|Citation)"
    r"\W*$",
    re.IGNORECASE,
)
# CM/ECF e-mails write 'U.S. District Court California Northern District'.
_CMECF_DISTRICT = re.compile(
    r"District Court,?\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+(Northern|Southern|Eastern|Western"
    r"|Central|Middle)\s+District",
)
# Captions: 'United States District Court, District of Massachusetts' and
# 'UNITED STATES DISTRICT COURT - NORTHERN DISTRICT OF OHIO'.
_CAPTION_DISTRICT = re.compile(
    r"\bDistrict Court\s*(?:,|-|–|—|:)?\s*(?:for\s+the\s+|in\s+and\s+for\s+the\s+)?"
    r"((?:Northern|Southern|Eastern|Western|Central|Middle)\s+)?District\s+of\b",
    re.IGNORECASE,
)
_US_ABBREVIATED = re.compile(r"\bU\.\s?S\.\s+District\s+Court\b", re.IGNORECASE)
# 'Ohio Supreme Court' / 'Supreme Court of Ohio', 'Texas Court of Criminal Appeals' /
# 'Court of Criminal Appeals of Texas': the courts-db names use one order or the other.
_STATE_FIRST = re.compile(
    r"^(?:In\s+)?(?:The\s+)?(?:State\s+of\s+)?(?P<state>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+"
    r"(?P<court>Supreme\s+Court|Court\s+of\s+(?:Criminal\s+)?Appeals?|Superior\s+Court"
    r"|Appellate\s+Court|Court\s+of\s+Civil\s+Appeals|Commonwealth\s+Court|Appeals\s+Court"
    r"|Intermediate\s+Court\s+of\s+Appeals|Tax\s+Court|Court\s+of\s+Claims)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
_STATE_LAST = re.compile(
    r"^(?:In\s+)?(?:The\s+)?(?P<court>Supreme\s+Court|Court\s+of\s+(?:Criminal\s+)?Appeals?"
    r"|Superior\s+Court|Appellate\s+Court|Court\s+of\s+Civil\s+Appeals|Commonwealth\s+Court"
    r"|Appeals\s+Court|Intermediate\s+Court\s+of\s+Appeals|Tax\s+Court|Court\s+of\s+Claims)"
    r"\s+of\s+(?:the\s+State\s+of\s+|the\s+Commonwealth\s+of\s+)?"
    r"(?P<state>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# OCR in scanned captions: 'UNlTED STATES DlSTRlCT C0URT', 'SUPREME C0URT'.
_OCR_WORD = re.compile(r"\b(?=[A-Z0-9l]*[A-Z]{3})[A-Zl][A-Z0-9l]{2,}\b")
_OCR_SUSPECT = re.compile(r"[A-Z][0l15]|[0l15][A-Z]")
_OCR_FIX = str.maketrans({"l": "I", "0": "O", "1": "I", "5": "S"})


# courts-db parents that name a kind of court, not one court.
_GENERIC_US_COURTS = {"usdistct", "usbankr", "usfedct", "uscirct", "usjpml"}
# RECAP and PACER file names carry the court: gov.uscourts.akd.41664.docket.xml
_RECAP_NAME = re.compile(r"^gov\.uscourts\.([a-z0-9]+)\.")


@dataclass(frozen=True)
class CourtMatch:
    court: str | None
    court_id: str | None
    jurisdiction: str | None


NO_COURT = CourtMatch(None, None, None)


# --- the word index over many patterns -------------------------------------------------

_KEY_CHARS = 5
_TOKEN = re.compile(r"[^\W_]+")
_parser: Any = importlib.import_module("re._parser")
_constants: Any = importlib.import_module("re._constants")


def _atoms(parsed: Iterable[tuple[Any, Any]]) -> list[str | bool]:
    """The pattern as a sequence: a str for each character every match contains at that
    place, a bool for anything else (True: it may match a letter or digit)."""
    out: list[str | bool] = []
    c = _constants
    for op, av in parsed:
        if op is c.LITERAL:
            out.append(chr(av).lower())
        elif op is c.SUBPATTERN and av[3] is not None:
            out.extend(_atoms(av[3]))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == av[1] == 1:
            out.extend(_atoms(av[2]))
        elif (
            op is c.AT
            or (
                op is c.IN
                and all(
                    (o is c.CATEGORY and a in (c.CATEGORY_SPACE, c.CATEGORY_NOT_WORD))
                    or (o is c.LITERAL and not chr(a).isalnum())
                    for o, a in av
                )
            )
            or (op in (c.MAX_REPEAT, c.MIN_REPEAT) and _atoms(av[2]) == [False])
        ):
            out.append(False)
        else:
            out.append(True)
    return out


def _parse(pattern: re.Pattern[str]) -> list[str | bool]:
    try:
        return _atoms(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # a pattern the parser cannot read runs always
        return [True]


def _longest_run(atoms: list[str | bool]) -> str:
    """The longest run of characters every match contains."""
    best, run = "", ""
    for atom in [*atoms, True]:
        if isinstance(atom, str):
            run += atom
        else:
            best, run = max(best, run, key=len), ""
    return best


def _pattern_keys(atoms: list[str | bool]) -> list[str]:
    """Keys (a word's first five letters, or a whole short word) that every match of the
    pattern contains as the start of a word of the text; empty when none is certain."""
    atoms = [False, *atoms, True]  # before: start of match; after: the text may go on
    keys: list[str] = []
    index = 1
    while index < len(atoms) - 1:
        atom = atoms[index]
        if not (isinstance(atom, str) and atom.isalnum()):
            index += 1
            continue
        end = index
        while isinstance(atoms[end], str) and str(atoms[end]).isalnum():
            end += 1
        word = "".join(str(a) for a in atoms[index:end])
        before, after = atoms[index - 1], atoms[end]
        left_safe = before is False or (isinstance(before, str) and not before.isalnum())
        right_safe = after is False or (isinstance(after, str) and not after.isalnum())
        if left_safe and (right_safe or len(word) >= _KEY_CHARS):
            keys.append(word[:_KEY_CHARS])
        index = end
    return keys


class WordIndex:
    """Patterns indexed by their rarest certain key; candidates(line) keeps pattern order."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        parsed = [_parse(pattern) for pattern in patterns]
        keys = [_pattern_keys(atoms) for atoms in parsed]
        frequency: dict[str, int] = {}
        for pattern_keys in keys:
            for key in set(pattern_keys):
                frequency[key] = frequency.get(key, 0) + 1
        self.by_key: dict[str, list[int]] = {}
        # Patterns without a word key, by a run of characters every match holds.
        self.by_substring: list[tuple[str, int]] = []
        self.always: list[int] = []
        for position, pattern_keys in enumerate(keys):
            run = _longest_run(parsed[position]).strip()
            if pattern_keys:
                rarest = min(pattern_keys, key=lambda k: (frequency[k], k))
                self.by_key.setdefault(rarest, []).append(position)
            elif len(run) >= 3:
                self.by_substring.append((run, position))
            else:
                self.always.append(position)

    def candidates(self, line: str) -> list[int]:
        found: set[int] = set(self.always)
        lowered = line.lower()
        found.update(position for run, position in self.by_substring if run in lowered)
        by_key = self.by_key
        for token in {t[:_KEY_CHARS] for t in _TOKEN.findall(lowered)}:
            positions = by_key.get(token)
            if positions:
                found.update(positions)
        return sorted(found)


# --- the court table -------------------------------------------------------------------


def _from_entry(entry: CourtEntry, matched: str | None = None) -> CourtMatch:
    name = squash(matched) if entry.name_from_match and matched else entry.name
    if entry.name_from_match and matched and matched.isupper():
        name = name.title()
    if not entry.is_court:
        return CourtMatch(None, None, entry.jurisdiction)
    return CourtMatch(name, entry.id, entry.jurisdiction)


@cache
def _table_patterns() -> tuple[tuple[tuple[CourtEntry, re.Pattern[str]], ...], WordIndex]:
    pairs = tuple((entry, pattern) for entry in court_entries() for pattern in entry.patterns)
    return pairs, WordIndex([pattern for _, pattern in pairs])


@cache
def _by_neutral_code() -> dict[str, CourtEntry]:
    table: dict[str, CourtEntry] = {}
    for entry in court_entries():
        for code in entry.neutral_codes:
            table[squash(code).lower()] = entry
    return table


@cache
def _neutral_pattern() -> re.Pattern[str]:
    """'[2023] EWHC 123 (KB)', '[2020] EWFC B12', '[2021] SAC (Civ) 7', '[2019] SC EDIN 3'."""
    codes = {squash(code) for entry in court_entries() for code in entry.neutral_codes}
    bases = {code for code in codes if " (" not in code}
    # 'SAC (Civ)' is printed before the number; 'EWHC (KB)' after it, 'EWFC B' before it.
    before = [code for code in codes if " (" in code and code.split(" (")[0] not in bases]
    tiered = {code for code in codes if re.fullmatch(r".+ [A-Z]\d?", code) and code[:-3] in bases}
    tiered |= {code for code in codes if re.fullmatch(r".+ [A-Z]", code) and code[:-2] in bases}
    after = {code.split(" (")[0] for code in codes if code not in before and code not in tiered}
    before.sort(key=len, reverse=True)

    def alternation(items: list[str]) -> str:
        return "|".join(re.escape(item).replace(r"\ ", r"\s*") for item in items)

    codes_after = alternation(sorted(after, key=len, reverse=True))
    return re.compile(
        rf"\[(?P<year>\d{{4}})\]\s+(?:(?P<before>{alternation(before)})\s+\d+"
        rf"|(?P<code>{codes_after})\s+(?:(?P<pre>[A-Z][A-Za-z]{{0,5}}\d?)\s*)?\d+"
        rf"(?:\s*\((?P<division>[A-Za-z]+)\))?)(?![\d/])"
    )


@cache
def _ecli_table() -> tuple[dict[str, CourtEntry], tuple[tuple[str, CourtEntry], ...]]:
    exact: dict[str, CourtEntry] = {}
    prefixes: list[tuple[str, CourtEntry]] = []
    for entry in court_entries():
        for prefix in entry.ecli_prefixes:
            exact.setdefault(prefix, entry)
            prefixes.append((prefix, entry))
    prefixes.sort(key=lambda item: len(item[0]), reverse=True)
    return exact, tuple(prefixes)


def _ecli_country(country: str) -> str:
    return country.upper()


def court_for_ecli(country: str, court_code: str) -> CourtEntry | None:
    """The table's court for an ECLI's country and court code (longest prefix wins:
    'NL:RBAMS' -> the Rechtbank entry 'NL:RB'); None when the table has none."""
    key = f"{_ecli_country(country)}:{court_code.upper()}"
    exact, prefixes = _ecli_table()
    if key in exact:
        return exact[key]
    for prefix, entry in prefixes:
        if key.startswith(prefix):
            return entry
    return None


def jurisdiction_for_ecli(ecli: str) -> str | None:
    """'ECLI:PL:SN:2020:1' -> 'EU/PL', 'ECLI:EL:AP:...' -> 'EU/GR', 'ECLI:CE:ECHR:...' ->
    'INT/COE'; None for a country outside the table (e.g. CH)."""
    parts = ecli.split(":")
    if len(parts) < 3:
        return None
    entry = court_for_ecli(parts[1], parts[2])
    if entry is not None:
        return entry.jurisdiction
    return ecli_countries().get(parts[1].upper())


def _table_match(line: str, only: str | None = None) -> CourtMatch | None:
    """The table's court for one line: the longest match wins; a tie between courts of
    different jurisdictions gives NO_COURT. `only` keeps the entries of one jurisdiction
    (or, for an id, one entry)."""
    pairs, index = _table_patterns()
    best: list[tuple[int, CourtEntry, str]] = []
    for position in index.candidates(line):
        entry, pattern = pairs[position]
        if only is not None and only not in (entry.jurisdiction, entry.id):
            continue
        found = pattern.search(line)
        if not found:
            continue
        length = found.end() - found.start()
        if not best or length > best[0][0]:
            best = [(length, entry, found.group(0))]
        elif length == best[0][0]:
            best.append((length, entry, found.group(0)))
    if not best:
        return None
    if len({entry.jurisdiction for _, entry, _ in best}) > 1:
        return NO_COURT
    _, entry, matched = best[0]
    return _from_entry(entry, matched)


def _lines_of(text: str) -> list[str]:
    """The first MAX_HEADER_LINES non-empty lines, whitespace squashed, OCR noise mended."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = squash(raw[:MAX_LINE_CHARS])
        if line:
            lines.append(_fix_ocr(line) if _OCR_SUSPECT.search(line) else line)
            if len(lines) == MAX_HEADER_LINES:
                break
    return lines


def _is_own(text: str, start: int, end: int) -> bool:
    """An identifier is the document's own when it stands alone on its line, follows a
    label on it ('ECLI:', 'Neutral Citation Number'), or its label is the line above."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    before = text[line_start:start]
    if text[end:line_end].strip(" \t[]()-.,;|"):
        return False
    if not before.strip(" \t[]()-"):
        return True
    return bool(_OWN_LABEL.match(before))


def _own_ecli(header: str) -> CourtMatch | None:
    for found in _ECLI.finditer(header[:OWN_ZONE]):
        if found.start() >= TOP_ZONE and not _is_own(header, found.start(), found.end()):
            continue
        country, code = found.group(1).upper(), found.group(2).upper()
        entry = court_for_ecli(country, code)
        if entry is not None:
            named = _table_match_header(header, entry.id) if entry.name_from_match else None
            return named or _from_entry(entry)
        jurisdiction = ecli_countries().get(country)
        if jurisdiction is not None:
            # The ECLI names the country; the header may still name the court.
            return _table_match_header(header, jurisdiction) or CourtMatch(None, None, jurisdiction)
    return None


def _table_match_header(header: str, only: str) -> CourtMatch | None:
    for line in _lines_of(header[:OWN_ZONE]):
        match = _table_match(line, only)
        if match is not None and match is not NO_COURT:
            return match
    return None


def _own_neutral(header: str) -> CourtMatch | None:
    zone = header[:1500]
    labelled = "neutral citation" in zone.lower()
    for found in _neutral_pattern().finditer(zone):
        if found.start() >= TOP_ZONE and not labelled:
            break
        table = _by_neutral_code()
        if found.group("before"):
            entry = table.get(squash(found.group("before")).lower())
        else:
            code = squash(found.group("code")).lower()
            pre, division = found.group("pre"), found.group("division")
            entry = None
            if division:
                entry = table.get(f"{code} ({division.lower()})")
            if entry is None and pre:
                entry = table.get(f"{code} {pre.lower()}") or table.get(
                    f"{code} {pre.lower().rstrip('0123456789')}"
                )
            entry = entry or table.get(code)
        if entry is not None:
            return _from_entry(entry)
    return None


# A CELEX number of EU case law at the top ('EUR-Lex - CELEX:62021CJ0560'): sector 6, the
# year, then the court (C: Court of Justice, T: General Court, F: Civil Service Tribunal).
_CELEX_CASE = re.compile(
    r"\bCELEX(?:\s+number)?\s*[:=]?\s*6\d{4}([CTF])[A-Z]\d{4}\b", re.IGNORECASE
)
_CELEX_COURTS = {"C": "EU:C", "T": "EU:T", "F": "EU:F"}


def _own_celex(header: str) -> CourtMatch | None:
    found = _CELEX_CASE.search(header[:TOP_ZONE])
    if not found:
        return None
    country, code = _CELEX_COURTS[found.group(1).upper()].split(":")
    entry = court_for_ecli(country, code)
    return _from_entry(entry) if entry else None


def _own_identifier(header: str) -> CourtMatch | None:
    """The document's own ECLI, neutral citation or CELEX number decides court and
    jurisdiction."""
    return _own_ecli(header) or _own_neutral(header) or _own_celex(header)


def _candidate_lines(header: str) -> Iterator[str]:
    """Each header line, preceded by it joined with the next where the pair is short and
    names a court ('U.S. District Court' / 'California Northern District')."""
    lines = _lines_of(header)
    for index, line in enumerate(lines):
        if _LOWER_COURT.search(line):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            following
            and len(line) + len(following) <= MAX_JOINED_CHARS
            and not _LOWER_COURT.search(following)
        ):
            joined = f"{line} {following}"
            if _COURT_WORDS.search(joined):
                yield joined
        yield line


# --- courts-db -------------------------------------------------------------------------


def _us_jurisdiction(court: dict[str, object]) -> str | None:
    system = court.get("system")
    if system == "federal":
        return "US/FED"
    location = str(court.get("location") or "")
    code = us_state_codes().get(location)
    if system == "state" and code:
        return f"US/STATE/{code}"
    return None


@cache
def _courts_db_index() -> tuple[tuple[Any, ...], WordIndex]:
    from courts_db import regexes

    table = tuple(regexes)
    return table, WordIndex([row[0] for row in table])


def _courts_db_ids(line: str, bankruptcy: bool) -> set[str]:
    """courts-db's find_court(allow_partial_matches=True), running only the patterns whose
    word the line holds (see WordIndex), and keeping only matches that start a word."""
    from courts_db.text_utils import strip_punc

    line = strip_punc(line)
    table, index = _courts_db_index()
    matches = set()
    for position in index.candidates(line):
        regex, court_id, _name, court_type, _location, parent = table[position]
        if (court_type == "bankruptcy") != bankruptcy:
            continue
        # A match must start a word: courts-db's 'Ea?(st)?(ern)? ?D...' would otherwise
        # read 'Western District' as Eastern, and 'Kansas' inside 'Arkansas'.
        for found in regex.finditer(line):
            if found.start() == 0 or not line[found.start() - 1].isalnum():
                matches.add((found.group(0), court_id, parent))
                break
    parents = {parent for _, _, parent in matches}
    if len(matches) > 1:
        matches = {match for match in matches if match[1] not in parents}
    texts = {text for text, _, _ in matches}
    return {
        court_id
        for text, court_id, _ in matches
        if not any(text != other and text in other for other in texts)
    }


def _fix_ocr(line: str) -> str:
    """Letters OCR reads as digits or 'l' inside upper-case words: 'DlSTRlCT C0URT'."""
    return _OCR_WORD.sub(lambda m: m.group(0).translate(_OCR_FIX), line)


@cache
def _state_names() -> dict[str, str]:
    return {name.casefold(): name for name in us_state_codes()}


@cache
def _bare_district() -> re.Pattern[str]:
    """A caption line that names the district alone: 'NORTHERN DISTRICT OF TEXAS'."""
    states = "|".join(re.escape(name) for name in sorted(us_state_codes(), key=len, reverse=True))
    return re.compile(
        r"^(?:for\s+the\s+)?(?:Northern|Southern|Eastern|Western|Central|Middle)\s+District"
        rf"\s+of\s+(?:{states})\b",
        re.IGNORECASE,
    )


def _us_forms(line: str) -> list[str]:
    """The line, then the same court in both name orders ('Ohio Supreme Court', 'Supreme
    Court of Ohio'; 'SUPREME COURT OF THE STATE OF IDAHO'), since courts-db spells most
    state courts one way only."""
    line = _CMECF_DISTRICT.sub(lambda m: f"District Court for the {m[2]} District of {m[1]}", line)
    line = _CAPTION_DISTRICT.sub(lambda m: f"District Court for the {m[1] or ''}District of", line)
    line = _US_ABBREVIATED.sub("United States District Court", line)
    bare = _bare_district().match(line)
    if bare:
        line = f"United States District Court for the {line}"
    forms = [line]
    for order in (_STATE_FIRST, _STATE_LAST):
        found = order.match(line)
        state = _state_names().get(squash(found["state"]).casefold()) if found else None
        if found and state:
            words = found["court"].split()
            court = " ".join(word if word.lower() == "of" else word.capitalize() for word in words)
            forms.append(f"{court} of {state}{found['rest']}")
            forms.append(f"{state} {court}{found['rest']}")
            break
    return forms


@lru_cache(maxsize=4096)
def _courts_db_match(line: str) -> CourtMatch | None:
    from courts_db import find_court_by_id

    for form in _us_forms(line):
        ids = _courts_db_ids(form, bankruptcy="bankruptcy" in form.lower())
        courts = [court for court_id in sorted(ids) for court in find_court_by_id(court_id)]
        parents = {court.get("parent") for court in courts}
        courts = [court for court in courts if court["id"] not in parents]
        specific = [court for court in courts if court["id"] not in _GENERIC_US_COURTS]
        courts = specific or courts
        if not courts:
            continue
        if len(courts) > 1:
            return NO_COURT
        court = courts[0]
        if court["id"] in _GENERIC_US_COURTS:
            return None
        return CourtMatch(str(court["name"]), str(court["id"]), _us_jurisdiction(court))
    return None


def warm_up() -> None:
    """courts-db compiles its ~8,400 patterns on first use (several seconds); the table and
    both word indexes are built here too."""
    _table_patterns()
    _neutral_pattern()
    _courts_db_index()
    _courts_db_match("United States Court of Appeals for the Ninth Circuit")


def _from_filename(filename: str | None) -> CourtMatch | None:
    from courts_db import find_court_by_id

    match = _RECAP_NAME.match((filename or "").rsplit("/", 1)[-1].lower())
    courts = find_court_by_id(match.group(1)) if match else []
    if len(courts) != 1:
        return None
    court = courts[0]
    return CourtMatch(str(court["name"]), str(court["id"]), _us_jurisdiction(court))


def detect_court(header: str, filename: str | None = None) -> CourtMatch:
    """Court and jurisdiction named by the header; NO_COURT when unknown or ambiguous."""
    own = _own_identifier(header) or _from_filename(filename)
    if own:
        return own
    lookups = 0
    for line in _candidate_lines(header):
        match = _table_match(line)
        if match is None and lookups < MAX_COURTS_DB_LOOKUPS and _US_COURT_WORDS.search(line):
            lookups += 1
            match = _courts_db_match(line)
        if match is NO_COURT:
            return NO_COURT
        if match is not None:
            return match
    return NO_COURT


_CITATION_JURISDICTIONS = {
    "ecli": None,
    "eu_case": "EU",
    "celex": "EU",
    "eu_legislation": "EU",
    "eu_oj": "EU",
    "eu_treaty": "EU",
    "eu_charter": "EU",
    "uk_neutral": "UK",
    "uk_report": "UK",
    "uk_statute": "UK",
    "de_statute": "EU/DE",
    "de_gazette": "EU/DE",
    "fr_statute": "EU/FR",
    "nl_statute": "EU/NL",
    "es_statute": "EU/ES",
    "it_statute": "EU/IT",
    "nl_report": "EU/NL",
    "de_report": "EU/DE",
    "fr_report": "EU/FR",
    "es_report": "EU/ES",
    "it_report": "EU/IT",
    "us_rule": "US/FED",
    "us_case": "US",
    "us_statute": "US",
    "us_regulation": "US",
}


def jurisdiction_from_citations(kinds_and_forms: list[tuple[str, str]]) -> str | None:
    """The deepest path that every citation agrees on, given at least two citations;
    ECLIs count as their court's or country's path ('ECLI:NL:...' -> EU/NL, 'ECLI:EU:...'
    -> EU). Kinds not in the table count for nothing: national case citations
    ('<country>_case', which cite other courts' decisions) and international instruments
    ('int_*', which any legal system cites) say nothing of this document's own system."""
    paths: list[list[str]] = []
    for kind, normalized in kinds_and_forms:
        if kind.startswith("int_"):
            continue
        path = _CITATION_JURISDICTIONS.get(kind)
        if kind == "ecli":
            path = jurisdiction_for_ecli(normalized)
        if path:
            paths.append(path.split("/"))
    if len(paths) < 2:
        return None
    common = paths[0]
    for other in paths[1:]:
        length = 0
        while length < min(len(common), len(other)) and common[length] == other[length]:
            length += 1
        common = common[:length]
    return "/".join(common) or None

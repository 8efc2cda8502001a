"""Court and jurisdiction: the document's own ECLI or neutral citation, the court table
(UK, EU, DE, FR, NL and a few US courts) and courts-db for US courts, read from the header.

The first header line that names a court decides; lines that name a lower court ('Appeal
from the United States District Court...') are skipped. When a line matches courts that
sit in different jurisdictions, the court stays unknown rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from lexstream.index.extraction.tables import CourtEntry, court_entries, us_state_codes
from lexstream.index.extraction.text import squash

MAX_HEADER_LINES = 80
# Each courts-db look-up runs ~8,400 patterns over one line (tens of milliseconds).
MAX_COURTS_DB_LOOKUPS = 10
_US_COURT_WORDS = re.compile(r"court|circuit|district|board|commission", re.IGNORECASE)
_COURT_WORDS = re.compile(
    r"court|circuit|board|tribunal|chamber|council|gericht|gerichtshof|cour|conseil|raad"
    r"|rechtbank|gerechtshof|bundesgesetzblatt|journal|staatsblad|citation nr|subject:",
    re.IGNORECASE,
)
_LOWER_COURT = re.compile(
    r"^(?:\W*)(?:on\s+)?(?:appeal(?:ed)?\s+from|certiorari\s+to|on\s+appeal|petition\s+for"
    r"|from\s+the|transferred\s+from|remanded\s+to|sur\s+(?:le\s+)?pourvoi|gewezen\s+op)",
    re.IGNORECASE,
)
_ECLI_HEADER = re.compile(r"\bECLI:([A-Z]{2}):([A-Z0-9.]{1,7}):\d{4}:", re.IGNORECASE)
_NEUTRAL_HEADER = re.compile(
    r"\[\d{4}\]\s+(UKSC|UKPC|UKHL|EWCA\s+Civ|EWCA\s+Crim|EWHC|UKUT|UKFTT|EWFC|EWCOP|UKEAT|EAT"
    r"|CSIH|CSOH|HCJAC|NICA|NIQB|NIKB|NICh)\s+\d+(?:\s*\((\w+)\))?"
)
# CM/ECF e-mails write 'U.S. District Court California Northern District'.
_CMECF_DISTRICT = re.compile(
    r"District Court,?\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+(Northern|Southern|Eastern|Western"
    r"|Central|Middle)\s+District",
)


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


def _from_entry(entry: CourtEntry, matched: str | None = None) -> CourtMatch:
    name = squash(matched) if entry.name_from_match and matched else entry.name
    if entry.name_from_match and matched and matched.isupper():
        name = name.title()
    if not entry.is_court:
        return CourtMatch(None, None, entry.jurisdiction)
    return CourtMatch(name, entry.id, entry.jurisdiction)


@cache
def _by_neutral_code() -> dict[str, CourtEntry]:
    table: dict[str, CourtEntry] = {}
    for entry in court_entries():
        for code in entry.neutral_codes:
            table[code.lower()] = entry
    return table


def _by_ecli(country: str, court_code: str) -> CourtEntry | None:
    key = f"{country}:{court_code}".upper()
    best: CourtEntry | None = None
    best_length = 0
    for entry in court_entries():
        for prefix in entry.ecli_prefixes:
            if key.startswith(prefix) and len(prefix) > best_length:
                best, best_length = entry, len(prefix)
    return best


def _own_identifier(header: str) -> CourtMatch | None:
    """The document's own ECLI or neutral citation, printed at its very top."""
    top = header[:400]
    ecli = _ECLI_HEADER.search(top)
    if ecli:
        entry = _by_ecli(ecli.group(1), ecli.group(2))
        if entry:
            return _from_entry(entry)
    neutral = _NEUTRAL_HEADER.search(header[:1500])
    if neutral and (neutral.start() < 400 or "neutral citation" in header[:1500].lower()):
        code = squash(neutral.group(1))
        division = neutral.group(2)
        table = _by_neutral_code()
        entry = table.get(f"{code} ({division})".lower()) if division else None
        entry = entry or table.get(code.lower())
        if entry:
            return _from_entry(entry)
    return None


def _candidate_lines(header: str) -> list[str]:
    lines = [squash(line) for line in header.splitlines()]
    lines = [line for line in lines if line][:MAX_HEADER_LINES]
    candidates: list[str] = []
    for index, line in enumerate(lines):
        if _LOWER_COURT.search(line):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        joined = f"{line} {following}".strip()
        # The joined pair first: 'U.S. District Court' / 'California Northern District'.
        if following and _COURT_WORDS.search(joined) and not _LOWER_COURT.search(following):
            candidates.append(joined)
        if _COURT_WORDS.search(line):
            candidates.append(line)
    return candidates


def _table_match(line: str) -> CourtMatch | None:
    hits: list[CourtMatch] = []
    for entry in court_entries():
        for pattern in entry.patterns:
            found = pattern.search(line)
            if found:
                hits.append(_from_entry(entry, found.group(0)))
                break
    if not hits:
        return None
    if len({hit.jurisdiction for hit in hits}) > 1:
        return NO_COURT
    return hits[0]


def _us_jurisdiction(court: dict[str, object]) -> str | None:
    system = court.get("system")
    if system == "federal":
        return "US/FED"
    location = str(court.get("location") or "")
    code = us_state_codes().get(location)
    if system == "state" and code:
        return f"US/STATE/{code}"
    return None


def _courts_db_ids(line: str, bankruptcy: bool) -> set[str]:
    """courts-db's find_court(allow_partial_matches=True), calling its compiled patterns
    directly (find_court goes through re's cache for each of its ~8,400 patterns)."""
    from courts_db import regexes
    from courts_db.text_utils import strip_punc

    line = strip_punc(line)
    matches = set()
    for regex, court_id, _name, court_type, _location, parent in regexes:
        if (court_type == "bankruptcy") != bankruptcy:
            continue
        found = regex.search(line)
        if found:
            matches.add((found.group(0), court_id, parent))
    parents = {parent for _, _, parent in matches}
    if len(matches) > 1:
        matches = {match for match in matches if match[1] not in parents}
    texts = {text for text, _, _ in matches}
    return {
        court_id
        for text, court_id, _ in matches
        if not any(text != other and text in other for other in texts)
    }


@lru_cache(maxsize=4096)
def _courts_db_match(line: str) -> CourtMatch | None:
    from courts_db import find_court_by_id

    line = _CMECF_DISTRICT.sub(lambda m: f"District Court for the {m[2]} District of {m[1]}", line)
    ids = _courts_db_ids(line, bankruptcy="bankruptcy" in line.lower())
    courts = [court for court_id in sorted(ids) for court in find_court_by_id(court_id)]
    parents = {court.get("parent") for court in courts}
    courts = [court for court in courts if court["id"] not in parents]
    if not courts:
        return None
    if len(courts) > 1:
        return NO_COURT
    court = courts[0]
    if court["id"] in _GENERIC_US_COURTS:
        return None
    return CourtMatch(str(court["name"]), str(court["id"]), _us_jurisdiction(court))


def warm_up() -> None:
    """courts-db compiles its ~8,400 patterns on first use (several seconds)."""
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
    "eu_article": "EU",
    "eu_oj": "EU",
    "uk_neutral": "UK",
    "uk_report": "UK",
    "uk_statute": "UK",
    "de_statute": "EU/DE",
    "de_gazette": "EU/DE",
    "fr_statute": "EU/FR",
    "nl_statute": "EU/NL",
    "us_case": "US",
    "us_statute": "US",
    "us_regulation": "US",
}


def jurisdiction_from_citations(kinds_and_forms: list[tuple[str, str]]) -> str | None:
    """The deepest path that every citation agrees on, given at least two citations;
    ECLIs count as their country ('ECLI:NL:...' -> EU/NL, 'ECLI:EU:...' -> EU)."""
    paths: list[list[str]] = []
    for kind, normalized in kinds_and_forms:
        path = _CITATION_JURISDICTIONS.get(kind)
        if kind == "ecli":
            country = normalized.split(":")[1]
            path = "EU" if country == "EU" else f"EU/{country}"
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

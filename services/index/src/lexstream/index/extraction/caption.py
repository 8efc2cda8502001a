"""Case numbers, parties, judges and title from the caption at the head of a document."""

from __future__ import annotations

import re

from lexstream.index.extraction.text import squash

# --- case and docket numbers ------------------------------------------------------------

_NUMBER_TOKEN = r"(?=[\w./:-]*\d)[A-Z0-9][\w./:-]{0,30}[A-Za-z0-9]"
_LABELLED_NUMBER = re.compile(
    r"(?<![\w.])(?P<lower>D\.\s?C\.\s+|Citation\s+|Bar\s+)?(?:Case|Docket|Appeal|Claim|Cause|File|Index|Application"
    r"|Petition|Appellate Case)?\s*(?:No|Nos|Number|Numbers|Nr)\.?\s*[:.]?\s*(?P<numbers>"
    + _NUMBER_TOKEN
    + r"(?:\s*(?:,|;|and|&)\s*"
    + _NUMBER_TOKEN
    + r")*)",
    re.IGNORECASE,
)
_ECF_CASE = re.compile(r"^\s*(?:Appellate\s+)?Case:\s*(?P<numbers>\d[\w:-]*\d[\w-]*)", re.MULTILINE)
_FR_POURVOI = re.compile(r"\b[Pp]ourvoi\s+n[°o]\s*(?:[A-Z]\s+)?(?P<numbers>\d{2}-\d{2}\.\d{3})")
_FR_RG = re.compile(r"\bR\.\s?G\.?\s*(?:n[°o])?\s*:?\s*(?P<numbers>\d[\d/-]{4,}\d)")
_EU_CASES = re.compile(
    r"\b(?:In\s+|Dans\s+l(?:es\s+|')|In\s+der\s+|In\s+den\s+)?(?:Joined\s+)?"
    r"(?:Cases?|affaires?(?:\s+jointes)?|(?:verbundenen\s+)?Rechtssachen?)\s+"
    r"(?P<numbers>[CTF]-\d{1,4}/\d{2}(?:\s?P)?"
    r"(?:\s*(?:,|and|to|et|und)\s*[CTF]-\d{1,4}/\d{2}(?:\s?P)?)*)"
)
_DE_AZ = re.compile(
    r"\b(?P<numbers>(?:[IVX]{1,5}|\d{1,2})\s+(?:ZR|ZB|StR|AZR|ABR|BvR|BvL|BvE|C|K|R|B|U|ARs)"
    r"\s+\d{1,5}/\d{2})\b"
)
_NL_NUMBER = re.compile(
    r"(?:\b(?:zaaknummer|rolnummer|zaaknr\.?)\s*:?\s*|,\s*\d{2}-\d{2}-\d{4}\s*/\s*)"
    r"(?P<numbers>\d[\w./-]*\d)",
    re.IGNORECASE,
)
_STANDALONE = re.compile(r"^\s*(?P<numbers>\d{2,4}-\d{3,5}(?:-[a-z]{2,3})?)\s*$", re.MULTILINE)
_SPLIT_NUMBERS = re.compile(r"\s*(?:,|;|\band\b|&|\bto\b|\bet\b|\bund\b)\s*")
_FR_NUMBER_LINE = re.compile(r"^\s*N°\s*(?:RG\s*)?(?P<numbers>\d[\d/.-]*\d)", re.MULTILINE)


def find_case_numbers(header: str, *, eu_cases: bool = True) -> list[str]:
    numbers: list[str] = []

    def add(raw: str) -> None:
        for part in _SPLIT_NUMBERS.split(raw):
            value = part.strip(" .,;:")
            if value and any(ch.isdigit() for ch in value) and value not in numbers:
                numbers.append(value)

    patterns = (_EU_CASES,) if eu_cases else ()
    for pattern in (*patterns, _FR_POURVOI, _FR_RG, _FR_NUMBER_LINE, _DE_AZ, _NL_NUMBER, _ECF_CASE):
        for match in pattern.finditer(header):
            add(match["numbers"])
    for match in _LABELLED_NUMBER.finditer(header):
        if match["lower"]:
            continue
        add(match["numbers"])
    top = "\n".join(header.splitlines()[:15])
    for match in _STANDALONE.finditer(top):
        add(match["numbers"])
    return numbers[:20]


# --- parties ----------------------------------------------------------------------------

_SEPARATOR_LINE = re.compile(
    r"^\W*(?:v|vs|versus|v/s|c|contre|gegen|tegen|against|\./\.)\W*$|^\s*-\s*and\s*-\s*$",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"^\W*(?:(?:plaintiffs?|defendants?|appellants?|appellees?|petitioners?|respondents?"
    r"|claimants?|applicants?|employee|employer|carrier|intervenors?|cross|counter|third"
    r"|interested|party|parties|real|in|the|and|or|/|-|,|\s)+)\W*$",
    re.IGNORECASE,
)
_INLINE = re.compile(
    r"^(?P<left>[^\n]{2,120}?)\s+(?:v\.?|vs\.?|versus|c\.|\./\.|gegen)\s+(?P<right>[^\n]{2,120})$",
    re.IGNORECASE,
)
_TRAILING_ROLE = re.compile(
    r"[,;]?\s*\(?(?:plaintiffs?|defendants?|appellants?|appellees?|petitioners?|respondents?"
    r"|claimants?)(?:[-/ ,]+(?:plaintiffs?|defendants?|appellants?|appellees?|petitioners?"
    r"|respondents?|claimants?))*\)?[.,]?\s*$",
    re.IGNORECASE,
)


def _party(line: str) -> str:
    line = line.split(")")[0] if re.search(r"\)\s*(?:Docket|State File|$)", line) else line
    line = _TRAILING_ROLE.sub("", squash(line))
    return line.strip(" ,;.-")[:150] or ""


def _header_lines(header: str) -> list[str]:
    lines = []
    for raw in header.splitlines()[:150]:
        line = squash(raw)
        if re.fullmatch(r"\)?\s*", line) or re.fullmatch(r"[-_=*\s]+", line):
            continue
        lines.append(line)
    return lines


def find_parties(header: str) -> list[str]:
    lines = _header_lines(header)
    for index, line in enumerate(lines):
        if not _SEPARATOR_LINE.match(line.strip(") ")) or index == 0:
            continue
        before = [item for item in lines[max(0, index - 4) : index] if not _ROLE.match(item)]
        after = [item for item in lines[index + 1 : index + 5] if not _ROLE.match(item)]
        if before and after:
            left, right = _party(before[-1]), _party(after[0])
            if left and right and left.lower() not in {"between", "before"}:
                return [left, right]
    for line in lines[:80]:
        match = _INLINE.match(line)
        if match and not re.search(r"\d{3}\s+(?:U\.\s?S\.|F\.\s?\dd)", line):
            left, right = _party(match["left"]), _party(match["right"])
            left = re.sub(r"^(?:Subject|Re|In re|Case Name)\s*:\s*", "", left, flags=re.I)
            left = re.sub(r"^Activity in Case\s+\S+\s+", "", left, flags=re.I)
            if left and right:
                return [left, right]
    return []


# --- judges -----------------------------------------------------------------------------

_BENCH = re.compile(
    r"(?:^|\n)\s*(?:Before|Coram|Justices|Present)\s*:?\s*(?P<names>.{3,400}?)"
    r"(?:\n\s*\n|\n\s*[-_]{3,}|\.\s*\n|$)",
    re.IGNORECASE | re.DOTALL,
)
_EU_BENCH = re.compile(r"composed of (?P<names>.{3,500}?),\s+Judges\b", re.DOTALL)
_JUDGE_LINE = re.compile(
    r"^\s*(?:Judge|Presiding Judge|Chief Judge|Richter(?:in)?)\s+(?P<names>[A-Z][\w.' -]{3,60})$",
    re.MULTILINE,
)
_ROLE_WORDS = re.compile(
    r"\b(?:Senior\s+|Chief\s+)?(?:Circuit|District|Magistrate|Bankruptcy)?\s*Judges?\b|"
    r"\bPresident of the Chamber\b|\(Rapporteur\)|\(sitting as [^)]*\)|\bJustices?\b(?=\s*[.,;]|$)"
    r"|\bVice-President\b|\bPresident\b",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:;|,|\band\b|\n|&)\s*", re.IGNORECASE)


def find_judges(header: str) -> list[str]:
    found: list[str] = []
    for pattern in (_EU_BENCH, _BENCH, _JUDGE_LINE):
        match = pattern.search(header)
        if not match:
            continue
        names = _ROLE_WORDS.sub(",", match["names"])
        names = re.sub(r"(?<=[A-Z])and\b", " and", names)  # 'NUGEEand' as laid out in DOCX
        for part in _NAME_SPLIT.split(names):
            name = squash(part).strip(" .,:;")
            if name.lower() in {"between", "and", "the"}:
                continue
            if 2 < len(name) <= 60 and any(ch.isalpha() for ch in name) and name not in found:
                found.append(name)
        if found:
            break
    return found[:15]

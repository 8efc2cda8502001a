"""Case and docket numbers from the caption at the head of a document (parties: parties.py)."""

from __future__ import annotations

import re

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

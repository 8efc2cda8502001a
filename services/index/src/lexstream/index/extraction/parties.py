"""Parties, counsel and judges from the caption at the head of a document."""

from __future__ import annotations

import re

from lexstream.index.extraction.text import squash

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

"""Case and docket numbers from the caption at the head of a document (parties: parties.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# --- citations of other decisions, whose numbers are not this document's ---------------

# A number that follows a cue ('vgl.', 'siehe', 'cf.', 'voir', 'véase', 'zie', 'see') or
# a court's name and the date of its decision ('BGH, Urteil vom 17. Dezember 2013 – ',
# 'Cass. civ. 2e, 5 mars 2015, n° ') is a citation of another decision.
_CITE_CUE = re.compile(
    r"\b(?:vgl|siehe|s\.\s?a|cf|cfr|voir|véase|vease|v[ée]anse|zie|see|ebenso|infra|supra)\b"
    r"\.?\s*(?:auch|also|aussi|ook|ya|tambi[ée]n|e\.g\.,?)?[^.;()\n]{0,90}$",
    re.IGNORECASE,
)
_SPELLED_MONTHS = (
    r"jan\w*|f[ée]v\w*|feb\w*|m[äa]r\w*|apr\w*|avr\w*|ma[iy]\w*|mei|jun\w*|jui\w*|jul\w*"
    r"|aug\w*|ao[uû]t|sep\w*|set\w*|o[ck]t\w*|nov\w*|d[eé][cz]\w*|ene\w*|gen\w*|giu\w*"
    r"|lug\w*|ott\w*|dic\w*|out\w*|maart|ma[rg]\w*"
)
_OTHER_DECISION = re.compile(
    r"(?:\b(?:Urteil|Beschluss|Entscheidung|arr[êe]t|jugement|d[ée]cision|ordonnance|sentencia"
    r"|auto|sentenza|ordinanza|ac[óo]rd[ãa]o|uitspraak|arrest|beschikking|judgment|order"
    r"|decision)\b[^\n\d]{0,25})?"
    r"\b\d{1,2}(?:er|\.)?\s*(?:(?:de\s+)?(?:" + _SPELLED_MONTHS + r")\.?(?:\s+de)?|\d{1,2}\.)\s*"
    r"(?:19|20)\d{2}\s*(?:[,–—-]|\s)\s*(?:(?:pourvoi|req\.|requête|recurso)?\s*"
    r"(?:Az\.|n[°ºo]\.?|nr\.?|no\.?|rol|RG)\s*:?\s*)?$",
    re.IGNORECASE,
)
# Spanish Supreme Court and similar citations name the court in the number: 'STS 1234/2019',
# 'SAP Madrid 123/2018', 'ATS 45/2020', 'STC 31/2010' (Tribunal Constitucional).
# An act's number: 'Regulation (EC) No 45/2001', 'Verordnung (EU) Nr. 1093/2010'.
_ACT_NUMBER = re.compile(
    r"\b(?:Regulation|Directive|Decision|Verordnung|Richtlinie|Beschluss|Règlement|Directive"
    r"|Reglamento|Directiva|Regolamento|Direttiva|Verordening|Richtlijn|Regulamento|Diretiva)"
    r"\s*(?:\([A-Za-z, ]{2,15}\)\s*)?(?:No\.?|Nr\.?|n[°º.]+|núm\.)?\s*$",
    re.IGNORECASE,
)
_ES_DECISION = re.compile(r"\b[SA](?:TS|TC|AP|TSJ|AN|TJUE|TEDH)\b[^\n\d]{0,30}$")
# The first lines of a document are its own caption, where a title such as 'BGH, Urteil vom
# 24. März 2021 – VIII ZR 229/20' names the document itself.
_OWN_TITLE_CHARS = 200
# Citations whose spans hold no number of this document's own: all but the document's own
# identifiers (ECLI, neutral citation, CELEX) and EU case numbers, which extract() settles.
_OWN_CAPABLE_KINDS = frozenset({"eu_case", "ecli", "uk_neutral", "celex"})


def cited_spans(citations: Iterable[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """The spans of (kind, start, end) citations that a case number inside is part of:
    another decision ('de_case', 'fr_case', 'es_case' ...), an act ('Regulation (EC) No
    45/2001'), a gazette ('BGBl. 2023 I Nr. 88')."""
    return [(start, end) for kind, start, end in citations if kind not in _OWN_CAPABLE_KINDS]


def _is_citation(header: str, start: int, spans: list[tuple[int, int]]) -> bool:
    if start < _OWN_TITLE_CHARS and "\n" not in header[:start].strip():
        return False
    if any(lo <= start < hi and "\n" not in header[lo:start] for lo, hi in spans):
        return True
    before = header[max(0, start - 120) : start]
    return bool(
        _CITE_CUE.search(before)
        or _OTHER_DECISION.search(before)
        or _ES_DECISION.search(before)
        or _ACT_NUMBER.search(before)
    )


# --- case and docket numbers ------------------------------------------------------------

_NUMBER_TOKEN = r"(?=[\w./:-]*\d)[A-Z0-9][\w./:-]{0,30}[A-Za-z0-9]"
_LABELLED_NUMBER = re.compile(
    r"(?<![\w.])(?P<lower>D\.\s?C\.\s+|Citation\s+|Bar\s+|Tel(?:ephone)?\.?\s+|Phone\s+|Fax\s+)?(?:Case|Docket|Appeal|Claim|Cause|File|Index|Application"
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
# A docket after its label in German, Austrian, Spanish, Italian and Portuguese captions:
# 'Az.: 27 O 123/21', 'Aktenzeichen L 3 AS 12/19', 'GZ 1 Ob 12/20x', 'Recurso nº 1234/2019',
# 'R.G. n. 12345/2019', 'Processo n.º 123/19.0T8LSB'.
_LABELLED_CIVIL = re.compile(
    r"(?:\bAz\.|\bAktenzeichen\b|\bGeschäftszeichen\b|\bGeschäftsnummer\b|\bGeschäftszahl\b|\bGZ\b"
    r"|\bRecurso\s+(?:de\s+[a-zñ]+\s+)?n\.?\s?[º°o]\.?|\bProcesso\s+n\.?\s?[º°o]\.?"
    r"|\bRicorso\s+n\.|\bR\.\s?G\.\s?n\.)\s*:?\s*"
    r"(?P<numbers>(?:[A-Z]{1,2}\s)?(?:[IVX]{1,5}|\d{1,3})\s+[A-Za-z]{1,5}\s+\d{1,6}/\d{2,4}[a-z]?"
    r"|\d{1,6}/\d{2,4}(?:[.\w-]*\w)?)"
)
_NL_NUMBER = re.compile(
    r"(?:\b(?:zaaknummer|rolnummer|zaaknr\.?)\s*:?\s*|,\s*\d{2}-\d{2}-\d{4}\s*/\s*)"
    r"(?P<numbers>\d[\w./-]*\d)",
    re.IGNORECASE,
)
_STANDALONE = re.compile(r"^\s*(?P<numbers>\d{2,4}-\d{3,5}(?:-[a-z]{2,3})?)\s*$", re.MULTILINE)
_SPLIT_NUMBERS = re.compile(r"\s*(?:,|;|\band\b|&|\bto\b|\bet\b|\bund\b)\s*")
_FR_NUMBER_LINE = re.compile(r"^\s*N°\s*(?:RG\s*)?(?P<numbers>\d[\d/.-]*\d)", re.MULTILINE)


def find_case_numbers(
    header: str, *, eu_cases: bool = True, cited: list[tuple[int, int]] | None = None
) -> list[str]:
    """This document's own case and docket numbers. Numbers inside citations (``cited``:
    spans from :func:`cited_spans`) or after a citation's cue or another decision's court
    and date are not (see :func:`_is_citation`)."""
    numbers: list[str] = []
    spans = cited or []
    own_civil = (_FR_POURVOI, _FR_RG, _FR_NUMBER_LINE, _DE_AZ, _LABELLED_CIVIL, _NL_NUMBER)

    def add(raw: str) -> None:
        for part in _SPLIT_NUMBERS.split(raw):
            value = part.strip(" .,;:")
            if value and any(ch.isdigit() for ch in value) and value not in numbers:
                numbers.append(value)

    patterns = (_EU_CASES,) if eu_cases else ()
    for pattern in (*patterns, *own_civil, _ECF_CASE):
        for match in pattern.finditer(header):
            if pattern in own_civil and _is_citation(header, match.start("numbers"), spans):
                continue
            add(match["numbers"])
    for match in _LABELLED_NUMBER.finditer(header):
        if match["lower"] or _is_citation(header, match.start("numbers"), spans):
            continue
        add(match["numbers"])
    top = "\n".join(header.splitlines()[:15])
    for match in _STANDALONE.finditer(top):
        add(match["numbers"])
    return numbers[:20]

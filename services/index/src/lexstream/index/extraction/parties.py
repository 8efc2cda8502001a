"""Parties, counsel and judges from the caption at the head of a document.

The caption is read as a sequence of lines: names, role words ('Appellant', 'Klägerin und
Revisionsklägerin', 'Defendant-Appellee'), separators between the sides ('v', '- and -',
'gegen', 'contre', 'tegen') and the headings that open and close it ('Between', 'In dem
Rechtsstreit', 'in the proceedings', 'THE COURT', counsel and hearing lines). Role words
come from a lexicon per language and are normalised to English; the words as printed are
kept in ``Person.role_text``. Everything is compiled at import and reads at most
``MAX_LINES`` lines of the header.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexstream.index.extraction.models import Person
from lexstream.index.extraction.text import squash

MAX_LINES = 150
_MAX_BLOCK = 120  # lines of one caption block (blank runs count as one)
_MAX_PARTIES = 40
_MAX_LINE = 600  # characters of one line that are read
_CLOSING_PARENS = re.compile(r"\)+")

# --- the role lexicon -------------------------------------------------------------------
# Normalised role -> the words that print it, per legal system. Longer forms first inside an
# alternation is not needed: each entry is matched as a whole word.
ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "claimant": (
        # en (UK, IE), de, fr, es, it, nl
        r"claimants?",
        r"pursuers?",
        r"Kläger(?:in|innen)?",
        r"Klägers",
        r"demandeu(?:r|rs|se)",
        r"demanderesses?",
        r"demandantes?",
        r"actor(?:a|es)?",
        r"attor(?:e|i|ice)",
        r"eise(?:r|res|ressen|s)",
    ),
    "plaintiff": (r"plaintiffs?",),
    "defendant": (
        r"defendants?",
        r"defenders?",
        r"Beklagten?",
        r"Beklagter",
        r"défendeu(?:r|rs)",
        r"défenderesses?",
        r"demandad(?:o|a|os|as)",
        r"convenut[oaie]",
        r"gedaagden?",
    ),
    "appellant": (
        r"appellants?",
        r"(?:Revisions|Berufungs|Rechtsbeschwerde|Beschwerde)?kläger(?:in|innen)?",
        r"Revisionsklägers",
        r"Berufungsklägers",
        r"appelante?s?",
        r"apelantes?",
        r"appellante?",
        r"appellanti",
        r"appelant(?:e|es|s)?",
    ),
    "respondent": (
        r"respondents?",
        r"appellees?",
        r"(?:Revisions|Berufungs|Rechtsbeschwerde|Beschwerde)beklagten?",
        r"(?:Revisions|Berufungs|Rechtsbeschwerde|Beschwerde)beklagter",
        r"intimée?s?",
        r"apelad(?:o|a|os|as)",
        r"recurrid(?:o|a|os|as)",
        r"appellat[oaie]",
        r"resistent[ei]",
        r"controricorrent[ei]",
        r"verweer(?:der|ders|ster|sters)",
        r"geïntimeerden?",
        r"Antragsgegner(?:in|innen)?",
        r"Beschwerdegegner(?:in|innen)?",
        r"Beteiligte(?:r|n)?(?=\s+zu)",
        r"défendeu(?:r|rs|se)\s+au\s+pourvoi",
    ),
    "applicant": (
        r"applicants?",
        r"Antragsteller(?:in|innen)?",
        r"requérante?s?",
        r"solicitantes?",
        r"richiedent[ei]",
        r"verzoek(?:er|ers|ster|sters)",
    ),
    "petitioner": (r"petitioners?", r"pétitionnaires?"),
    "complainant": (
        r"complainants?",
        r"Beschwerdeführer(?:in|innen)?",
        r"plaignante?s?",
    ),
    "appellant_cassation": (
        r"recurrentes?",
        r"ricorrent[ei]",
        r"demandeu(?:r|rs|se)\s+au\s+pourvoi",
        r"eise(?:r|res)\s+tot\s+cassatie",
        r"appellant(?:e|en)?",
    ),
    "intervener": (
        r"interven(?:er|ers|or|ors|ing\s+part(?:y|ies)|ing)",
        r"Streithelfer(?:in|innen)?",
        r"Nebenintervenient(?:in)?",
        r"intervenante?s?",
        r"intervinientes?",
        r"interveniente?i?",
        r"tussenkom(?:st|ende)\s+part(?:ij|ijen)",
        r"belanghebbenden?",
    ),
    "third_party": (
        r"(?:third|fourth|fifth|sixth|seventh|eighth|\d+(?:st|nd|rd|th))\s+part(?:y|ies)",
        r"Dritt(?:e|er|en)",
        r"Drittwiderbeklagten?",
        r"tiers?",
        r"terceros?",
        r"terz[oi]",
        r"derden?",
    ),
    "interested_party": (
        r"interested\s+part(?:y|ies)",
        r"Beigeladen(?:e|er|en)?",
        r"Beteiligte(?:r|n)?",
        r"parties?\s+intéressées?",
    ),
    "other_party": (
        r"other\s+part(?:y|ies)(?:\s+to\s+the\s+proceedings)?",
        r"weitere\s+Beteiligte",
        r"autres?\s+parties?",
    ),
    "party_main_proceedings": (r"part(?:y|ies)\s+(?:to|in)\s+the\s+main\s+proceedings",),
    "prosecutor": (
        r"prosecutors?",
        r"prosecution",
        r"Staatsanwaltschaft",
        r"ministère\s+public",
        r"ministerio\s+fiscal",
        r"pubblico\s+ministero",
        r"openbaar\s+ministerie",
    ),
    "accused": (
        r"accused",
        r"Angeklagte(?:r|n)?",
        r"prévenue?s?",
        r"accusée?s?",
        r"acusad(?:o|a|os|as)",
        r"imputat[oaie]",
        r"verdachten?",
    ),
    "debtor": (r"debtors?", r"Schuldner(?:in)?", r"débiteur", r"deudor(?:a|es)?"),
    "creditor": (r"creditors?", r"Gläubiger(?:in)?", r"créancier(?:e|s)?", r"acreedor(?:a|es)?"),
    "employee": (r"employee",),
    "employer": (r"employer",),
}
# 'Revisionsklägerin' is an appellant, 'recurrente' the party bringing a recurso: both are
# appellants in English; the separate key above only keeps the lexicon readable.
_ALIASES = {"appellant_cassation": "appellant", "plaintiff": "claimant"}

# One pattern, a named group per role in the order above: the first role whose words match
# the whole token wins.
_ROLE_OF = re.compile(
    "(?:"
    + "|".join(f"(?P<{role}>{'|'.join(words)})" for role, words in ROLE_WORDS.items())
    + r")\Z",
    re.IGNORECASE,
)

_ANY_ROLE = "|".join(
    sorted({word for words in ROLE_WORDS.values() for word in words}, key=len, reverse=True)
)
_ORDINAL = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)"
    r"|erste[rn]?|zweite[rn]?|dritte[rn]?|premi(?:er|ère)|second(?:e)?|primer[oa]?"
    r"|segund[oa]|primo|prima|secondo|seconda|eerste|tweede|lead|proposed|additional"
    r"|cross|counter|Part\s+20|Widers?|Anschluss|real|principal|main|co|joint|sole|\d+\.)"
)
_INSTANCE = (
    r"(?:\s+(?:in|to)\s+the\s+main\s+proceedings|\s+(?:in|tot)\s+(?:cassatie|hoger\s+beroep)"
    r"|\s+en\s+(?:cassation|appel|casación|apelación)|\s+in\s+cassazione|\s+au\s+pourvoi"
    r"|\s+below|\s+in\s+error)?"
)
_ROLE_TOKEN = rf"(?:{_ORDINAL}[\s-]+)*(?:{_ANY_ROLE}){_INSTANCE}"
_CONNECT = r"(?:\s*(?:,|/|-|–|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bcum\b)\s*|\s+)"
_ROLE_PHRASE = rf"(?:{_ROLE_TOKEN})(?:{_CONNECT}(?:{_ROLE_TOKEN}))*"

# A line that is only role words: 'Appellant', '(Claimant)', 'Claimants/ Respondents',
# 'Klägerin und Revisionsklägerin,', 'Plaintiff-Appellant,', 'DEMANDEUR :'.
_ROLE_LINE = re.compile(
    rf"^[\s(\[-]*(?:the\s+|die\s+|der\s+|la\s+|le\s+|les\s+|el\s+|il\s+|de\s+)?"
    rf"(?P<role>{_ROLE_PHRASE})[\s)\].,;]*(?P<colon>:)?[\s)\].,;-]*$",
    re.IGNORECASE,
)
# 'Role: Name' on one line (tribunal and Spanish/Italian layouts): 'Appellant: Nico Ltd'.
_ROLE_LABEL = re.compile(
    rf"^\s*(?P<role>{_ROLE_PHRASE})\s*:\s*(?P<name>\S.{{1,150}})$",
    re.IGNORECASE,
)
# 'Name, role words' / 'Name (Role)' / 'NAME<tab>Appellant' / 'NAME - FIRST APPELLANT'.
_TRAILING_ROLE = re.compile(
    rf"(?:\s*[,;]\s*|\s+[-–]\s+|\s{{2,}}|\t|\s*\(\s*(?=[^)]*\)\W*$)|\s+(?=[A-Z][a-z]+\W*$))"
    rf"(?:the\s+|die\s+|der\s+|la\s+|le\s+|el\s+|il\s+)?(?P<role>{_ROLE_PHRASE})[\s).,;:]*$",
    re.IGNORECASE,
)


def _role_line(line: str) -> re.Match[str] | None:
    """The match of a line that is only role words (never a long line)."""
    return _ROLE_LINE.match(line) if len(line) <= 120 else None


_FIRST_TOKEN = re.compile(_ROLE_TOKEN, re.IGNORECASE)
_ORDINALS = re.compile(rf"^(?:{_ORDINAL}[\s-]+)+", re.IGNORECASE)
_MAIN_PROCEEDINGS = re.compile(rf"{_INSTANCE}$", re.IGNORECASE)


def _role_of(role_text: str) -> str | None:
    """The normalised role of printed role words: the first word that names one."""
    text = squash(role_text)
    first = _FIRST_TOKEN.match(text)
    token = first.group(0) if first else text
    bare = _MAIN_PROCEEDINGS.sub("", _ORDINALS.sub("", token))
    for candidate in (token, bare):  # 'Third Party' is a role, 'Third Defendant' a defendant
        match = _ROLE_OF.match(candidate)
        if match and match.lastgroup:
            return _ALIASES.get(match.lastgroup, match.lastgroup)
    return None


# --- caption structure ------------------------------------------------------------------

_SEPARATOR_LINE = re.compile(
    r"^[\s(]*(?:v|vs|versus|v/s|c/|contre|gegen|tegen|against|contra|contro|\./\.|and"
    r"|and between)[\s.:)–-]*$|^\s*(?:et|ET|y|e|en)\s*:\s*$"
    r"|^\s*-+\s*(?:and|v|vs|versus|gegen|contre|tegen)\s*-+\s*$",
    re.IGNORECASE,
)
# Lines that open a caption: what follows them (to a separator) is the first side.
_OPENER = re.compile(
    r"^\s*(?:between|entre|zwischen|tussen|in the matter of|in the cause"
    r"|in the proceedings(?: between)?"
    r"|in dem Rechtsstreit"
    r"|in der (?:\w+)?(?:rechts)?sache|in Sachen|in the case of|dans l'affaire|dans la cause"
    r"|en la causa|en el (?:recurso|procedimiento)|nella causa|nel procedimento|inzake"
    r"|in de zaak (?:van)?|in het geding (?:van|tussen)?|sur le pourvoi formé par"
    r"|(?:sul )?ricorso (?:proposto|promosso) da|promosso da|tra|fra|en el recurso de \w+"
    r"|interpuesto por)\b[\s:,]*$",
    re.IGNORECASE,
)
# ... or end it: 'REQUEST for a preliminary ruling ... in the proceedings'.
_OPENER_END = re.compile(
    r"\b(?:in (?:the )?(?:criminal )?proceedings(?: between| brought by| against)?"
    r"|dans la procédure|dans l'affaire|im Verfahren|in dem Verfahren|en el procedimiento"
    r"|nel procedimento|in de procedure|in het geding)\s*:?\s*$",
    re.IGNORECASE,
)


def _opener(line: str) -> bool:
    return bool(_OPENER.match(line) or _OPENER_END.search(line[-60:]))


# Lines that close a caption (counsel, the bench, the start of the decision).
_CLOSER = re.compile(
    r"^\s*(?:THE COURT\b|LA COUR\b|DER\b.*\bSENAT\b|composed of|composée de|before\b|coram\b"
    r"|representation|appearances|hearing dates?|heard on|judgment\b|decision\b|order\b"
    r"|approved judgment|reasons\b|opinion\b|MEMORANDUM|ORDER AND|OPINION AND|Date:|Datum"
    r"|hat der\b|hat das\b|erkennt\b|für Recht erkannt|Tenor|LE TRIBUNAL|PAR CES MOTIFS"
    r"|FALLO|FALLAMOS|P\.Q\.M\.|uitspraak|beslissing|counsel\b|attorneys? for|for the \w+\s*:"
    r"|ON APPEAL FROM|Advocate General|Registrar|having regard|after considering"
    r"|(?:makes|gives) the following|rend l'arrêt|a rendu|Statuant"
    r"|\(?instructed by|Mr\.? [A-Z][\w'-]+(?: [A-Z][\w'-]+)* (?:QC|KC)\b"
    r"|Re:|Transcript|Tel\b|©|Royal Courts"
    r"|[-–]?\s*Prozessbevollmächtigte|Verfahrensbevollmächtigte)",
    re.IGNORECASE,
)
_FOR_END = re.compile(r"\b(?:for|on behalf of) the \w+\s*$", re.IGNORECASE)


def _closer(line: str) -> bool:
    """Counsel, the bench, the start of the decision: the caption is over."""
    return bool(
        _CLOSER.match(line) or "instructed by" in line.lower() or _FOR_END.search(line[-40:])
    )


_CASE_LINE = re.compile(
    r"^\s*(?:Case|Claim|Appeal)\s+(?:No|Number|ref)|^\s*(?:No\.|Docket)\s"
    r"|^\s*In (?:Joined )?Cases? [A-Z]?-?\d",
    re.IGNORECASE,
)
# Counsel printed inside a civil-law rubrum, under their party: skipped, read by find_counsel.
_COUNSEL_IN_CAPTION = re.compile(
    r"^\s*[-–]?\s*(?:(?:Prozess|Verfahrens)bevollmächtigte|représentée? par|vertreten durch"
    r"|avec pour avocat|ayant pour avocat|representad[oa] por|rappresentat[oa] e difes[oa]"
    r"|advocaat:|gemachtigde:)",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"^[-_=*~.\s–—]{3,}$")
_ROLE_HEADING = re.compile(rf"^\s*(?:{_ROLE_PHRASE})\s*:\s*$", re.I)
_NOT_A_NAME = re.compile(
    r"^\s*(?:\(?\s*(?:formerly|previously|trading as|t/a|also known as|anonymity"
    r"|by (?:his|her|their)"
    r"|acting by|a child|a protected party|suing)\b.*|\((?:[^()]|\([^()]*\))*\)|[\d\s./-]+"
    r"|et al\.?|and others|-|.*\bon the application of)\s*$",
    re.IGNORECASE,
)
_NUMBERING = re.compile(
    r"^\s*(?:\(\s*\d{1,3}\s*\)|\d{1,3}[.)]|[a-z]\))\s*|\s*\(\s*\d{1,3}\s*\)\s*$"
)
_CASE_PAREN = re.compile(r"\s*\((?:[^()]*\d+/\d+[^()]*|Case [^()]*)\)\s*$", re.IGNORECASE)
_ET_AL = re.compile(
    r",?\s+(?:et\s+al\.?|and\s+(?:others|another)|u\.\s*a\.|e\.\s*a\.|y\s+otros|et\s+autres"
    r"|en\s+anderen|e\s+altri)\s*$",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r",\s*(?:(?:formerly|previously|vormals|anciennement|established|residing|domiciled"
    r"|having its (?:registered|head) office|ayant son siège|dont le siège|wohnhaft|demeurant"
    r"|domicilié|domiciliado|residente|wonende|gevestigd"
    r"|vertreten durch|représentée? par|represented by|c/o)\b.*|[^,]*\d.*)$",
    re.IGNORECASE,
)
_INLINE = re.compile(
    r"^(?P<left>[^\n]{2,150}?)\s+(?:v\.?|vs\.?|versus|(?-i:c\.)|c/|contre|\./\.|gegen|tegen|-v-)\s+"
    r"(?P<right>[^\n]{2,150})$",
    re.IGNORECASE,
)
_LOWER_WORD = re.compile(r"(?<![\w'])[a-zäöüßéèêàâçñóíúìò]\w*")


def _sentence(line: str) -> bool:
    """Body text rather than a caption line: nine or more lowercase words."""
    return len(_LOWER_WORD.findall(line, 0, 400)) >= 9


def _header_lines(header: str) -> list[str]:
    """The first MAX_LINES lines, squashed; a run of blank lines becomes one ''."""
    lines: list[str] = []
    for raw in header.splitlines()[:MAX_LINES]:
        line = squash(raw[:_MAX_LINE]).strip("*_ ")  # Markdown emphasis (EUR-Lex, court sites)
        if not line:
            if lines and lines[-1]:
                lines.append("")
            continue
        if _CLOSING_PARENS.fullmatch(line):
            continue  # the ')' column of a US caption
        lines.append(line.strip(" )") if line.endswith(")") and "(" not in line else line)
    return lines


def _clean_name(text: str) -> str:
    name = squash(text).strip(" ,;:")
    name = re.sub(r"\s*\)\s*(?:Case|No\.|Civil|Docket|Index).*$", "", name, flags=re.I)
    name = name.strip(" )") if name.count(")") > name.count("(") else name
    name = _NUMBERING.sub("", name)
    name = _NUMBERING.sub("", name)
    name = _CASE_PAREN.sub("", name)
    name = _ET_AL.sub("", name)
    name = _ADDRESS.sub("", name)
    return name.strip(" ,;:-–")[:150]


def _split_role(line: str) -> tuple[str, str | None]:
    """A name line and the role words printed after the name, if any."""
    match = _TRAILING_ROLE.search(line)
    if match and match.start() > 0:
        name = _clean_name(line[: match.start()])
        if name and not _role_line(name):
            return name, squash(match["role"]).strip(" ,;.")
    return _clean_name(line), None


def _is_name(line: str) -> bool:
    if len(line) > 160 or _sentence(line) or _NOT_A_NAME.match(line):
        return False
    if _RULE_LINE.match(line) or _closer(line) or _opener(line):
        return False
    return any(ch.isalpha() for ch in line)


class _Caption:
    """Collects the parties of one caption block, side by side."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.pending: list[int] = []  # parties of the current side still without a role
        self.heading: tuple[str, str] | None = None  # a role printed before its names
        self.roleless: list[list[int]] = []  # earlier sides whose role has not come yet
        self.headed: set[int] = set()  # parties listed under a heading ('interested party:')

    def add(self, name: str, role_text: str | None) -> None:
        if not name or len(self.people) >= _MAX_PARTIES:
            return
        if role_text is None and self.heading is not None:
            role_text = self.heading[1]
            self.headed.add(len(self.people))
        role = _role_of(role_text) if role_text else None
        self.people.append(Person(name=name, role=role, role_text=role_text))
        if role_text is None:
            self.pending.append(len(self.people) - 1)

    def role(self, role_text: str, *, heading: bool) -> None:
        role_text = squash(role_text).strip(" ,;.:()")
        role = _role_of(role_text)
        if not heading and (self.pending or self.roleless):
            # Roles stacked under the last side ('Defendant / Third Party / Fourth Party')
            # belong to the earlier sides that have none, in order.
            if self.roleless and self.pending:
                self.roleless.append(self.pending)
                self.pending = []
            side = self.roleless.pop(0) if self.roleless else self.pending
            for index in side:
                self.people[index] = Person(
                    name=self.people[index].name, role=role, role_text=role_text
                )
            if side is self.pending:
                self.pending = []
            self.heading = None
        else:
            self.heading = (role or "", role_text)

    def next_side(self) -> None:
        if self.pending:
            self.roleless.append(self.pending)
        self.pending = []
        self.heading = None


def _continues(lines: list[str]) -> bool:
    """After a side has its role: more names only where a role or separator follows soon."""
    for line in lines[:8]:
        if not line:
            continue
        if _SEPARATOR_LINE.match(line) or _role_line(line) or _ROLE_HEADING.match(line):
            return True
        if _CASE_LINE.match(line) or _NOT_A_NAME.match(line):
            continue
        if not _is_name(line) or _ROLE_LABEL.match(line):
            return False
    return False


def _read_block(lines: list[str], start: int, caption: _Caption) -> int:
    """Reads caption lines from ``start``; returns how many separators it crossed."""
    separators = 0
    seen_name_after = False
    closed = False  # the current side has been given its role
    block = lines[start : start + _MAX_BLOCK]
    index = 0
    while index < len(block):
        line = block[index]
        index += 1
        if not line:
            continue
        if _SEPARATOR_LINE.match(line):
            if not caption.people:
                continue
            separators += 1
            seen_name_after = closed = False
            caption.next_side()
            continue
        if _CASE_LINE.match(line) or _COUNSEL_IN_CAPTION.match(line):
            continue
        if _ROLE_HEADING.match(line):
            caption.role(line, heading=True)
            continue
        while re.search(r"[/-]\s*$", line) and index < len(block) and _role_line(block[index]):
            line = line.rstrip() + block[index]  # 'Claimants/' + 'Respondents'
            index += 1
        role_line = _role_line(line)
        if role_line:
            heading = bool(role_line["colon"])
            caption.role(role_line["role"], heading=heading)
            closed = not heading
            continue
        if _RULE_LINE.match(line):
            if separators and seen_name_after:
                break
            continue
        if closed and not _continues(block[index - 1 :]):
            break
        label = _ROLE_LABEL.match(line)
        if label and not _closer(label["name"]):
            caption.add(_clean_name(label["name"]), squash(label["role"]))
            seen_name_after = True
            continue
        if not _is_name(line):
            if _NOT_A_NAME.match(line) and not _closer(line):
                continue  # '(formerly ...)', '(ANONYMITY ORDER ...)', 'et al.'
            break
        inline = _INLINE.match(line) if not caption.people else None
        if inline:  # 'Autohaus Müller GmbH ./. Schneider' as the whole caption
            caption.add(*_split_role(inline["left"]))
            caption.next_side()
            caption.add(*_split_role(inline["right"]))
            return separators + 1
        name, role_text = _split_role(line)
        if name:
            caption.add(name, role_text)
            seen_name_after = True
            closed = role_text is not None
    return separators


_COURT_WORD = re.compile(
    r"(?i)\b(?:court|tribunal\w*|\w*gericht\w*|\w*gerichtshof|corte|cour|hof|rechtbank|juzgado"
    r"|audiencia|cassazione|cassation|supremo|suprema|judge|justice|raad van state)\b"
)


def _block_starts(lines: list[str]) -> Iterator[tuple[int, bool]]:
    """Indexes of the lines where a caption's first side may begin."""
    for index, line in enumerate(lines[:MAX_LINES]):
        if _opener(line):
            yield index + 1, True
            continue
        if _ROLE_LABEL.match(line) and (index == 0 or not _ROLE_LABEL.match(lines[index - 1])):
            yield index, True  # 'Recurrente: Banco X' / 'Appellant: Nico Ltd'
            continue
        separator = _SEPARATOR_LINE.match(line) and not re.fullmatch(
            r"(?i)(?:and|en|et|y|und|e)", line.strip(" .:")
        )
        if separator and index > 0:
            first = index
            seen = False  # a name line of the first side has been read
            while first > 0 and index - first < 12:
                previous = lines[first - 1]
                if not previous:
                    if seen:
                        break  # a blank line above the first side's names ends it
                    first -= 1
                    continue
                if _RULE_LINE.match(previous) or not (_is_name(previous) or _role_line(previous)):
                    break
                if _CASE_LINE.match(previous) or _opener(previous):
                    break
                if _COURT_WORD.search(previous) and (not _role_line(lines[first])):
                    break
                first -= 1
                seen = seen or not _role_line(previous)
            if seen:
                yield first, False


def _caption(header: str) -> tuple[list[Person], set[int]]:
    """The parties of the caption, and which of them were listed under a role heading."""
    lines = _header_lines(header)
    for tries, (start, opened) in enumerate(_block_starts(lines)):
        caption = _Caption()
        separators = _read_block(lines, start, caption)
        roles = any(person.role for person in caption.people)
        if caption.people and (separators or roles or (opened and len(caption.people) <= 6)):
            return caption.people, caption.headed
        if tries >= 4:
            break
    return _inline_parties(lines) or _pourvoi(lines), set()


def find_party_roles(header: str) -> list[Person]:
    """The parties of the caption with their roles, first side first."""
    return _caption(header)[0]


# UK Supreme Court and Privy Council titles: 'X (Respondent) v Y (AP) (Appellant) (Scotland)'.
_PAREN_ROLE = re.compile(
    rf"^(?P<name>.+?)\s*\((?P<role>{_ROLE_PHRASE})\)(?:\s*\([^()]*\))*\s*$", re.IGNORECASE
)


def _inline_side(text: str) -> tuple[str, str | None]:
    match = _PAREN_ROLE.match(text.strip(" ;,"))
    if match:
        name = re.sub(r"\s*\((?:AP|a protected party|a child)\)\s*$", "", match["name"], flags=re.I)
        name = re.sub(r"\s+and\s+others\)$", ")", name)
        return _clean_name(name), squash(match["role"])
    return _split_role(text)


# French Cour de cassation: 'Statuant sur le pourvoi formé par X, contre l'arrêt rendu ...
# dans le litige l'opposant à Y'.
_POURVOI = re.compile(
    r"pourvoi formé par (?P<a>[^,;]{2,120}),.{0,300}?\bl'opposant à (?P<b>[^,;]{2,120})",
    re.IGNORECASE,
)


def _pourvoi(lines: list[str]) -> list[Person]:
    for line in lines[:MAX_LINES]:
        match = _POURVOI.search(line) if "pourvoi" in line else None
        if match:
            return [
                Person(
                    name=_clean_name(match["a"]), role="appellant", role_text="pourvoi formé par"
                ),
                Person(name=_clean_name(match["b"]), role="respondent", role_text="l'opposant à"),
            ]
    return []


_PARENS = re.compile(r"\((?:[^()]|\([^()]*\))*\)")


def _inline_parties(lines: list[str]) -> list[Person]:
    """Parties from a one-line title 'X v Y' (several where the title joins appeals)."""
    people: list[Person] = []
    for line in lines[:80]:
        if not line:
            continue
        if re.search(r"\d{3}\s+(?:U\.\s?S\.|F\.\s?\dd)|\[\d{4}\]", line):
            continue  # a citation of another case
        for segment in re.split(r";\s*(?:and\b)?", line)[:10] if len(line) > 150 else [line]:
            match = _INLINE.match(segment.strip())
            if not match or _sentence(_PARENS.sub(" ", segment)):
                continue
            left = re.sub(
                r"^(?:Subject|Re|In re|Case Name)\s*:\s*|^Activity in Case\s+\S+\s+",
                "",
                match["left"],
                flags=re.I,
            )
            sides = [_inline_side(left), _inline_side(match["right"])]
            found = [Person(name=n, role=_role_of(r) if r else None, role_text=r) for n, r in sides]
            if not all(person.name for person in found):
                continue
            if not any(person.role for person in found):
                return people or found
            people.extend(person for person in found if person not in people)
        if people and len(line) <= 150 and not _INLINE.match(line):
            break
    return people


# Those heard beside the parties to the dispute: in party_roles, not in parties. Interested
# and third parties count as parties where the caption names them as a side (UK judicial
# review), not where they follow the two sides under a heading (CJEU 'interested party:').
_NOT_MAIN = frozenset({"intervener", "other_party"})
_BESIDE = frozenset({"interested_party", "third_party"})


def find_parties(header: str) -> list[str]:
    """The names of the parties to the dispute, without role words (interveners apart)."""
    names: list[str] = []
    people, headed = _caption(header)
    for index, person in enumerate(people):
        if person.role in _NOT_MAIN or (index in headed and person.role in _BESIDE):
            continue
        if person.name not in names:
            names.append(person.name)
    return names


# --- counsel ----------------------------------------------------------------------------

_FOR_WHOM = (
    r"(?:the\s+)?(?P<whom>(?:(?:first|second|third|\d+(?:st|nd|rd|th))\s+)?"
    rf"(?:{_ANY_ROLE})(?:\s*(?:,|and|&|/)\s*(?:the\s+)?(?:{_ORDINAL}\s+)?(?:{_ANY_ROLE}))*"
    r"|[A-Z][\w.&' -]{1,80})"
)
# UK: 'Mr X KC and Ms Y (instructed by Z) for the Appellant'.
_UK_COUNSEL = re.compile(
    r"^(?P<names>.{3,300})\s(?:appeared\s+)?(?:for|on behalf of)\s+(?P<whom>.{2,90}?)\s*\.?$"
)
_WHOM = re.compile(rf"{_FOR_WHOM}\Z")
# 'For the Claimant: MR CLARKE' / 'For the appellants: Mr F Magennis'.
_FOR_LABEL = re.compile(
    rf"^\s*(?:for|on behalf of)\s+{_FOR_WHOM}\s*:\s*(?P<names>\S[^\n]{{1,300}})$",
    re.IGNORECASE,
)
# US: 'JANE ROE, Counsel/Attorney for Plaintiff'; 'Attorneys for Defendant-Appellee'.
_US_COUNSEL = re.compile(
    rf"^\s*(?P<names>[A-Z][^\n]{{2,120}}?)[,\s]+(?:Esq\.?,?\s*)?(?:Counsel|Attorneys?)\s+for\s+"
    rf"{_FOR_WHOM}\s*\.?$",
)
# German: 'Prozessbevollmächtigte(r): Rechtsanwalt Dr. X, Ort' (role: the party above).
_DE_COUNSEL = re.compile(
    r"^\s*[-–]?\s*(?P<label>(?:Prozess|Verfahrens)bevollmächtigte(?:r|n)?)\s*:?\s*"
    r"(?P<names>[^\n]{3,200}?)\s*[-–]?\s*$",
)
# CJEU: '- X, by A and B, avocats, and by C, advocaat,' (names are the lawyers, role the party).
_EU_COUNSEL = re.compile(
    r"^\s*[-–]\s*(?P<whom>[^,\n]{2,120}),\s+by\s+(?P<names>[^\n]{3,400}?),?\s*$",
)
_COUNSEL_TITLES = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Rechtsanw[äa]lt(?:in|e|innen)?|RA|RAin|Maître|Me|Mes"
    r"|avocat(?:e|s)?|advoca(?:at|ten)|abogad[oa]s?|avvocat[oi]|Esq)\b\.?",
    re.IGNORECASE,
)
_COUNSEL_TAIL = re.compile(
    r"\b(?:avocat(?:e|s)?|advoca(?:at|ten)|abogad[oa]s?|avvocat[oi](?: dello Stato)?"
    r"|Rechtsanw[äa]lt(?:in|e|innen)?|acting as Agents?|Barristers?(?:-at-Law)?|Solicitors?"
    r"|agents?|of counsel|counsel|Senior Home Office Presenting Officer|litigator"
    r"|Attorneys?(?: at Law)?|Esq)\b.*$",
    re.IGNORECASE,
)
_LEADING_TITLES = re.compile(
    r"^\s*(?:(?:Rechtsanw[äa]lt(?:in|e|innen)?|RA|RAin|Maître|Me|Mes|avocat(?:e|s)?|advocaat"
    r"|abogad[oa]|avv\.|avvocat[oa]|Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau)\.?\s+)+",
)
_COUNSEL_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bund\b|\bet\b|&)\s*", re.IGNORECASE)


def _counsel_names(text: str) -> list[str]:
    names = []
    text = re.sub(r"\((?:instructed by|Instructed by|\d)[^)]*\)", " ", text)
    text = re.sub(r"\binstructed by\b.*$", "", text, flags=re.I)
    for part in _COUNSEL_SPLIT.split(text):
        part = re.sub(r"^\s*(?:and\s+)?by\s+", "", part)
        part = _COUNSEL_TAIL.sub("", _LEADING_TITLES.sub("", part))
        part = re.sub(r"\s+(?:of|barrister of)\s+.*$", "", part)
        name = squash(_COUNSEL_TITLES.sub(" ", part)).strip(" ,.;:-–()")
        if (
            2 < len(name) <= 60
            and re.search(r"[A-Z]", name)
            and not _sentence(name)
            and not re.fullmatch(r"(?i)(?:by|the|QC|KC|SC|Esq|LLP|plc|Ltd)", name)
        ):
            names.append(name)
    return names


_COUNSEL_HINT = re.compile(
    r"(?i)\b(?:for|on behalf of|counsel|attorneys?|by)\b|bevollmächtigt", re.IGNORECASE
)
_US_COUNSEL_HEAD = re.compile(
    rf"^\s*(?:Counsel|Attorneys?)\s+for\s+{_FOR_WHOM}\s*[:,]?\s*$", re.IGNORECASE
)


def _counsel_lines(header: str) -> list[str]:
    """Header lines, a 'for the Applicant' that wrapped onto its own line joined back."""
    lines: list[str] = []
    for raw in header.splitlines()[:MAX_LINES]:
        line = squash(raw[:_MAX_LINE])
        if not line:
            continue
        if (
            lines
            and re.match(r"(?i)(?:for|on behalf of)\s+the\b[^:]*$", line)
            and not re.search(r"(?i)\bfor\s+the\b", lines[-1])
        ):
            lines[-1] = f"{lines[-1]} {line}"
            continue
        lines.append(line)
    return lines


def find_counsel(header: str) -> list[Person]:
    """Counsel named in the header; ``role`` is for whom they act ('for the appellant')."""
    found: list[Person] = []

    def add(names: str, whom: str | None, role_text: str | None = None) -> None:
        role = None
        if whom:
            whom = squash(whom).strip(" ,.;:")
            party = _role_of(re.sub(r"^the\s+", "", whom, flags=re.I))
            whom_name = re.sub(r"^the\s+(?=[A-Z])", "", whom)
            role = f"for the {party}" if party else f"for {whom_name}"
        for name in _counsel_names(names):
            person = Person(name=name, role=role, role_text=role_text or whom)
            if person not in found and len(found) < 40:
                found.append(person)

    lines = _counsel_lines(header)
    last_party: str | None = None
    for index, line in enumerate(lines):
        role_line = _role_line(line) if len(line) <= 60 else None
        if role_line:
            last_party = role_line["role"]
            continue
        if len(line) > 400 or not _COUNSEL_HINT.search(line):
            if len(line) <= 160 and line.endswith(","):  # 'Anna Schmidt, Klägerin,'
                trailing = _TRAILING_ROLE.search(line)
                last_party = trailing["role"] if trailing else last_party
            continue
        match = _DE_COUNSEL.match(line)
        if match:
            add(match["names"], last_party, role_text=match["label"])
            continue
        match = _EU_COUNSEL.match(line)
        if match:
            if not re.search(r"(?i)\bacting as agents?\b", match["names"]):
                add(match["names"], match["whom"])  # not governments, represented by agents
            continue
        match = _US_COUNSEL_HEAD.match(line)
        if match and index + 1 < len(lines):
            add(lines[index + 1], match["whom"], role_text=f"for {squash(match['whom'])}")
            continue
        for pattern in (_FOR_LABEL, _UK_COUNSEL, _US_COUNSEL):
            match = pattern.match(line)
            if not match or _sentence(match["names"]):
                continue
            if pattern is _UK_COUNSEL and not (
                _WHOM.match(match["whom"])
                and (
                    re.search(r"(?i)instructed|\b(?:QC|KC|SC|counsel)\b", match["names"])
                    or _role_of(re.sub(r"(?i)^the\s+", "", match["whom"]))
                )
            ):
                continue
            add(match["names"], match["whom"], role_text=f"for {squash(match['whom'])}")
            break
    return found


# --- judges -----------------------------------------------------------------------------

_BENCH_LABEL = re.compile(
    r"^\s*(?:B\s?E\s?F\s?O\s?R\s?E|Coram|Justices|Present|Panel|Decided by|Besetzung|Richter)"
    r"\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_EU_BENCH = re.compile(
    r"(?:composed of|composée de|bestehend aus|compuesto por|composta da|samengesteld uit)"
    r"\s+(?P<names>.{3,900}?),?\s+(?:Judges|juges|Richter(?:in)?(?:nen)?|Jueces|giudici"
    r"|rechters)\b",
    re.DOTALL,
)
_DE_BENCH = re.compile(
    r"durch\s+(?:den|die)\s+(?P<names>(?:Vorsitzenden?|Präsident|Vizepräsident|Richter)"
    r".{3,700}?)\s+(?:für\s+Recht\s+erkannt|beschlossen|am\s+\d|\n\s*\n)",
    re.DOTALL,
)
_FR_BENCH = re.compile(
    r"(?:composée? de|en présence de|assistée? de|compuesta por|composta da|samengesteld uit)"
    r"\s+(?P<names>[^\n]{3,600}?)\.?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_US_BENCH = re.compile(
    r"Before:?\s+(?P<names>[^\n]{3,400}?),?\s+(?:Senior\s+|Chief\s+)?(?:Circuit|District"
    r"|Bankruptcy|Magistrate)?\s*Judges\b",
    re.IGNORECASE,
)
_JUDGE_LINE = re.compile(
    r"^\s*(?:(?:Presiding|Chief|Senior|District|Circuit|Magistrate|Bankruptcy)\s+)?Judge"
    r"\s+(?P<names>[A-Z][\w.' -]{2,60})$|^\s*(?P<name2>[A-Z][\w.' -]{2,60}),\s*"
    r"(?:(?:United States|U\.S\.|Senior|Chief)\s+)*(?:District|Circuit|Magistrate|Bankruptcy)"
    r"\s+Judge\s*\.?$",
    re.MULTILINE,
)
# Titles before a judge's name, in the forms the courts print them.
_JUDGE_TITLE = re.compile(
    r"^(?:(?:the\s+)?(?:rt\.?\s+)?(?:hon(?:ou?rable)?\.?|right\s+hon(?:ou?rable)?\.?)\s+|"
    r"(?:mr|mrs|ms|miss|madam|dr|sir|dame)\.?\s+(?=justice\b)|"
    r"(?:lord|lady)\s+(?=justice\b)|justice\s+|"
    r"(?:his|her)\s+honou?r\s+(?:judge\s+)?|hhj\s+|"
    r"(?:(?:deputy\s+)?(?:upper\s+)?(?:tribunal|district|circuit|costs|insolvency and companies"
    r"\s+court|employment|master|senior|chief|presiding|regional|designated|high\s+court)\s+)*"
    r"judge\s+|"
    r"(?:mr|mrs|ms|miss|dr|mme|mlle|herr|frau|don|doña|sig\.?(?:ra)?|dott\.?(?:ssa)?)\.?\s+|"
    r"(?:sir|dame)\s+|"
    r"(?:den|die|der|dem|des)\s+|"
    r"(?:Vorsitzende[nr]?|Vorsitzende|Richter(?:in|innen)?|Präsident(?:in)?|Vizepräsident(?:in)?)"
    r"(?:\s+(?:am|an\s+der|des|beim)\s+\w+)?\s+|(?:Dr\.|Prof\.)\s*)+",
    re.IGNORECASE,
)
_JUDGE_OFFICE = re.compile(
    r"(?:\s*,\s*|\s+)(?:\((?:sitting as|Vice-President|Rapporteur|rapporteur|président)[^)]*\)"
    r"|sitting as .*|President of the Chamber|Presidents? of Chambers?|Vice[- ]President"
    r"|(?:Deputy\s+)?President|Judge of the Upper Tribunal|Member of the Upper Tribunal"
    r"|Deputy High Court Judge|président(?:e)?|conseill(?:er|ère)(?:\s+\w+)?|assesseur"
    r"|Rapporteur|Judges?|Justices?|M\.?R\.?|C\.?J\.?|L\.?J\.?|J\.)\s*$",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:;|,|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\n|&|\t)\s*")
_NOT_A_JUDGE = re.compile(
    r"(?i)^(?:between|and|the|judges?|justices?|member|members|court|tribunal"
    r"|(?:deputy |vice[- ])?presidents?|deputy|the court|rapporteur|président(?:e)?"
    r"|conseill(?:er|ère)s?(?: \w+)?"
    r"|juges?|assesseurs?|greffi(?:er|ère)|avocat général|magistrat|presidente|magistrad[oa]s?"
    r"|ponente|consiglier[ei]|rechters?|voorzitter|Beisitzer(?:in)?|\W*)$|^\d"
    r"|\b(?:court|tribunal|chamber|division)\b"
)


_FR_CIVILITY = re.compile(r"^(?:M|MM|Mme|Mmes|Mlle)\.?\s+")


def _judge_name(part: str, *, french: bool = False) -> str | None:
    name = squash(part).strip(" .,:;-–")
    if french:  # 'M. Louvel' is Monsieur Louvel; in English 'M. Ilešič' is an initial
        name = _FR_CIVILITY.sub("", name)
    for _ in range(3):
        name = _JUDGE_OFFICE.sub("", name).strip(" .,:;-–")
        name = _JUDGE_TITLE.sub("", name).strip(" .,:;-–")
    name = re.sub(r"^\((.*)\)$", r"\1", name)
    if not (2 < len(name) <= 60) or _NOT_A_JUDGE.search(name) or _sentence(name):
        return None
    return name if any(ch.isalpha() for ch in name) else None


# Runs of a DOCX table cell come out glued: 'Lord Reed, PresidentLord Hodge', 'BEANand'.
_GLUED = re.compile(
    r"(?<=[a-z.])(?=(?:Lord|Lady|Sir|Dame|Mr|Mrs|Ms|Miss|Judge|Justice|LORD|LADY|SIR|DAME)\b)"
    r"|(?<=[A-Z])(?=and\b)|(?<=[a-z])(?=sitting\b)"
)
_LAY_MEMBER = re.compile(r"(?i)^\s*(?:tribunal\s+)?(?:lay\s+)?members?\b")
_HAS_TITLE = re.compile(
    r"(?i)\b(?:judge|justice|lord|lady|sir|dame|hon(?:ou?rable)?|hhj|president|recorder|master"
    r"|registrar|QC|KC|sheriff|Richter|Vorsitzender?|président|juge|conseiller|magistrat)\b"
)


def _names(text: str, *, french: bool = False) -> list[str]:
    text = _GLUED.sub(" \n", text)
    text = re.sub(r"\((?:[^()]|\([^()]*\))*\)", " ", text)  # '(Rapporteur)', '(sitting as ...)'
    text = re.sub(r"(?i)\bsitting\s+as\b[^\n,]*", " ", text)
    lines = [line for line in text.split("\n") if not _LAY_MEMBER.match(line)]
    # A panel where some are titled as judges and others not: the others are lay members.
    if len(lines) > 1 and any(_HAS_TITLE.search(line) for line in lines):
        lines = [line for line in lines if _HAS_TITLE.search(line) or "," in line]
    text = "\n".join(lines)
    # 'M Hemingway: Judge of the Upper Tribunal' -> the name before the colon.
    text = re.sub(r":\s*(?:Judge|Member|President)[^\n]*", "", text)
    found = []
    for part in _NAME_SPLIT.split(text):
        name = _judge_name(part, french=french)
        if name and name not in found:
            found.append(name)
    return found


def _uk_bench(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        match = _BENCH_LABEL.match(line)
        if not match:
            continue
        collected = [match["rest"]] if match["rest"].strip() else []
        for following in lines[index + 1 : index + 16]:
            if not following:
                continue
            if (
                _RULE_LINE.match(following)
                or _opener(following)
                or (_SEPARATOR_LINE.match(following) and following.strip().lower() != "and")
                or re.match(
                    r"(?i)\s*(?:judgment|heard|date|hearing|between|appellants?|respondents?"
                    r"|claimants?|representation|\w+ v\.? )",
                    following,
                )
                or _ROLE_LABEL.match(following)
                or _role_line(following)
            ):
                break
            collected.append(following)
        names = _names("\n".join(collected))
        if names:
            return names
    return []


def find_judges(header: str) -> list[str]:
    """The judges of the bench, names only: titles and offices are stripped."""
    lines = _header_lines(header)
    text = "\n".join(lines)
    for pattern in (_EU_BENCH, _DE_BENCH):
        match = pattern.search(text)
        if match:
            names = _names(match["names"])
            if names:
                return names[:15]
    match = _US_BENCH.search(text)
    if match:
        names = _names(match["names"])
        if names:
            return names[:15]
    names = _uk_bench(lines)
    if names:
        return names[:15]
    match = _FR_BENCH.search(text)
    if match:
        names = _names(match["names"], french=True)
        if names:
            return names[:15]
    found: list[str] = []
    for match in _JUDGE_LINE.finditer(text):
        name = _judge_name(match["names"] or match["name2"])
        if name and name not in found:
            found.append(name)
    return found[:15]

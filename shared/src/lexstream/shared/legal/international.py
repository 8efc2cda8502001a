"""EU acts in every official-language spelling, the EU treaties and Charter, the ECHR, UN and
Council of Europe treaties, each with its article pinpoint.

Canonical spelling (one for all these families): the instrument, a comma, and the article
with its paragraphs and points in brackets, whatever the language of the text:
'Art. 6 Abs. 1 Buchst. f DSGVO', 'article 6, paragraphe 1, point f), du règlement (UE)
2016/679', 'artigo 6.º, n.º 1, alínea f), do Regulamento (UE) 2016/679' all read as
'Regulation (EU) 2016/679, Art. 6(1)(f)'; 'Art. 267 AEUV' as 'TFEU, Art. 267'; 'artikel 8
EVRM' as 'ECHR, Art. 8'.
"""

from __future__ import annotations

import re
from functools import cache

from lexstream.shared.legal.found import (
    Cite,
    Needles,
    pinned,
    scan,
    trie_pattern,
    whole,
    windows,
)
from lexstream.shared.legal.statutes import cets_instrument, named_instruments
from lexstream.shared.legal.text import squash

_TYPES = {
    "regulation": "Regulation",
    "verordnung": "Regulation",
    "durchführungsverordnung": "Regulation",
    "règlement": "Regulation",
    "reglamento": "Regulation",
    "regolamento": "Regulation",
    "verordening": "Regulation",
    "uitvoeringsverordening": "Regulation",
    "regulamento": "Regulation",
    "directive": "Directive",
    "richtlinie": "Directive",
    "directiva": "Directive",
    "direttiva": "Directive",
    "richtlijn": "Directive",
    "diretiva": "Directive",
    "decision": "Decision",
    "beschluss": "Decision",
    "durchführungsbeschluss": "Decision",
    "entscheidung": "Decision",
    "décision": "Decision",
    "decisión": "Decision",
    "decisione": "Decision",
    "besluit": "Decision",
    "uitvoeringsbesluit": "Decision",
    "beschikking": "Decision",
    "decisão": "Decision",
    "framework decision": "Framework Decision",
    "rahmenbeschluss": "Framework Decision",
    "décision-cadre": "Framework Decision",
    "decisión marco": "Framework Decision",
    "decisione quadro": "Framework Decision",
    "kaderbesluit": "Framework Decision",
    "decisão-quadro": "Framework Decision",
}
_INSTITUTIONS = {
    "eu": "EU",
    "ue": "EU",
    "ec": "EC",
    "ce": "EC",
    "eg": "EC",
    "eec": "EEC",
    "cee": "EEC",
    "ewg": "EEC",
    "eeg": "EEC",
    "euratom": "Euratom",
    "cfsp": "CFSP",
    "pesc": "CFSP",
    "gasp": "CFSP",
    "jha": "JHA",
    "jai": "JHA",
    "jbz": "JHA",
}
_TYPE = trie_pattern(list(_TYPES))
_INST = trie_pattern(list(_INSTITUTIONS))
# 'No', 'Nr.', 'n.º', 'n°', 'nº', 'n.', 'núm.'
_NUMBER_WORD = r"(?:No\.?|Nr\.?|n\.?\s?[º°o]\.?|n\.|núm\.)\s*"
_QUALIFIER = (
    r"(?:\s+(?:d'exécution|délégué|de\s+ejecución|delegado|delegada|di\s+esecuzione|delegato"
    r"|de\s+execução))?"
)
# The act itself; group names are unique so the string can be embedded in a larger pattern.
_ACT = (
    rf"(?P<type>{_TYPE}){_QUALIFIER}\s*(?:"
    rf"\((?P<inst>{_INST})(?:\s*,\s*Euratom)?\)\s*(?:{_NUMBER_WORD})?(?P<a>\d{{1,4}})/(?P<b>\d{{1,4}})"
    rf"(?![\w/])"
    rf"|(?:{_NUMBER_WORD})?(?P<oa>\d{{2,4}})/(?P<ob>\d{{1,4}})/(?P<oinst>{_INST})(?![\w])"
    rf"|(?:{_NUMBER_WORD})?(?P<sa>20(?:1[5-9]|[2-9]\d))/(?P<sb>\d{{1,4}})(?![\w/])"
    r")"
)

# --- Article pinpoints in any language --------------------------------------------------

_ART_WORD = (
    r"(?:[Aa]rt(?:icles?|ikel(?:en|s)?|ículos?|iculos?|icol[oi]|igos?|s\.|t\.|\.)?|ARTICLES?)"
)
_ART_NUMBER = r"\d{1,3}(?!\d)(?:[a-z](?![a-z]))?(?:\s?(?:bis|ter|quater)\b)?(?:\.?[º°])?"
_PARAGRAPH_WORD = (
    r"(?:Abs\.|Absatz|paragraphs?|paras?\.?|paragraphe|apartados?|apdo\.|paragrafo|par\.|lid"
    r"|leden|n\.?\s?[º°]|§)(?![a-z])"
)
_POINT_WORD = (
    r"(?:Buchst\.|Buchstabe|lit\.|points?|letters?|letras?|lettera|lett\.|onder|sub|alínea)"
    r"(?![a-z])"
)
_SUBDIVISION = (
    r"(?:\s?\((?:\d{1,3}[a-z]?|[a-z]{1,2}|[ivx]{1,5})\)"
    rf"|,?\s+{_PARAGRAPH_WORD}\s*\d{{1,3}}(?![\d/])"
    rf"|,?\s+{_POINT_WORD}\s*(?:\([a-z]\)|[a-z]\)?)(?![\w(])"
    r"|,?\s+(?:UAbs\.|Unterabsatz)\s*\d{1,2})"
)
_ARTICLE_ITEM = rf"{_ART_NUMBER}(?:{_SUBDIVISION})*"
ARTICLE_PINPOINT = (
    rf"{_ART_WORD}\s*{_ARTICLE_ITEM}"
    rf"(?:\s*(?:,|and|und|et|y|e|en|or|oder|ou|o)\s+{_ARTICLE_ITEM})*"
)
# A pinpoint written after the instrument ('Regulation (EU) 2016/679, Art. 6(1)(f)', the
# canonical form) unless it begins a citation of another instrument ('TFEU, Article 8 of
# the Charter').
_TAIL_END = (
    r"(?![\w(])(?!,?\s*(?:of|der|des|dem|de|du|del|della|dell'|van|da|do|dos|das|la)\b)"
    r"(?!\s+(?-i:[A-Z]))"
)
_ITEM = re.compile(rf"(?P<number>{_ART_NUMBER})(?P<subs>(?:{_SUBDIVISION})*)")
_SUB_PART = re.compile(
    r"\((?P<bracket>\w{1,5})\)"
    rf"|{_PARAGRAPH_WORD}\s*(?P<paragraph>\d{{1,3}})"
    rf"|{_POINT_WORD}\s*\(?(?P<point>[a-z])\)?"
    r"|(?:UAbs\.|Unterabsatz)\s*\d{1,2}"
)
_ART_WORD_ONLY = re.compile(_ART_WORD)


def article_pieces(pinpoint: str) -> list[list[str]]:
    """'Art. 6 Abs. 1 Buchst. f' -> [['Art. 6', '(1)', '(f)']]; 'Articles 7 and 8' -> two."""
    word = _ART_WORD_ONLY.match(pinpoint)
    rest = pinpoint[word.end() :] if word else pinpoint
    items: list[list[str]] = []
    for item in _ITEM.finditer(rest):
        number = re.sub(r"[\s.º°]", "", item["number"])
        pieces = [f"Art. {number}"]
        for part in _SUB_PART.finditer(item["subs"]):
            value = part["bracket"] or part["paragraph"] or part["point"]
            if value:
                pieces.append(f"({value})")
        items.append(pieces)
    return items


def _act_instrument(match: re.Match[str]) -> str | None:
    kind = _TYPES.get(" ".join(match["type"].lower().split()))
    if kind is None:
        return None
    if match["inst"]:
        inst = _INSTITUTIONS[match["inst"].lower()]
        first, second = match["a"], match["b"]
        if kind == "Regulation" and not (len(first) == 4 and int(first) >= 2015):
            return f"Regulation ({inst}) No {first}/{second}"
        return f"{kind} ({inst}) {first}/{second}"
    if match["oinst"]:
        return f"{kind} {match['oa']}/{match['ob']}/{_INSTITUTIONS[match['oinst'].lower()]}"
    return f"{kind} (EU) {match['sa']}/{match['sb']}"


def _alternation(names: list[str]) -> str:
    return trie_pattern(names)


def _named(text: str, *, quiet: bool, context: bool) -> tuple[str, str] | None:
    tables = named_instruments()
    folded = " ".join(text.lower().split())
    found = tables["acronyms"].get(text) or tables["names"].get(folded)
    if found is None and quiet:
        found = tables["quiet"].get(text)
    if found is None and context:
        found = tables["context"].get(folded)
    return found


_PROTOCOL = (
    r"(?P<protocol>(?P<echr>ECHR\s+)?(?:Protocol|Protokoll|Protocole|Protocolo|Protocollo)\s+"
    r"(?:No\.?|Nr\.?|n\.?\s?[º°o]\.?)?\s*(?P<pnumber>\d{1,2})(?(echr)|\s+(?:to\s+the\s+Convention"
    r"|zur\s+(?:EMRK|Konvention)"
    r"|(?:à|de)\s+la\s+(?:Convention|CEDH)|al\s+(?:Convenio|CEDH)|alla\s+(?:Convenzione|CEDU)"
    r"|bij\s+het\s+(?:Verdrag|EVRM)|(?:to\s+the\s+)?(?:ECHR|EMRK|CEDH|CEDU|EVRM))))"
)
_CONNECTOR = (
    r"(?:,?\s+(?:(?:of|the|to|der|des|dem|zur|zum|de|la|l'|du|del|della|dello|dell'|di|van|het"
    r"|da|do|dos|das)\s+){0,3})"
)
_CETS = (
    r"(?P<cets>(?:C?ETS|STCE|STE|SEV)\s*(?:No\.?|Nr\.?|n\.?\s?[º°o]\.?)?\s*(?P<cnumber>\d{1,3}))"
)


@cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    tables = named_instruments()
    loud = _alternation(list(tables["acronyms"]))
    quiet = _alternation(list(tables["quiet"]))
    names = _alternation(list(tables["names"]))
    context = _alternation(list(tables["context"]))
    named_after_article = rf"(?P<named>(?-i:{loud}|{quiet})|{names}|{context})"
    act = re.compile(
        rf"(?<![\w-]){_ACT}(?P<tail>,\s*{ARTICLE_PINPOINT}{_TAIL_END})?", re.IGNORECASE
    )
    article = re.compile(
        rf"(?<![\w])(?P<pin>{ARTICLE_PINPOINT}){_CONNECTOR}(?:{_ACT}|{_PROTOCOL}|{_CETS}"
        rf"|{named_after_article})(?![\w-])",
        re.IGNORECASE,
    )
    alone = re.compile(
        rf"(?<![\w-])(?:{_PROTOCOL}|{_CETS}|(?P<named>(?-i:{loud})))"
        rf"(?P<tail>,\s*{ARTICLE_PINPOINT}{_TAIL_END})?(?![\w-])",
        re.IGNORECASE,
    )
    alone_names = re.compile(
        rf"(?<![\w-])(?P<named>{names})(?P<tail>,\s*{ARTICLE_PINPOINT}{_TAIL_END})?(?![\w-])",
        re.IGNORECASE,
    )
    query = re.compile(
        rf"^\s*(?P<named>(?-i:{loud}|{quiet})|{names})(?P<tail>,\s*{ARTICLE_PINPOINT})?\s*$",
        re.IGNORECASE,
    )
    return act, article, alone, alone_names, query


def _with_articles(instrument: str, pinpoint: str | None) -> list[Cite]:
    if not pinpoint:
        return [whole(instrument)]
    items = article_pieces(pinpoint)
    return [pinned(instrument, pieces, before=False, sep=", ") for pieces in items] or [
        whole(instrument)
    ]


def _instrument(match: re.Match[str], *, quiet: bool, context: bool) -> tuple[str, str] | None:
    groups = match.groupdict()
    if groups.get("type"):
        act = _act_instrument(match)
        return (act, "eu_legislation") if act else None
    if groups.get("protocol"):
        return f"ECHR Protocol No. {int(match['pnumber'])}", "int_echr"
    if groups.get("cets"):
        number = int(match["cnumber"])
        return (cets_instrument(number), "int_coe") if 0 < number < 400 else None
    if groups.get("named"):
        return _named(squash(match["named"]), quiet=quiet, context=context)
    return None


_ACT_NEEDLES = Needles(
    folded=tuple(sorted({name.split()[0] for name in _TYPES})), back=0, ahead=200
)
_ARTICLE_NEEDLES = Needles(
    folded=(
        "art.",
        "art ",
        "arts.",
        "artt.",
        "article",
        "artikel",
        "artículo",
        "articol",
        "artigo",
    ),
    back=0,
    ahead=400,
)


# Words one of which is in every instrument's name: the name pattern runs only near them.
_NAME_ANCHORS = (
    "conven",
    "konvention",
    "covenant",
    "pact",
    "pakt",
    "patto",
    "charte",
    "charta",
    "charter",
    "carta",
    "handvest",
    "treaty",
    "vertrag",
    "verdrag",
    "traité",
    "tratado",
    "trattato",
    "übereinkommen",
    "kaufrecht",
    "grundverordnung",
    "protection des données",
    "protección de datos",
    "protezione dei dati",
    "gegevensbescherming",
    "proteção de dados",
    "data protection",
)


@cache
def _alone_needles() -> tuple[Needles, Needles]:
    """Acronyms, Protocols and CETS numbers; and the anchor words of the names."""
    tables = named_instruments()
    anchors = list(_NAME_ANCHORS)
    back = 0
    for name in tables["names"]:
        offsets = [name.find(anchor) for anchor in _NAME_ANCHORS if anchor in name]
        if not offsets:
            anchors.append(name.split()[0])
            continue
        back = max(back, min(offsets))
    exact = (*tables["acronyms"], "CETS", "ETS", "STCE", "STE", "SEV")
    folded = ("protocol", "protokoll", "protocole", "protocolo", "protocollo")
    return (
        Needles(exact=exact, folded=folded, back=6),
        Needles(folded=tuple(anchors), back=back + 10),
    )


def find_international(
    text: str, folded: str, *, query: bool = False
) -> list[tuple[re.Match[str], str, Cite]]:
    """(match, kind, citation) for every EU act, treaty and convention cited in ``text``
    (``folded``: the text in lower case, one character for one)."""
    act, article, alone, alone_names, whole_query = _patterns()
    acronym_needles, name_needles = _alone_needles()
    found: list[tuple[re.Match[str], str, Cite]] = []
    scans: list[tuple[re.Pattern[str], Needles | None, str, bool, bool]] = [
        (act, _ACT_NEEDLES, "tail", False, False),
        (article, _ARTICLE_NEEDLES, "pin", True, True),
        (alone, acronym_needles, "tail", False, False),
        (alone_names, name_needles, "tail", False, False),
    ]
    if query:
        scans.append((whole_query, None, "tail", True, False))
    for pattern, needles, pin_group, quiet, context in scans:
        for match in scan(pattern, text, windows(text, folded, needles)):
            resolved = _instrument(match, quiet=quiet, context=context)
            if resolved is None:
                continue
            instrument, kind = resolved
            pin = match[pin_group]
            if pin_group == "tail" and pin:
                pin = pin.lstrip(", ")
            for cite in _with_articles(instrument, pin):
                found.append((match, kind, cite))
    return found

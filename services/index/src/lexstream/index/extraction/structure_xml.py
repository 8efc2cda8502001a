"""Statutes and judgments in XML: Akoma Ntoso / LegalDocML (OASIS, LegalDocML.de, The National
Archives' judgments) and the UK's Crown Legislation Markup Language (legislation.gov.uk).

Parsed with lxml without a DTD, entities or network (a statute needs none of them); published
files that are not quite well-formed are recovered as far as lxml can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from lexstream.index.extraction.structure_models import Node, unique_ids
from lexstream.index.extraction.structure_patterns import CONTAINER_WORDS

AKN_NAMESPACE = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
CLML_NAMESPACE = "http://www.legislation.gov.uk/namespaces/legislation"

# Akoma Ntoso's hierarchical elements, each a provision of its own.
AKN_HIERARCHY = frozenset(
    {
        "book",
        "part",
        "title",
        "subtitle",
        "chapter",
        "subchapter",
        "section",
        "subsection",
        "division",
        "subdivision",
        "tome",
        "article",
        "paragraph",
        "subparagraph",
        "point",
        "clause",
        "subclause",
        "indent",
        "alinea",
        "rule",
        "subrule",
        "level",
        "hcontainer",
    }
)
_AKN_CONTAINERS = frozenset(AKN_HIERARCHY - {"article", "paragraph", "subparagraph", "point"})
_AKN_SKIP = frozenset({"num", "heading", "subheading", "authorialNote", "noteRef", "meta"})
# LegalDocML.de's German structure words, so the same statute has the same ids whether it
# arrives as LegalDocML.de or as Markdown.
_GERMAN_TOKENS = {
    "book": "buch",
    "part": "teil",
    "chapter": "kapitel",
    "subchapter": "unterkapitel",
    "section": "abschnitt",
    "subsection": "unterabschnitt",
    "title": "titel",
    "subtitle": "untertitel",
}
_NUMBER = re.compile(r"(\d+[a-z]*|[IVXLC]+[a-z]?\b|\b[a-z]{1,4}\b)")

_CLML_CONTAINERS = {"Part": "part", "Chapter": "chapter", "Pblock": "crossheading"}
_CLML_LEVELS = ("P1", "P2", "P3", "P4", "P5", "P6")
_CLML_SKIP = frozenset(
    {"BlockAmendment", "Commentary", "Commentaries", "Versions", "Metadata", "Footnotes"}
)


def parse(text: str) -> Any:
    """The root element of ``text``, parsed safely (no DTD, entities or network)."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )
    data = text.encode("utf-8")
    # The declaration may name another encoding than the text is in now.
    data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    root = etree.fromstring(data, parser=parser)
    if root is None:
        raise ValueError("not XML")
    return root


def local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(element: Any, name: str) -> list[Any]:
    return [child for child in element if local(child) == name]


def first_text(element: Any, name: str) -> str | None:
    for child in element:
        if local(child) == name:
            return squash("".join(child.itertext())) or None
    return None


def squash(text: str) -> str:
    return " ".join(text.split())


def detect(text: str) -> str | None:
    """'akn' or 'clml' for XML in those vocabularies, else None."""
    head = text[:4000]
    if "<Legislation" in head or CLML_NAMESPACE in head:
        return "clml"
    if "akomaNtoso" in head or "LegalDocML" in head:
        return "akn"
    return None


_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "title"})
_BLOCKS_TOO = frozenset({"td", "tc", "para", "al", "paragraph", "heading", "section"})


def block_text(text: str) -> str:
    """The text of XML that is no Akoma Ntoso (EUR-Lex XHTML saved as XML, rechtspraak.nl's
    open data): one line per block element, so paragraph numbers start lines."""
    root = parse(text)
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        line = squash("".join(current))
        if line:
            lines.append(line)
        current.clear()

    def visit(element: Any) -> None:
        name = local(element)
        if name == "tr":  # EUR-Lex: the paragraph number and its text are two cells of a row
            flush()
            lines.append(squash(" ".join(element.itertext())))
            return
        block = name in _BLOCKS or name in _BLOCKS_TOO
        if block:
            flush()
        if element.text and name not in ("script", "style"):
            current.append(element.text)
        for child in element:
            visit(child)
            if child.tail:
                current.append(child.tail)
        if block or name in ("td", "tc"):
            current.append(" ")
            flush()

    visit(root)
    flush()
    return "\n".join(lines)


# --- Akoma Ntoso statutes ---------------------------------------------------------------------


def akn_provisions(text: str) -> list[Node]:
    """The provisions of an Akoma Ntoso act or bill: every hierarchical element of its body
    (book ... article, paragraph, point), with its <num>, <heading> and own text; amending
    text in <quotedStructure> is text of the provision that quotes it, never a provision."""
    root = parse(text)
    german = "LegalDocML.de" in (root.nsmap.get(root.prefix) or "") or any(
        "LegalDocML.de" in (uri or "") for uri in root.nsmap.values()
    )
    body = next((e for e in root.iter() if local(e) in ("body", "mainBody")), None)
    if body is None:
        return []
    roots: list[Node] = []
    _akn_children(body, None, roots, german, counter=[0])
    unique_ids(roots)
    return roots


def _akn_children(
    element: Any, parent: Node | None, out: list[Node], german: bool, counter: list[int]
) -> None:
    for child in element:
        name = local(child)
        if name in AKN_HIERARCHY:
            node = _akn_node(child, name, parent, german, counter)
            if node is None:  # an unnumbered single Absatz: its text is its parent's
                _akn_children(child, parent, out, german, counter)
                if parent is not None:
                    parent.add_text(_own_text(child))
                continue
            out.append(node)
            node.add_text(_own_text(child))
            _akn_children(child, node, node.children, german, counter)
        elif name not in _AKN_SKIP and name not in ("quotedStructure", "quotedText"):
            _akn_children(child, parent, out, german, counter)


def _akn_node(
    element: Any, name: str, parent: Node | None, german: bool, counter: list[int]
) -> Node | None:
    label = first_text(element, "num")
    heading = first_text(element, "heading")
    number = _number(label)
    if number is None and name == "paragraph" and parent is not None:
        return None
    token = _akn_token(name, label, parent, german, number)
    if number is None:
        counter[0] += 1
        number_part, number = f"{counter[0]}", None
        token = "h"
    else:
        number_part = number
    container = name in _AKN_CONTAINERS
    if parent is None or name == "article":
        prefix = ""
    elif container:
        prefix = f"{parent.id}/" if parent.container else ""
    else:
        prefix = "" if parent.container else f"{parent.id}/"
    return Node(
        id=f"{prefix}{token}:{number_part}",
        kind=name,
        number=number,
        label=label,
        heading=heading,
        source_id=element.get("eId") or element.get("id"),
        container=container,
    )


def _number(label: str | None) -> str | None:
    if not label:
        return None
    text = label.replace("§", " ").strip()
    text = re.sub(
        r"^(?:Artikel|Article|Art\.?|Section|Sec\.?|Buch|Teil|Kapitel|Abschnitt|Titel)\s*",
        "",
        text,
        flags=re.IGNORECASE,
    )
    found = _NUMBER.search(text)
    return found.group(1) if found else None


def _akn_token(
    name: str, label: str | None, parent: Node | None, german: bool, number: str | None
) -> str:
    printed = label or ""
    if name == "article":
        return "par" if "§" in printed else "art"
    if name == "paragraph":
        in_german = german or (parent is not None and parent.id.split("/")[-1].startswith("par:"))
        return "abs" if in_german else "para"
    in_german_provision = parent is not None and ("par:" in parent.id or "/abs:" in parent.id)
    if name == "point":
        if german or in_german_provision:
            return "nr" if number is not None and number[0].isdigit() else "buchst"
        return "point"
    word = printed.split()[0].lower() if printed.split() else ""
    if word in CONTAINER_WORDS:  # the label says what it is: 'Buch 1', 'Part 2'
        return CONTAINER_WORDS[word][0]
    if german and name in _GERMAN_TOKENS:
        return _GERMAN_TOKENS[name]
    return {"subparagraph": "subpara", "hcontainer": "h"}.get(name, name)


def _own_text(element: Any) -> str:
    """The text of ``element`` without its <num>, <heading> and hierarchical children;
    quoted (amending) structures count as its text."""
    parts: list[str] = [element.text or ""]

    def visit(node: Any) -> None:
        for child in node:
            name = local(child)
            if name in ("quotedStructure", "quotedText"):
                parts.append(" ".join(child.itertext()))
            elif name not in AKN_HIERARCHY and name not in _AKN_SKIP:
                parts.append(child.text or "")
                visit(child)
            parts.append(child.tail or "")

    visit(element)
    return squash(" ".join(parts))


# --- Akoma Ntoso judgments ----------------------------------------------------------------------


@dataclass(frozen=True)
class XmlBlock:
    """A numbered <paragraph> or an unnumbered heading-like block of a judgment body."""

    number: str | None
    text: str
    source_id: str | None
    heading_like: bool


def akn_judgment_blocks(text: str) -> list[XmlBlock]:
    """The body of an Akoma Ntoso judgment as blocks, in order: each <paragraph> with its
    <num>, and each short <level>/<p> outside a paragraph as a possible heading."""
    root = parse(text)
    body = next((e for e in root.iter() if local(e) in ("judgmentBody", "body", "mainBody")), None)
    if body is None:
        return []
    blocks: list[XmlBlock] = []

    def visit(element: Any) -> None:
        for child in element:
            name = local(child)
            if name == "paragraph":
                label = first_text(child, "num")
                content = squash(
                    " ".join("".join(part.itertext()) for part in child if local(part) != "num")
                )
                number = label.strip().rstrip(".") if label else None
                if number is not None and not number.isdigit():
                    blocks.append(XmlBlock(None, f"{label} {content}".strip(), None, True))
                    continue
                blocks.append(XmlBlock(number, content, child.get("eId"), False))
            elif name in ("p", "heading") and squash("".join(child.itertext())):
                value = squash("".join(child.itertext()))
                blocks.append(XmlBlock(None, value, child.get("eId"), len(value) <= 120))
            elif name not in ("num", "authorialNote", "meta", "table"):
                visit(child)

    visit(body)
    return blocks


# --- UK legislation (CLML) ------------------------------------------------------------------------


def clml_provisions(text: str) -> list[Node]:
    """The provisions of UK legislation in CLML: Parts, Chapters and cross-headings, each
    section (P1) with its subsections (P2), paragraphs (P3) and sub-paragraphs (P4), and
    the Schedules with their paragraphs. Amending text (BlockAmendment), commentary and
    versions are not provisions."""
    root = parse(text)
    roots: list[Node] = []
    for element in root.iter():
        name = local(element)
        if name == "Body":
            _clml_children(element, None, roots, in_schedule=False)
        elif name == "Schedules":
            for schedule in element:
                if local(schedule) == "Schedule":
                    roots.append(_clml_schedule(schedule))
    unique_ids(roots)
    return roots


def _clml_schedule(schedule: Any) -> Node:
    label = first_text(schedule, "Number") or "Schedule"
    number = _number(re.sub(r"(?i)schedule", "", label)) or "1"
    title = None
    for block in schedule:
        if local(block) == "TitleBlock":
            title = first_text(block, "Title")
    node = Node(
        id=f"sch:{number}",
        kind="hcontainer",
        number=number,
        label=label,
        heading=title,
        source_id=schedule.get("id"),
        container=True,
    )
    for part in schedule:
        if local(part) == "ScheduleBody":
            _clml_children(part, node, node.children, in_schedule=True)
    return node


def _clml_children(element: Any, parent: Node | None, out: list[Node], in_schedule: bool) -> None:
    heading: str | None = None
    for child in element:
        name = local(child)
        if name in _CLML_SKIP:
            continue
        if name in _CLML_CONTAINERS:
            label = first_text(child, "Number")
            number = _number(label)
            title = first_text(child, "Title")
            if number is None:
                _clml_children(child, parent, out, in_schedule)
                continue
            token = _CLML_CONTAINERS[name]
            prefix = f"{parent.id}/" if parent is not None else ""
            node = Node(
                id=f"{prefix}{token}:{number}",
                kind="hcontainer" if token == "crossheading" else token,
                number=number,
                label=label,
                heading=title,
                source_id=child.get("id"),
                container=True,
            )
            out.append(node)
            _clml_children(child, node, node.children, in_schedule)
        elif name == "P1group":
            heading = first_text(child, "Title")
            before = len(out)
            _clml_children(child, parent, out, in_schedule)
            for node in out[before:]:
                if node.heading is None:
                    node.heading = heading
        elif name in _CLML_LEVELS:
            out.append(_clml_level(child, name, parent, in_schedule))
        elif name not in ("Number", "Title", "Pnumber"):
            _clml_children(child, parent, out, in_schedule)


_CLML_TOKENS = {
    False: {"P1": "sec", "P2": "subsec", "P3": "para", "P4": "subpara", "P5": "clause"},
    True: {"P1": "para", "P2": "subpara", "P3": "subsubpara", "P4": "clause", "P5": "subclause"},
}
_CLML_KINDS = {
    False: {"P1": "section", "P2": "subsection", "P3": "paragraph", "P4": "subparagraph"},
    True: {"P1": "paragraph", "P2": "subparagraph", "P3": "point", "P4": "point"},
}


def _clml_level(element: Any, name: str, parent: Node | None, in_schedule: bool) -> Node:
    label = first_text(element, "Pnumber")
    number = (label or "").strip("()") or None
    token = _CLML_TOKENS[in_schedule].get(name, "item")
    prefix = f"{parent.id}/" if parent is not None and not parent.container else ""
    if in_schedule and parent is not None and parent.container:
        prefix = f"{parent.id}/"
    node = Node(
        id=f"{prefix}{token}:{number or '0'}",
        kind=_CLML_KINDS[in_schedule].get(name, "point"),
        number=number,
        label=(f"({number})" if name != "P1" else label) if number else None,
        source_id=element.get("id"),
    )
    parts: list[str] = []
    _clml_text(element, node, parts, in_schedule)
    node.add_text(" ".join(parts))
    return node


def _clml_text(element: Any, node: Node, parts: list[str], in_schedule: bool) -> None:
    for child in element:
        name = local(child)
        if name in _CLML_SKIP or name == "Pnumber":
            continue
        if name in _CLML_LEVELS:
            node.children.append(_clml_level(child, name, node, in_schedule))
        elif name == "Text":
            parts.append(squash("".join(child.itertext())))
        else:
            _clml_text(child, node, parts, in_schedule)

"""A document's structure as Akoma Ntoso 3.0 XML (OASIS LegalDocML).

A judgment becomes ``<judgment>`` with a ``<header>`` (title, neutral citation, court, date,
parties with their roles, judges) and a ``<judgmentBody><decision>`` of ``<level>`` headings
and numbered ``<paragraph eId="para_50">``; a statute becomes ``<act>`` with a ``<body>`` of
its provisions, each the element its ``kind`` names (book, chapter, article, paragraph,
point ...) with ``<num>``, ``<heading>`` and its text. Every citation in the text is a
``<ref href="...">`` to its authority id. eIds follow the provision ids, ':' as '_' and '/'
as '__' (``par:823/abs:1`` -> ``par_823__abs_1``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from lxml import etree

from lexstream.index.extraction.models import Citation, LegalMetadata, Person
from lexstream.index.extraction.structure_xml import AKN_HIERARCHY, AKN_NAMESPACE
from lexstream.shared.artifacts import Page
from lexstream.shared.legal.structure import (
    DocumentStructure,
    Heading,
    Paragraph,
    Provision,
)

AKN = AKN_NAMESPACE
_E = "{" + AKN + "}"
_LANGUAGES = {"en": "eng", "de": "deu", "fr": "fra", "nl": "nld", "es": "spa", "it": "ita"}
_LANGUAGES |= {"pt": "por", "da": "dan", "sv": "swe", "pl": "pol", "fi": "fin"}
_COUNTRIES = {"UK": "gb", "US": "us", "EU": "eu", "INT": "int"}
# the hierarchy the reader knows, less the levels this export does not write as elements
_AKN_ELEMENTS = AKN_HIERARCHY - {"tome", "rule", "subrule"}
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Reference:
    """A citation as printed and the authority id its <ref> points at."""

    text: str
    href: str


def references_from_citations(
    citations: Sequence[Citation], authority_id: Callable[[Citation], str | None] | None = None
) -> list[Reference]:
    """A reference per citation: ``authority_id(citation)`` where it resolves, else a
    'citation:<kind>:<normalised form>' placeholder, so an unresolved citation is still
    marked up (and never dropped)."""
    references = []
    for citation in citations:
        target = authority_id(citation) if authority_id is not None else None
        href = target or f"citation:{citation.kind}:{quote(citation.normalized, safe='')}"
        references.append(Reference(text=citation.raw, href=href))
    return references


def eid(provision_id: str) -> str:
    return re.sub(r"[^\w.~-]", "-", provision_id.replace("/", "__").replace(":", "_"))


def _sub(parent: Any, tag: str, text: str | None = None, /, **attributes: str) -> Any:
    element = etree.SubElement(parent, _E + tag, {k.rstrip("_"): v for k, v in attributes.items()})
    if text:
        element.text = _XML_UNSAFE.sub("", text)
    return element


class _Marker:
    """The references as one pattern: every occurrence of a reference's text, the longest
    where several start at one place, each text marked with the first reference of it."""

    def __init__(self, references: Sequence[Reference]) -> None:
        self.href: dict[str, str] = {}
        for reference in references:
            if reference.text:
                self.href.setdefault(_XML_UNSAFE.sub("", reference.text), reference.href)
        texts = sorted(self.href, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(t) for t in texts)) if texts else None


def _marked_up(parent: Any, text: str, marker: _Marker) -> None:
    """``text`` into ``parent`` with each reference's occurrences as <ref href>."""
    text = _XML_UNSAFE.sub("", text)
    cursor, last = 0, None
    matches = marker.pattern.finditer(text) if marker.pattern is not None else ()
    for found in matches:
        start, end = found.span()
        chunk = text[cursor:start]
        if last is None:
            parent.text = (parent.text or "") + chunk
        else:
            last.tail = chunk
        last = _sub(parent, "ref", found.group(), href=marker.href[found.group()])
        cursor = end
    if last is None:
        parent.text = (parent.text or "") + text[cursor:]
    else:
        last.tail = text[cursor:]


def _country(metadata: LegalMetadata | None) -> str:
    jurisdiction = (metadata.jurisdiction if metadata else None) or ""
    top, _, rest = jurisdiction.partition("/")
    if top == "EU" and rest:
        return rest.split("/")[0].lower()
    return _COUNTRIES.get(top, "xx")


def _meta(
    document: Any, kind: str, metadata: LegalMetadata | None, number: str, name: str
) -> tuple[Any, Any]:
    meta = _sub(document, "meta")
    identification = _sub(meta, "identification", source="#lexstream")
    country = _country(metadata)
    when: date | None = metadata.decision_date if metadata else None
    day = when.isoformat() if when else "0001-01-01"
    author = (metadata.court_id if metadata else None) or "unknown"
    language = _LANGUAGES.get((metadata.language if metadata else None) or "", "und")
    work = f"/akn/{country}/{kind}/{quote(author, safe='')}/{day}/{quote(number, safe='')}"
    for level, uri in (
        ("FRBRWork", work),
        ("FRBRExpression", f"{work}/{language}@"),
        ("FRBRManifestation", f"{work}/{language}@/main.xml"),
    ):
        frbr = _sub(identification, level)
        _sub(frbr, "FRBRthis", value=f"{uri}/!main" if level != "FRBRManifestation" else uri)
        _sub(frbr, "FRBRuri", value=uri)
        _sub(frbr, "FRBRdate", date=day, name=name)
        _sub(frbr, "FRBRauthor", href="#author")
        if level == "FRBRWork":
            _sub(frbr, "FRBRcountry", value=country)
        if level == "FRBRExpression":
            _sub(frbr, "FRBRlanguage", language=language)
    references = _sub(meta, "references", source="#lexstream")
    _sub(references, "TLCOrganization", eId="lexstream", href="/lexstream", showAs="lexstream")
    court = (metadata.court if metadata else None) or "unknown"
    _sub(references, "TLCOrganization", eId="author", href=f"/court/{author}", showAs=court)
    return meta, references


def to_akoma_ntoso(
    structure: DocumentStructure,
    *,
    metadata: LegalMetadata | None = None,
    references: Sequence[Reference] = (),
    title: str | None = None,
    pages: Sequence[Page] = (),
) -> str:
    """The structure as an Akoma Ntoso document (UTF-8 XML text); the tables of ``pages``
    (text.json's) follow the body as ``<table>``s."""
    root = etree.Element(_E + "akomaNtoso", nsmap={None: AKN})
    if structure.kind == "judgment":
        body = _judgment(root, structure, metadata, _Marker(references), title)
        _tables(body, pages, "level")
    else:
        body = _act(root, structure, metadata, _Marker(references), title)
        _tables(body, pages, "hcontainer")
    xml_bytes: bytes = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    return xml_bytes.decode("utf-8")


def _own_identifier(metadata: LegalMetadata | None, kind: str) -> str | None:
    if metadata is None:
        return None
    return next((i.value for i in metadata.identifiers if i.kind == kind), None)


def _judgment(
    root: Any,
    structure: DocumentStructure,
    metadata: LegalMetadata | None,
    references: _Marker,
    title: str | None,
) -> Any:
    document = _sub(root, "judgment", name="judgment")
    citation = _own_identifier(metadata, "neutral_citation") or _own_identifier(metadata, "ecli")
    number = citation or (metadata.case_numbers[0] if metadata and metadata.case_numbers else "1")
    _, tlc = _meta(document, "judgment", metadata, number, "judgment")
    header = _sub(document, "header")
    shown_title = title or (metadata.title if metadata else None)
    if shown_title:
        _sub(_sub(header, "p"), "docTitle", shown_title)
    if citation:
        _sub(_sub(header, "p"), "neutralCitation", citation)
    if metadata is not None and metadata.court:
        _sub(_sub(header, "p"), "courtType", metadata.court, refersTo="#author")
    if metadata is not None and metadata.decision_date:
        when = metadata.decision_date.isoformat()
        _sub(_sub(header, "p"), "docDate", when, date=when)
    if metadata is not None:
        _parties_and_judges(header, tlc, metadata)
    body = _sub(document, "judgmentBody")
    decision = _sub(body, "decision")
    headings = list(structure.headings)
    position = 0
    for paragraph in structure.paragraphs:
        until = _headings_until(headings, position, paragraph)
        for heading in headings[position:until]:
            level = _sub(decision, "level", eId=eid(heading.id))
            _sub(_sub(level, "content"), "p", heading.text, **{"class": "heading"})
        position = max(position, until)
        element = _sub(decision, "paragraph", eId=eid(paragraph.id))
        if paragraph.number is not None:
            _sub(element, "num", f"{paragraph.number}.")
        _marked_up(_sub(_sub(element, "content"), "p"), paragraph.text, references)
    return decision


def _headings_until(headings: Sequence[Heading], position: int, paragraph: Paragraph) -> int:
    """Index just past the last heading that comes before ``paragraph``: by offset, or,
    where the source has none (XML), up to the heading the paragraph is under."""
    if paragraph.start is not None:
        until = position
        while until < len(headings) and (headings[until].start or 0) < paragraph.start:
            until += 1
        return until
    for index in range(position, len(headings)):
        if headings[index].text == paragraph.heading:
            return index + 1
    return position


def _parties_and_judges(header: Any, tlc: Any, metadata: LegalMetadata) -> None:
    people = metadata.party_roles or [_person(name) for name in metadata.parties]
    roles: set[str] = set()
    if people:
        line = _sub(header, "p")
        for index, person in enumerate(people, 1):
            person_id = f"party-{index}"
            _sub(tlc, "TLCPerson", eId=person_id, href=f"/person/{person_id}", showAs=person.name)
            attributes = {"refersTo": f"#{person_id}"}
            if person.role:
                attributes["as"] = f"#{person.role}"
                roles.add(person.role)
            party = _sub(line, "party", person.name, **attributes)
            party.tail = "; " if index < len(people) else None
    for role in sorted(roles):
        _sub(tlc, "TLCRole", eId=role, href=f"/role/{role}", showAs=role)
    if metadata.judges:
        line = _sub(header, "p")
        for index, name in enumerate(metadata.judges, 1):
            judge_id = f"judge-{index}"
            _sub(tlc, "TLCPerson", eId=judge_id, href=f"/person/{judge_id}", showAs=name)
            judge = _sub(line, "judge", name, refersTo=f"#{judge_id}")
            judge.tail = "; " if index < len(metadata.judges) else None


def _person(name: str) -> Person:
    return Person(name=name)


def _act(
    root: Any,
    structure: DocumentStructure,
    metadata: LegalMetadata | None,
    references: _Marker,
    title: str | None,
) -> Any:
    document = _sub(root, "act", name="act")
    number = _own_identifier(metadata, "abbreviation") or "act"
    _meta(document, "act", metadata, number, "enactment")
    shown_title = title or (metadata.title if metadata else None)
    if shown_title:
        preface = _sub(document, "preface")
        _sub(_sub(preface, "p"), "docTitle", shown_title)
    body = _sub(document, "body")
    for provision in structure.provisions:
        _provision(body, provision, references)
    return body


def _tables(parent: Any, pages: Sequence[Page], container: str) -> None:
    """Each page's tables as ``<table eId="table_3_1">`` (page 3, first table) of ``<tr>``
    rows of ``<th>`` (header rows) and ``<td>`` cells, spans as colspan/rowspan, inside one
    ``<level>`` (judgment) or ``<hcontainer name="tables">`` (act) after the body."""
    tables = [(page.number, n, t) for page in pages for n, t in enumerate(page.tables, 1)]
    if not tables:
        return
    holder = _sub(parent, container, eId=f"{container}_tables")
    if container == "hcontainer":
        holder.set("name", "tables")
    content = _sub(holder, "content")
    for number, n, table in tables:
        element = _sub(content, "table", eId=f"table_{number}_{n}", **{"class": table.source})
        for r, row in enumerate(table.rows):
            tr = _sub(element, "tr")
            for cell in row:
                spans = {"colspan": str(cell.col_span)} if cell.col_span > 1 else {}
                if cell.row_span > 1:
                    spans["rowspan"] = str(cell.row_span)
                tag = "th" if r < table.header_rows else "td"
                _sub(_sub(tr, tag, **spans), "p", cell.text)


def _provision(parent: Any, provision: Provision, references: _Marker) -> None:
    if provision.kind in _AKN_ELEMENTS:
        element = _sub(parent, provision.kind, eId=eid(provision.id))
        if provision.kind == "hcontainer":
            element.set("name", provision.id.split("/")[-1].split(":")[0] or "hcontainer")
    else:
        element = _sub(parent, "hcontainer", eId=eid(provision.id), name=provision.kind)
    if provision.label:
        _sub(element, "num", provision.label)
    if provision.heading:
        _sub(element, "heading", provision.heading)
    if provision.children:
        if provision.text:
            _marked_up(_sub(_sub(element, "intro"), "p"), provision.text, references)
        for child in provision.children:
            _provision(element, child, references)
    else:
        _marked_up(_sub(_sub(element, "content"), "p"), provision.text, references)

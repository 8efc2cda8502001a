"""The structure of one legal document, and how a pinpoint finds its place in it.

A statute is a tree of addressable :class:`Provision` s, a judgment a list of
:class:`Heading` s and numbered :class:`Paragraph` s (one :class:`DocumentStructure`). The
index's parsers (``lexstream.index.extraction.structure``) build them; the index stores them
beside the document and the gateway serves them, so the models and the look-ups live here,
in pure Python, where both may import them.

Ids are paths of ``<token>:<number>`` steps in the pinpoint vocabulary of
:mod:`lexstream.shared.legal.authorities` (``par:823/abs:1``, ``art:6/para:1/point:f``,
``sec:3/subsec:2``; a judgment's ``para:50``), so the pinpoint part of an authority id is the
provision id: :func:`open_pinpoint` takes ``de:act:BGB/par:823/abs:1`` to Absatz 1 of § 823
of a held BGB, ``uk:nc:2020/UKSC/5/para:50`` to paragraph 50 of that judgment.

Offsets are in the document's text: its pages joined by :data:`PAGE_SEPARATOR`, as
``TextDocument.text``; pages are 1-based.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lexstream.shared.legal.authorities import lineage

PAGE_SEPARATOR = "\n\n"
_PINPOINT_NUMBER = re.compile(r"(\d{1,4})\D*$")

StatuteFormat = Literal["akn", "clml", "markdown", "text"]


class Provision(BaseModel):
    """One addressable unit of a statute: a container (Buch, Part, Chapter ...), a provision
    (§, article, section) or a subdivision (Absatz, paragraph, subsection, Nummer, point)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Path id, unique in the document: 'par:823/abs:1', 'art:6/para:1'.")
    kind: str = Field(
        description="The Akoma Ntoso element it maps to: book, part, chapter, section, "
        "title, article, paragraph, subsection, point, hcontainer ..."
    )
    number: str | None = Field(default=None, description="'823', '1', 'a'; None if unnumbered.")
    label: str | None = Field(default=None, description="As printed: '§ 823', '(1)', 'Art 6'.")
    heading: str | None = None
    text: str = Field(default="", description="Its own text, without its children's.")
    start: int | None = Field(default=None, description="Offset in the document text.")
    end: int | None = Field(default=None, description="Offset just past it, children included.")
    page: int | None = Field(default=None, description="1-based page where it starts.")
    source_id: str | None = Field(default=None, description="The source's own eId or id.")
    children: list[Provision] = Field(default_factory=list)


class Heading(BaseModel):
    """A heading of a judgment ('The facts', 'Consideration of the questions referred',
    'II. DISCUSSION', 'Lord Justice Dyson :')."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="'h:3': the third heading of the document.")
    text: str
    page: int | None = None
    start: int | None = None
    end: int | None = None
    source_id: str | None = None


class Paragraph(BaseModel):
    """A numbered paragraph of a judgment (or, where it numbers none, a block of text)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(
        description="'para:50' for paragraph 50; 'op:2/para:1' where a second judgment in "
        "the same document numbers again from 1; 'p:7' for the seventh unnumbered block."
    )
    number: str | None = Field(default=None, description="'50'; None for unnumbered blocks.")
    heading: str | None = Field(default=None, description="The nearest heading above it.")
    text: str = Field(default="", description="Its text, without its number.")
    page: int | None = None
    start: int | None = Field(default=None, description="Offset of its number in the text.")
    end: int | None = None
    text_start: int | None = Field(default=None, description="Offset where its text begins.")
    source_id: str | None = None


class DocumentStructure(BaseModel):
    """What the Akoma Ntoso export and the JSON form carry: one of the two shapes."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["statute", "judgment"]
    source_format: str = Field(description="akn, clml, markdown, text (statutes); text, akn.")
    provisions: list[Provision] = Field(default_factory=list)
    headings: list[Heading] = Field(default_factory=list)
    paragraphs: list[Paragraph] = Field(default_factory=list)


Unit = Provision | Paragraph


def walk(provisions: Sequence[Provision]) -> Iterator[Provision]:
    """Every provision, depth first, in document order."""
    for provision in provisions:
        yield provision
        yield from walk(provision.children)


def locate(provisions: Sequence[Provision], path: str) -> Provision | None:
    """The provision a provision id or authority id names, or the nearest enclosing one that
    the statute has: 'par:823/abs:1', 'de:act:BGB/par:823/abs:1/satz:2' (-> Absatz 1)."""
    index = {provision.id: provision for provision in walk(provisions)}
    steps = [step for step in path.strip("/").split("/") if step]
    # 'Satz 2 Nr. 1' is cited through its sentence; most statutes number the Nummer under
    # the Absatz: the deeper of the two readings wins.
    readings = [steps, [step for step in steps if not step.startswith("satz:")]]
    best: Provision | None = None
    best_key = (False, -1)
    for reading in readings:
        found = _deepest(index, reading)
        if found is None:
            continue
        # Rank: the whole pinpoint found, then the deeper provision.
        key = (found.id.rsplit("/", 1)[-1] == reading[-1], found.id.count("/"))
        if key > best_key:
            best, best_key = found, key
    return best


def _deepest(index: dict[str, Provision], steps: list[str]) -> Provision | None:
    for first in range(len(steps)):
        for last in range(len(steps), first, -1):
            found = index.get("/".join(steps[first:last]))
            if found is not None:
                return found
    return None


def locate_paragraph(paragraphs: Sequence[Paragraph], pinpoint: str) -> Paragraph | None:
    """The paragraph a pinpoint names: 'para:50', '50', '[50]', 'at [50]', 'paragraph 50'."""
    for paragraph in paragraphs:
        if paragraph.id == pinpoint:
            return paragraph
    found = _PINPOINT_NUMBER.search(pinpoint.strip())
    if found is None:
        return None
    number = str(int(found.group(1)))
    return next((p for p in paragraphs if p.number == number), None)


def pinpoint_of(authority_id: str) -> str:
    """The pinpoint part of an authority id, '' for a root:
    'de:act:BGB/par:823/abs:1' -> 'par:823/abs:1', 'uk:nc:2020/UKSC/5' -> ''."""
    root = lineage(authority_id)[0]
    return authority_id[len(root) :].strip("/")


def open_pinpoint(
    structure: DocumentStructure | Mapping[str, Any], authority_id: str
) -> Unit | None:
    """Where a citation of ``authority_id`` opens in a held document of that authority: the
    provision its pinpoint names (or the nearest enclosing one the statute has, as
    :func:`locate`), the judgment paragraph its ``para:<n>`` names; None where the id has no
    pinpoint (the document as a whole), or the document has nothing it names (a page of a law
    report, a provision the statute lacks).

    ``structure`` is a :class:`DocumentStructure` or its JSON form (``structure.json``, or the
    index's copy without text). A bare provision id ('par:823/abs:1', 'para:50') is read as
    the pinpoint itself.
    """
    shape = (
        structure
        if isinstance(structure, DocumentStructure)
        else DocumentStructure.model_validate(structure)
    )
    # A root has a scheme and a value ('de:act:BGB', 'ecli:EU:C:2014:317'), a step one ':'.
    bare = authority_id.split("/")[0].count(":") == 1
    pinpoint = authority_id.strip("/") if bare else pinpoint_of(authority_id)
    if not pinpoint:
        return None
    if shape.kind == "statute":
        return locate(shape.provisions, pinpoint)
    steps = pinpoint.split("/")
    paragraph_at = next((n for n in range(len(steps) - 1, -1, -1) if steps[n][:5] == "para:"), -1)
    if paragraph_at < 0:
        return None
    # 'op:2/para:1' names the second judgment's paragraph; 'para:50' the first with that number
    exact = "/".join(steps[max(0, paragraph_at - 1) : paragraph_at + 1])
    return next(
        (p for p in shape.paragraphs if p.id == exact),
        locate_paragraph(shape.paragraphs, steps[paragraph_at]),
    )


def unit_text(unit: Unit, document_text: str | None = None) -> str:
    """The whole text of a provision (its children's too) or paragraph: the document's text
    between its offsets where both are known (as printed, numbers included), else its own
    text and its children's, joined."""
    if document_text is not None and unit.start is not None and unit.end is not None:
        return document_text[unit.start : unit.end].strip()
    if isinstance(unit, Paragraph):
        return unit.text
    parts = [p.text for p in walk([unit]) if p.text]
    return "\n".join(parts)


def structure_json(structure: DocumentStructure, *, include_text: bool = True) -> dict[str, Any]:
    """The JSON form; without the text (``include_text=False``) it is what an index stores
    beside the document: ids, numbers, headings, pages and offsets (a judgment's headings
    keep their text, which is all they are)."""
    dumped: dict[str, Any] = structure.model_dump(mode="json", exclude_none=True)
    if not include_text:
        drop_text(dumped["provisions"])
        drop_text(dumped["paragraphs"])
    return dumped


def drop_text(value: Any) -> None:
    """Remove, in place, the ``text`` of every unit (dict with an ``id``) of a JSON form."""
    if isinstance(value, dict):
        if "id" in value:
            value.pop("text", None)
        for item in value.values():
            drop_text(item)
    elif isinstance(value, list):
        for item in value:
            drop_text(item)


__all__ = [
    "PAGE_SEPARATOR",
    "DocumentStructure",
    "Heading",
    "Paragraph",
    "Provision",
    "StatuteFormat",
    "Unit",
    "drop_text",
    "locate",
    "locate_paragraph",
    "open_pinpoint",
    "pinpoint_of",
    "structure_json",
    "unit_text",
    "walk",
]

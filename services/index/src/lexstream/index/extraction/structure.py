"""Legal document structure: statutes into addressable provisions, judgments into headings and
numbered paragraphs; pure functions over a document's text or XML (no I/O).

Provision ids are paths of ``<token>:<number>`` steps, the same whatever format the statute
came in, so a citation's pinpoint finds its provision:

- German §§ and their subdivisions: ``par:823``, ``par:823/abs:1`` (Absatz),
  ``par:312/abs:2/nr:1/buchst:a`` (Nummer, Buchstabe; doubled letters stay: ``buchst:aa``);
  articles of German laws (GG, EGBGB): ``art:6/abs:1``;
- articles elsewhere (EU acts, treaties, codes): ``art:6/para:1/point:f``;
- sections (UK Acts in CLML, US codes, plain text): ``sec:3/subsec:2/para:a/subpara:i``;
  UK Schedules: ``sch:1/para:3/subpara:2``;
- containers carry their path, since their numbers restart in each parent:
  ``buch:2/abschnitt:8/titel:27`` (Buch, Teil, Kapitel, Abschnitt, Titel ... in German
  statutes), ``part:2/chapter:1`` elsewhere; a § or article is addressed without them
  (``par:823``), being numbered through the whole act. Unnamed headings are ``h:<n>``.

A repeated id (a law that numbers again in an annex) is qualified by its container's id.
An authority id of the form ``<act id>/<provision id>`` (e.g. ``de:act:BGB/par:823/abs:1``)
finds its provision with :func:`locate`, which falls back to the nearest enclosing provision
(``par:823/abs:1/satz:2`` opens Absatz 1, sentences not being split out).

Judgment paragraphs are ``para:<number>`` ('[2020] UKSC 5 at [50]' is ``para:50``); a second
judgment in the same document that numbers again from 1 gets ``op:2/para:<n>``; a judgment
without numbered paragraphs gets ``p:<n>`` blocks. Headings are ``h:<n>``. Offsets are in
the document's text (the pages joined by a blank line, as ``TextDocument.text``); pages are
1-based. Structures export as JSON (:func:`structure_json`) and Akoma Ntoso
(:func:`lexstream.index.extraction.structure_export.to_akoma_ntoso`).

The models, the look-ups (:func:`locate`, :func:`locate_paragraph`,
:func:`~lexstream.shared.legal.structure.open_pinpoint`) and the JSON form are pure and
shared (:mod:`lexstream.shared.legal.structure`: the gateway serves them); the parsers are
here. The shared names are re-exported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lexstream.index.extraction import structure_xml as xml
from lexstream.index.extraction.structure_judgments import heading_text, judgment_from_text
from lexstream.index.extraction.structure_statutes import markdown_provisions, text_provisions
from lexstream.shared.artifacts import Page
from lexstream.shared.legal.structure import (
    PAGE_SEPARATOR,
    DocumentStructure,
    Heading,
    Paragraph,
    Provision,
    StatuteFormat,
    locate,
    locate_paragraph,
    structure_json,
    walk,
)

_MD_STATUTE = re.compile(r"^#{2,6}[ \t]+(?:§|Art\b|Artikel\b)", re.MULTILINE)
_SHORT_HEADING = 120
_NO_OFFSETS: dict[str, Any] = {"start": None, "end": None}

Source = str | Sequence[Page] | Sequence[str]


def _joined(source: Source) -> tuple[str, list[int], list[str]]:
    """(document text, each page's start offset, each page's text)."""
    if isinstance(source, str):
        return source, [0], [source]
    texts = [page.text if isinstance(page, Page) else page for page in source]
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(texts), starts, texts


def detect_statute_format(text: str) -> StatuteFormat:
    """'akn', 'clml', 'markdown' (headings '## § 1', '### Art 6') or 'text'."""
    if text.lstrip("\ufeff \t\r\n")[:1] == "<":
        found = xml.detect(text)
        if found == "clml":
            return "clml"
        return "akn"
    if _MD_STATUTE.search(text[:200_000]):
        return "markdown"
    return "text"


def statute_provisions(
    source: Source, fmt: StatuteFormat | str = "auto", *, language: str | None = None
) -> list[Provision]:
    """The provisions of a statute, as a tree in document order.

    ``source`` is the text or XML, or the document's pages; ``fmt`` one of 'akn' (Akoma
    Ntoso / LegalDocML, LegalDocML.de), 'clml' (legislation.gov.uk), 'markdown' (the German
    statute Markdown of bundestag/gesetze), 'text' (plain text with numbered sections), or
    'auto'. XML formats have no offsets or pages (their ``source_id`` is the element's id).
    Raises ValueError for XML that cannot be read at all.
    """
    text, page_starts, _ = _joined(source)
    chosen = detect_statute_format(text) if fmt == "auto" else fmt
    if chosen == "akn":
        nodes = xml.akn_provisions(text)
        return [node.freeze(None) for node in nodes]
    if chosen == "clml":
        return [node.freeze(None) for node in xml.clml_provisions(text)]
    if chosen == "markdown":
        nodes = markdown_provisions(text)
    elif chosen == "text":
        nodes = text_provisions(text, language)
    else:
        raise ValueError(f"unknown statute format {fmt!r}")
    return [node.freeze(page_starts) for node in nodes]


def statute_structure(source: Source, fmt: StatuteFormat | str = "auto") -> DocumentStructure:
    text, _, _ = _joined(source)
    chosen = detect_statute_format(text) if fmt == "auto" else fmt
    return DocumentStructure(
        kind="statute", source_format=chosen, provisions=statute_provisions(source, chosen)
    )


def judgment_structure(source: Source) -> DocumentStructure:
    """Headings and numbered paragraphs of a judgment given as its pages (or text); an Akoma
    Ntoso judgment (The National Archives' LegalDocML) is read from its markup."""
    text, page_starts, pages = _joined(source)
    if text.lstrip("\ufeff \t\r\n")[:1] == "<" and xml.detect(text) == "akn":
        headings, paragraphs = _akn_judgment(text)
        return DocumentStructure(
            kind="judgment", source_format="akn", headings=headings, paragraphs=paragraphs
        )
    if text.lstrip("\ufeff \t\r\n")[:1] == "<":
        # Other XML: segmented as its block text, whose offsets are not the document's.
        blocks = xml.block_text(text)
        headings, paragraphs = judgment_from_text(blocks, [0], [blocks])
        return DocumentStructure(
            kind="judgment",
            source_format="xml",
            headings=[h.model_copy(update=_NO_OFFSETS) for h in headings],
            paragraphs=[
                p.model_copy(update=_NO_OFFSETS | {"text_start": None}) for p in paragraphs
            ],
        )
    headings, paragraphs = judgment_from_text(text, page_starts, pages)
    return DocumentStructure(
        kind="judgment", source_format="text", headings=headings, paragraphs=paragraphs
    )


def judgment_paragraphs(source: Source) -> list[Paragraph]:
    """The numbered paragraphs of a judgment (see :func:`judgment_structure`)."""
    return judgment_structure(source).paragraphs


def _akn_judgment(text: str) -> tuple[list[Heading], list[Paragraph]]:
    """Headings and paragraphs of an Akoma Ntoso judgment body: its numbered <paragraph>s
    read as a sequence (as in text: a number out of sequence is quoted text, kept with the
    paragraph before it), and the heading-like blocks just above a paragraph."""
    blocks = xml.akn_judgment_blocks(text)
    headings: list[Heading] = []
    paragraphs: list[Paragraph] = []
    pending: list[str] = []
    series, last = 1, 0
    current: str | None = None
    for position, block in enumerate(blocks):
        number = int(block.number) if block.number is not None else None
        previous = paragraphs[-1] if paragraphs else None
        # '1. Introduction' then '1. This appeal ...': the first was a numbered heading.
        if (
            number is not None
            and number == last
            and previous is not None
            and len(previous.text) <= _SHORT_HEADING
        ):
            paragraphs.pop()
            pending.insert(0, previous.text)
            last -= 1
        accept = number is not None and (
            number == last + 1
            or (last < number <= last + 3 and _followed_by(blocks, position, number + 1))
        )
        if number == 1 and last >= 3 and _followed_by(blocks, position, 2):
            series, accept = series + 1, True
        if not accept or number is None:
            if block.heading_like and heading_text(block.text):
                pending.append(block.text)
            else:
                pending = []
                if previous is not None and number is not None:
                    paragraphs[-1] = previous.model_copy(
                        update={"text": f"{previous.text} {block.text}".strip()}
                    )
            continue
        for value in pending[-3:]:
            headings.append(Heading(id=f"h:{len(headings) + 1}", text=value, page=1))
            current = value
        pending = []
        paragraphs.append(
            Paragraph(
                id=f"para:{number}" if series == 1 else f"op:{series}/para:{number}",
                number=str(number),
                heading=current,
                text=block.text,
                page=1,
                source_id=block.source_id,
            )
        )
        last = number
    return headings, paragraphs


def _followed_by(blocks: Sequence[xml.XmlBlock], position: int, number: int) -> bool:
    ahead = [b.number for b in blocks[position + 1 : position + 12] if b.number is not None]
    return str(number) in ahead


__all__ = [
    "PAGE_SEPARATOR",
    "DocumentStructure",
    "Heading",
    "Paragraph",
    "Provision",
    "detect_statute_format",
    "judgment_paragraphs",
    "judgment_structure",
    "locate",
    "locate_paragraph",
    "statute_provisions",
    "statute_structure",
    "structure_json",
    "walk",
]

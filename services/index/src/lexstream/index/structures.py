"""A document's legal structure at indexing time: a statute's provisions, a judgment's headings
and numbered paragraphs (extraction/structure*), kept in two places.

- In the search document, bounded: ``structure``, the JSON form without text
  (``{"type": "object", "enabled": false}``: stored, not indexed), and ``provision_ids``, the
  id of every provision and paragraph (a keyword), so a held statute or judgment is found by
  the pinpoint an authority id names. Past :data:`MAX_INDEXED_UNITS` the stored copy drops
  the finest subdivisions first (the BGB's copy has every § without its Absätze; a judgment's,
  its first paragraphs) and says ``"truncated": true``.
- In the derived bucket, whole: ``<document_id>/structure.json`` (the JSON form with text) and
  ``<document_id>/structure.akn.xml`` (Akoma Ntoso: the judgment's header from its metadata,
  ``<ref href>`` to the authority ids of its citations), which the gateway serves. The search
  document's ``structure`` says they are current: a re-indexed document that lost its
  structure keeps stale objects that nothing serves.

Only statutes and regulations (provisions) and judgments, opinions and orders (paragraphs)
get a structure; the text is the document's pages, up to the indexed ``max_chars``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from lexstream.index.extraction import LegalMetadata
from lexstream.index.extraction.structure import (
    detect_statute_format,
    judgment_structure,
    statute_provisions,
)
from lexstream.index.extraction.structure_export import (
    references_from_citations,
    to_akoma_ntoso,
)
from lexstream.index.extraction.structure_patterns import CONTAINER_WORDS
from lexstream.shared.artifacts import Page
from lexstream.shared.legal.structure import (
    PAGE_SEPARATOR,
    DocumentStructure,
    Provision,
    structure_json,
    walk,
)

log = logging.getLogger(__name__)

STATUTE_TYPES = frozenset({"statute", "regulation"})
JUDGMENT_TYPES = frozenset({"judgment", "opinion", "order"})
#: provisions (or paragraphs) kept in the search document's copy of the structure (the
#: BGB's containers and §§ are some 2,700, with their Absätze 7,300)
MAX_INDEXED_UNITS = 3_000
MAX_INDEXED_HEADINGS = 500
#: ids in ``provision_ids`` (the BGB has some 7,300 provisions)
MAX_PROVISION_IDS = 20_000
STRUCTURE_JSON = "structure.json"
STRUCTURE_AKN = "structure.akn.xml"

Exports = dict[str, tuple[bytes, str]]
# Buch, Abschnitt, Part, Schedule ... and unnamed headings: a provision's parents, not its parts
_CONTAINER_TOKENS = frozenset({token for token, _ in CONTAINER_WORDS.values()} | {"h"})


def _within(pages: Sequence[Page], max_chars: int) -> list[str]:
    """The page texts up to ``max_chars`` of the joined text: a prefix of the document's
    text, so offsets stay those of ``text.json``."""
    kept: list[str] = []
    budget = max_chars
    for page in pages:
        if budget <= 0:
            break
        kept.append(page.text[:budget])
        budget -= len(page.text) + len(PAGE_SEPARATOR)
    return kept


def document_structure(
    meta: LegalMetadata, pages: Sequence[Page], *, max_chars: int
) -> DocumentStructure | None:
    """The structure of a statute or judgment (None for other documents, or where its text
    cannot be read as one: the document is indexed without it, with a warning logged)."""
    if meta.doc_type not in STATUTE_TYPES | JUDGMENT_TYPES:
        return None
    texts = _within(pages, max_chars)
    if not any(text.strip() for text in texts):
        return None
    try:
        if meta.doc_type in JUDGMENT_TYPES:
            found = judgment_structure(texts)
            return found if found.paragraphs else None
        fmt = detect_statute_format(PAGE_SEPARATOR.join(texts))
        provisions = statute_provisions(texts, fmt, language=meta.language)
    except Exception:  # a parser's failure must not cost the document its index entry
        log.warning("the document's structure could not be read", exc_info=True)
        return None
    if not provisions:
        return None
    return DocumentStructure(kind="statute", source_format=fmt, provisions=provisions)


def _is_container(provision: Provision) -> bool:
    return provision.id.rsplit("/", 1)[-1].split(":")[0] in _CONTAINER_TOKENS


def _within_depth(provisions: Sequence[Provision], levels: int, above: int = 0) -> list[Provision]:
    """The tree with at most ``levels`` levels of subdivisions under each provision (0: the
    containers and the §§, articles, sections themselves, 1: and their Absätze ...);
    ``above`` counts the provisions and subdivisions above these."""
    kept = []
    for provision in provisions:
        inner = above if _is_container(provision) else above + 1
        children = [] if inner > levels else _within_depth(provision.children, levels, inner)
        kept.append(provision.model_copy(update={"children": children}))
    return kept


def _count(provisions: Sequence[Provision]) -> int:
    return sum(1 for _ in walk(provisions))


def _first(provisions: Sequence[Provision], budget: list[int]) -> list[Provision]:
    """The first ``budget[0]`` units in document order, as a tree."""
    kept = []
    for provision in provisions:
        if budget[0] <= 0:
            break
        budget[0] -= 1
        kept.append(provision.model_copy(update={"children": _first(provision.children, budget)}))
    return kept


def _bounded_provisions(provisions: list[Provision]) -> tuple[list[Provision], bool]:
    """The provisions, or, past :data:`MAX_INDEXED_UNITS`, the finest level of subdivision
    that fits (every § of the BGB, without its Absätze), else the first units that fit."""
    if _count(provisions) <= MAX_INDEXED_UNITS:
        return provisions, False
    for levels in (2, 1, 0):
        pruned = _within_depth(provisions, levels)
        if _count(pruned) <= MAX_INDEXED_UNITS:
            return pruned, True
    return _first(_within_depth(provisions, 0), [MAX_INDEXED_UNITS]), True


def indexed_fields(structure: DocumentStructure | None) -> dict[str, Any]:
    """``structure`` (bounded, without text) and ``provision_ids`` for the search document;
    neither for a document without a structure."""
    if structure is None:
        return {}
    ids = [p.id for p in walk(structure.provisions)] + [p.id for p in structure.paragraphs]
    provisions, cut_provisions = _bounded_provisions(structure.provisions)
    cut_paragraphs = len(structure.paragraphs) > MAX_INDEXED_UNITS
    cut_headings = len(structure.headings) > MAX_INDEXED_HEADINGS
    bounded = structure.model_copy(
        update={
            "provisions": provisions,
            "paragraphs": structure.paragraphs[:MAX_INDEXED_UNITS],
            "headings": structure.headings[:MAX_INDEXED_HEADINGS],
        }
    )
    stored = structure_json(bounded, include_text=False)
    stored["truncated"] = cut_provisions or cut_paragraphs or cut_headings
    stored["units"] = len(ids)
    return {"structure": stored, "provision_ids": ids[:MAX_PROVISION_IDS]}


def exports(
    structure: DocumentStructure,
    meta: LegalMetadata,
    *,
    title: str | None = None,
    pages: Sequence[Page] = (),
) -> Exports:
    """``structure.json`` (with text) and ``structure.akn.xml`` (with the tables of
    ``pages``): name -> (bytes, media type)."""
    references = references_from_citations(meta.citations, lambda c: c.authority_id)
    akn = to_akoma_ntoso(structure, metadata=meta, references=references, title=title, pages=pages)
    as_json = json.dumps(structure_json(structure), ensure_ascii=False).encode()
    return {
        STRUCTURE_JSON: (as_json, "application/json"),
        STRUCTURE_AKN: (akn.encode(), "application/akn+xml"),
    }

"""A contract's structure in its search document (extraction/contracts finds it).

Two fields, for documents classified as contracts:

- ``contract``: what a lawyer filters and counts on, indexed: the governing law (a
  jurisdiction path, ``UK/EW``, ``US/STATE/NY``), the forum (court or arbitration, its
  place, whether exclusive), the agreement and effective dates, the term in months, whether
  it renews or runs indefinitely, the parties with their roles, the categories of its
  clauses (CUAD-anchored: ``governing_law``, ``termination``, ``confidentiality`` ...) and
  its defined terms.
- ``contract_structure``: stored, not indexed (``enabled: false``), served by the gateway's
  ``GET /v1/documents/{id}/contract``: every clause with its number, heading, level, parent,
  categories and page; every defined term with its definition, page and the pages of its
  later uses (each use linked to the definition); the parties; the wording of the governing
  law and forum clauses. Bounded: past :data:`MAX_CLAUSES` clauses or :data:`MAX_TERMS`
  terms the rest is left out and ``truncated`` says so.
"""

from __future__ import annotations

from typing import Any

from lexstream.index.authority_links import Places
from lexstream.index.extraction.contracts import ContractStructure, contract_structure

CONTRACT_TYPES = frozenset({"contract"})
MAX_CLAUSES = 2_000
MAX_TERMS = 500
#: pages of a defined term's later uses kept per term
MAX_USE_PAGES = 50
#: the structure's version, stored beside it (a change of the extraction changes it)
CONTRACT_FIELDS_VERSION = "1"


def _pages(offsets: list[int], places: Places) -> list[int]:
    seen: list[int] = []
    for offset in offsets:
        page = places.at(offset)
        if isinstance(page, int) and page not in seen:
            seen.append(page)
            if len(seen) >= MAX_USE_PAGES:
                break
    return seen


def stored_structure(found: ContractStructure, places: Places) -> dict[str, Any]:
    """The JSON the gateway serves: clauses, defined terms with their uses, parties."""
    clauses = [
        {
            "id": c.id,
            "number": c.number,
            "heading": c.heading,
            "level": c.level,
            "parent": c.parent,
            "categories": list(c.categories),
            "page": places.at(c.start),
        }
        for c in found.clauses[:MAX_CLAUSES]
    ]
    terms = [
        {
            "term": t.term,
            "definition": t.definition,
            "page": places.at(t.start),
            "uses": len(t.uses),
            "use_pages": _pages(t.uses, places),
        }
        for t in found.defined_terms[:MAX_TERMS]
    ]
    return {
        "version": CONTRACT_FIELDS_VERSION,
        "clauses": clauses,
        "defined_terms": terms,
        "parties": [
            {"name": p.name, "role": p.role, "role_text": p.role_text} for p in found.parties
        ],
        "governing_law_text": found.governing_law_text,
        "forum_text": found.forum_text,
        "term_text": found.term_text,
        "truncated": len(found.clauses) > MAX_CLAUSES or len(found.defined_terms) > MAX_TERMS,
    }


def indexed_contract(found: ContractStructure) -> dict[str, Any]:
    """The indexed ``contract`` object (see the module's docstring)."""
    categories = sorted({category for c in found.clauses for category in c.categories})
    return {
        "governing_law": found.governing_law,
        "forum_kind": found.forum_kind,
        "forum_place": found.forum_place,
        "forum_exclusive": found.forum_exclusive,
        "agreement_date": found.agreement_date.isoformat() if found.agreement_date else None,
        "effective_date": found.effective_date.isoformat() if found.effective_date else None,
        "term_months": found.term_months,
        "renews": found.renews,
        "indefinite": found.indefinite,
        "parties": [p.name for p in found.parties],
        "party_roles": sorted({p.role for p in found.parties if p.role}),
        "clause_categories": categories,
        "defined_terms": [t.term for t in found.defined_terms[:MAX_TERMS]],
    }


def contract_fields(doc_type: str | None, content: str, places: Places) -> dict[str, Any]:
    """``contract`` and ``contract_structure`` for a contract's search document; nothing
    for any other kind of document (or a "contract" in which nothing was found)."""
    if doc_type not in CONTRACT_TYPES:
        return {}
    found = contract_structure(content)
    if not (found.clauses or found.defined_terms or found.parties):
        return {}
    return {
        "contract": indexed_contract(found),
        "contract_structure": stored_structure(found, places),
    }


__all__ = ["CONTRACT_TYPES", "contract_fields", "indexed_contract", "stored_structure"]

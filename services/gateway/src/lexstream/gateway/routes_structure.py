"""A statute's provisions and a judgment's numbered paragraphs: the structure the index read,
as JSON or Akoma Ntoso, and one provision or paragraph with its text.

The index writes ``<document_id>/structure.json`` (with text) and ``structure.akn.xml`` to the
derived bucket and a bounded copy to the search document's ``structure``
(lexstream.index.structures); the search document's copy says the objects are current. The
access rule is that of ``/text``: the document's status record, with the caller's filter,
decides, and a caller who may not see the document gets the 404 of a document that does not
exist. :func:`load_structure` is for other routes (an authority's ``open``) that need a held
document's structure, with :func:`lexstream.shared.legal.structure.open_pinpoint`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from elasticsearch import BadRequestError, NotFoundError
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.documents import DocumentId
from lexstream.gateway.schemas import COMMON_ERRORS
from lexstream.shared.artifacts import TextDocument
from lexstream.shared.events import ObjectRef
from lexstream.shared.legal.structure import (
    DocumentStructure,
    Paragraph,
    Unit,
    drop_text,
    locate_paragraph,
    open_pinpoint,
    unit_text,
)
from lexstream.shared.storage import derived_key

router = APIRouter(tags=["documents"], responses=COMMON_ERRORS)

STRUCTURE_JSON = "structure.json"
STRUCTURE_AKN = "structure.akn.xml"
AKN_MEDIA = "application/akn+xml"
NO_STRUCTURE = "this document has no structure (only statutes and judgments have one)"

ProvisionId = Annotated[
    str,
    Path(
        max_length=300,
        pattern=r"^[A-Za-z0-9:/._~-]+$",
        description="a provision id ('par:823/abs:1', 'art:6/para:1/point:f', 'para:50' of a "
        "judgment) or an authority id whose pinpoint it is ('de:act:BGB/par:823/abs:1')",
    ),
]
ParagraphNumber = Annotated[str, Path(pattern=r"^\d{1,5}$", description="'50' for [50]")]


class StructureAnswer(DocumentStructure):
    """The document's structure: a statute's provisions (a tree) or a judgment's headings and
    numbered paragraphs; offsets are in the document's text (its pages joined by a blank
    line, as ``/text`` gives them), pages 1-based."""

    document_id: str


class StructureUnit(BaseModel):
    """One provision of a statute, or one paragraph of a judgment, with its text."""

    document_id: str
    id: str = Field(description="its id in the document: 'par:823/abs:1', 'para:50'")
    requested: str = Field(
        description="the id asked for; a finer one than the document has (a Satz) opens the "
        "nearest provision that holds it"
    )
    kind: str = Field(description="a provision's Akoma Ntoso element, or 'paragraph'")
    number: str | None = None
    label: str | None = Field(default=None, description="as printed: '§ 823', '(1)'")
    heading: str | None = Field(description="its heading, or a paragraph's nearest one above")
    page: int | None = Field(description="1-based page where it starts")
    start: int | None = Field(description="offset in the document's text")
    end: int | None = Field(description="offset just past it (a provision's children too)")
    text: str = Field(description="its whole text from text.json (children included)")
    children: list[str] = Field(default_factory=list, description="ids of its subdivisions")


async def indexed_structure(gw: Gateway, access: Access, document_id: str) -> dict[str, Any] | None:
    """The search document's copy of the structure (bounded, without text), if the caller
    may see the document and it has one: what says the derived objects are current."""
    wanted = ["tenant", "matter_id", "structure.kind", "structure.truncated"]
    try:
        found = await gw.es.get(index=gw.alias, id=document_id, source_includes=wanted)
        source: dict[str, Any] = found["_source"]
    except NotFoundError:
        return None
    except BadRequestError:  # the alias points at more than one index (a reindex)
        try:
            result = await gw.es.search(
                index=gw.alias,
                query={
                    "bool": {"filter": [{"ids": {"values": [document_id]}}, access.es_filter()]}
                },
                size=1,
                source_includes=wanted,
            )
        except NotFoundError:
            return None
        hits = result["hits"]["hits"]
        if not hits:
            return None
        source = hits[0]["_source"]
    if not access.allows(source.get("tenant"), source.get("matter_id")):
        return None
    structure: dict[str, Any] | None = source.get("structure")
    return structure if structure and structure.get("kind") else None


async def _checked(gw: Gateway, access: Access, document_id: str) -> dict[str, Any]:
    """The status record, once the caller may see the document and it has a structure."""
    record = await gw.visible_record(access, document_id)
    if await indexed_structure(gw, access, document_id) is None:
        raise HTTPException(404, NO_STRUCTURE)
    return record


def _ref(gw: Gateway, document_id: str, name: str) -> ObjectRef:
    return ObjectRef(bucket=gw.store.derived, key=derived_key(document_id, name))


async def _structure_json(gw: Gateway, document_id: str) -> dict[str, Any]:
    found = await gw.s3(gw.store.get_json_if_exists(_ref(gw, document_id, STRUCTURE_JSON)))
    if not isinstance(found, dict):
        raise HTTPException(404, NO_STRUCTURE)
    return found


async def load_structure(gw: Gateway, access: Access, document_id: str) -> DocumentStructure | None:
    """A document's whole structure (with text), where the caller may see the document and
    it has one; None otherwise (no access and no structure look the same)."""
    try:
        await _checked(gw, access, document_id)
        return DocumentStructure.model_validate(await _structure_json(gw, document_id))
    except HTTPException as exc:
        if exc.status_code == 404:
            return None
        raise


async def _document_text(gw: Gateway, document_id: str) -> str | None:
    found = await gw.s3(gw.store.get_json_if_exists(_ref(gw, document_id, "text.json")))
    return TextDocument.model_validate(found).text if found is not None else None


def _answer(document_id: str, requested: str, unit: Unit, text: str | None) -> StructureUnit:
    if isinstance(unit, Paragraph):
        kind, label, children = "paragraph", None, []
    else:
        kind, label, children = unit.kind, unit.label, [child.id for child in unit.children]
    return StructureUnit(
        document_id=document_id,
        id=unit.id,
        requested=requested,
        kind=kind,
        number=unit.number,
        label=label,
        heading=unit.heading,
        page=unit.page,
        start=unit.start,
        end=unit.end,
        text=unit_text(unit, text),
        children=children,
    )


@router.get(
    "/v1/documents/{document_id}/structure",
    response_model=StructureAnswer,
    responses={
        200: {
            "description": "JSON, or Akoma Ntoso 3.0 XML with format=akn (a judgment's "
            "header: parties, judges, court, date, neutral citation; its judgmentBody's "
            "numbered paragraphs; citations as <ref href> to authority ids)",
            "content": {AKN_MEDIA: {"schema": {"type": "string"}}},
        }
    },
)
async def get_structure(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    format: Literal["json", "akn"] = "json",
    text: bool = True,
) -> Response:
    """A statute's provisions or a judgment's headings and numbered paragraphs, with their
    ids, pages and offsets; ``text=false`` leaves out their text; ``format=akn`` is the
    Akoma Ntoso export. 404 for a document that is neither (or not yet indexed)."""
    record = await _checked(gw, access, document_id)
    gw.audit.record(
        request, "structure", document_id=document_id, matter_id=record.get("matter_id")
    )
    if format == "akn":
        ref = _ref(gw, document_id, STRUCTURE_AKN)
        if not await gw.s3(gw.store.exists(ref)):
            raise HTTPException(404, NO_STRUCTURE)
        return Response(await gw.s3(gw.store.get_bytes(ref)), media_type=AKN_MEDIA)
    found = await _structure_json(gw, document_id)
    if not text:
        drop_text(found.get("provisions"))
        drop_text(found.get("paragraphs"))
    return Response(
        orjson.dumps({"document_id": document_id, **found}), media_type="application/json"
    )


@router.get("/v1/documents/{document_id}/provisions/{provision_id:path}")
async def get_provision(
    request: Request,
    document_id: DocumentId,
    provision_id: ProvisionId,
    gw: GatewayDep,
    access: AuthorizedDep,
) -> StructureUnit:
    """One provision of a statute ('par:823/abs:1') with its text, page and offsets, or the
    paragraph of a judgment a pinpoint names ('para:50'); a pinpoint finer than the document
    (a Satz) opens the nearest provision that holds it."""
    record = await _checked(gw, access, document_id)
    structure = DocumentStructure.model_validate(await _structure_json(gw, document_id))
    unit = open_pinpoint(structure, provision_id)
    if unit is None:
        raise HTTPException(404, "the document has no such provision")
    gw.audit.record(
        request, "provision", document_id=document_id, matter_id=record.get("matter_id")
    )
    return _answer(document_id, provision_id, unit, await _document_text(gw, document_id))


@router.get("/v1/documents/{document_id}/paragraphs/{number}")
async def get_paragraph(
    request: Request,
    document_id: DocumentId,
    number: ParagraphNumber,
    gw: GatewayDep,
    access: AuthorizedDep,
) -> StructureUnit:
    """Numbered paragraph ``number`` of a judgment ('[2020] UKSC 5 at [50]' is 50) with its
    text, heading, page and offsets; in a judgment that numbers none, its ``number``-th block
    of text."""
    record = await _checked(gw, access, document_id)
    structure = DocumentStructure.model_validate(await _structure_json(gw, document_id))
    unit = locate_paragraph(structure.paragraphs, f"para:{int(number)}") or next(
        (p for p in structure.paragraphs if p.id == f"p:{int(number)}"), None
    )
    if unit is None:
        raise HTTPException(404, "the document has no such paragraph")
    gw.audit.record(
        request, "paragraph", document_id=document_id, matter_id=record.get("matter_id")
    )
    return _answer(document_id, f"para:{int(number)}", unit, await _document_text(gw, document_id))


NO_CONTRACT = "the document is not a contract (or not indexed yet)"


class ContractClause(BaseModel):
    id: str = Field(description="'5', '5.2', '5(1)': the number as the contract writes it")
    number: str
    heading: str | None = None
    level: int
    parent: str | None = None
    categories: list[str] = Field(description="CUAD-anchored: governing_law, termination ...")
    page: int | None = None


class ContractTerm(BaseModel):
    term: str
    definition: str
    page: int | None = Field(default=None, description="where it is defined")
    uses: int = Field(description="later uses of the term")
    use_pages: list[int] = Field(description="the pages of those uses (the first 50)")


class ContractPartyAnswer(BaseModel):
    name: str
    role: str | None = None
    role_text: str


class ContractStructureAnswer(BaseModel):
    version: str
    clauses: list[ContractClause]
    defined_terms: list[ContractTerm]
    parties: list[ContractPartyAnswer]
    governing_law_text: str | None = None
    forum_text: str | None = None
    term_text: str | None = None
    truncated: bool = False


class ContractFields(BaseModel):
    governing_law: str | None = Field(default=None, description="UK/EW, US/STATE/NY, EU/DE ...")
    forum_kind: str | None = Field(default=None, description="court or arbitration")
    forum_place: str | None = None
    forum_exclusive: bool = False
    agreement_date: str | None = None
    effective_date: str | None = None
    term_months: int | None = None
    renews: bool = False
    indefinite: bool = False
    parties: list[str] = Field(default_factory=list)
    party_roles: list[str] = Field(default_factory=list)
    clause_categories: list[str] = Field(default_factory=list)
    defined_terms: list[str] = Field(default_factory=list)


class ContractAnswer(BaseModel):
    document_id: str
    contract: ContractFields
    structure: ContractStructureAnswer


@router.get("/v1/documents/{document_id}/contract")
async def get_contract(
    request: Request, document_id: DocumentId, gw: GatewayDep, access: AuthorizedDep
) -> ContractAnswer:
    """A contract's structure: its governing law, forum, dates, term and parties
    (``contract``), and its numbered clauses with headings, categories and pages, its
    defined terms with their definitions and the pages of their later uses, and the wording
    of the governing law and forum clauses (``structure``). 404 for a document that is not
    a contract, or one the caller may not see."""
    doc = await gw.search_document(
        access, document_id, includes=["contract", "contract_structure", "doc_type"]
    )
    if doc is None or not doc.get("contract_structure"):
        gw.audit.record(request, "contract", status_code=404, document_id=document_id)
        raise HTTPException(404, NO_CONTRACT)
    gw.audit.record(request, "contract", document_id=document_id, matter_id=doc.get("matter_id"))
    return ContractAnswer.model_validate(
        {
            "document_id": document_id,
            "contract": doc.get("contract") or {},
            "structure": doc["contract_structure"],
        }
    )

"""An e-mail's thread: the messages of its thread the caller may see, oldest first.

Threads are made from the headers at index time (``thread_id``) and re-evaluated over the
thread's messages by the index service (``thread_id``, ``inclusive``, ``duplicate_of``; see
:mod:`lexstream.shared.threads`). Every query carries the caller's visibility filter, so a
message in a matter the caller cannot see is neither listed nor counted.
"""

from __future__ import annotations

from typing import Annotated, Any

from elasticsearch import NotFoundError
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import GatewayDep
from lexstream.gateway.documents import DocumentId
from lexstream.gateway.schemas import COMMON_ERRORS

router = APIRouter(tags=["documents"], responses=COMMON_ERRORS)

_SOURCE = ["document_id", "matter_id", "title", "email", "thread_id", "inclusive", "duplicate_of"]


class ThreadMessage(BaseModel):
    document_id: str
    matter_id: str | None
    sender: str | None = Field(description="the From header")
    to: list[str]
    cc: list[str]
    date: str | None
    subject: str | None
    message_id: str | None
    in_reply_to: str | None
    inclusive: bool | None = Field(
        description="true where no other message of the thread contains all of this one (its "
        "words and attachments): the messages to read to have read the thread"
    )
    duplicate_of: str | None = Field(description="the first copy, where this is a second one")
    attachments: list[str]


class Thread(BaseModel):
    document_id: str
    thread_id: str | None = Field(description="None: the document is not an e-mail")
    total: int = Field(description="messages of the thread the caller can see")
    inclusive: int = Field(description="inclusive messages among them")
    messages: list[ThreadMessage]


def _message(hit: dict[str, Any]) -> ThreadMessage:
    source = hit["_source"]
    mail: dict[str, Any] = source.get("email") or {}
    return ThreadMessage(
        document_id=hit["_id"],
        matter_id=source.get("matter_id"),
        sender=mail.get("from"),
        to=list(mail.get("to") or []),
        cc=list(mail.get("cc") or []),
        date=mail.get("date"),
        subject=mail.get("subject"),
        message_id=mail.get("message_id"),
        in_reply_to=mail.get("in_reply_to"),
        inclusive=source.get("inclusive"),
        duplicate_of=source.get("duplicate_of"),
        attachments=list(mail.get("attachments") or []),
    )


@router.get("/v1/documents/{document_id}/thread")
async def document_thread(
    request: Request,
    document_id: DocumentId,
    gw: GatewayDep,
    access: AuthorizedDep,
    size: Annotated[int, Query(ge=1, le=500)] = 200,
    inclusive: Annotated[bool | None, Query(description="only inclusive messages")] = None,
) -> Thread:
    """The messages of the e-mail's thread the caller may see (the document itself too),
    by date; ``inclusive=true`` keeps the inclusive ones only."""
    doc = await gw.search_document(access, document_id, includes=["thread_id", "email"])
    if doc is None:
        raise HTTPException(404, "no such document (or not indexed yet)")
    thread_id = doc.get("thread_id")
    hits: list[dict[str, Any]] = []
    total = included = 0
    if thread_id:
        filters: list[dict[str, Any]] = [access.es_filter(), {"term": {"thread_id": thread_id}}]
        if inclusive is not None:
            filters.append({"term": {"inclusive": inclusive}})
        body = {
            "query": {"bool": {"filter": filters}},
            "size": size,
            "sort": [{"email.date": {"order": "asc", "missing": "_last"}}, {"document_id": "asc"}],
            "_source": _SOURCE,
            "track_total_hits": True,
            "aggs": {"inclusive": {"filter": {"term": {"inclusive": True}}}},
        }
        try:
            result = await gw.search(access, body)
            hits = result["hits"]["hits"]
            total = int(result["hits"]["total"]["value"])
            included = int(result["aggregations"]["inclusive"]["doc_count"])
        except NotFoundError:
            pass
    gw.audit.record(
        request, "thread", document_id=document_id, matter_id=doc.get("matter_id"), hits=total
    )
    return Thread(
        document_id=document_id,
        thread_id=thread_id,
        total=total,
        inclusive=included,
        messages=[_message(hit) for hit in hits],
    )

"""``GET /v1/documents/{id}/thread`` as a function: the caller's access filter is in every
query, ``inclusive`` filters, a document the caller cannot see is a 404, a document that is no
e-mail has an empty thread."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import HTTPException

from lexstream.gateway.routes_mail import document_thread

VISIBLE = {"terms": {"acl": ["matter:M-1"]}}


class FakeAccess:
    def es_filter(self) -> dict[str, Any]:
        return VISIBLE


class FakeAudit:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def record(self, _request: Any, action: str, **fields: Any) -> None:
        self.records.append({"action": action, **fields})


class FakeGateway:
    """Answers like Elasticsearch would for a thread of three messages, one not inclusive."""

    def __init__(self, doc: dict[str, Any] | None) -> None:
        self.doc = doc
        self.bodies: list[dict[str, Any]] = []
        self.audit = FakeAudit()

    async def search_document(self, *_: Any, **__: Any) -> Any:
        return self.doc

    async def search(self, _access: Any, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(body)
        hits = [
            {
                "_id": f"d{n}",
                "_source": {
                    "matter_id": "M-1",
                    "thread_id": "thread-1",
                    "inclusive": n != 1,
                    "email": {"from": "a@x", "subject": f"Re: terms {n}", "to": ["b@x"]},
                },
            }
            for n in (1, 2, 3)
        ]
        return {
            "hits": {"hits": hits, "total": {"value": 3}},
            "aggregations": {"inclusive": {"doc_count": 2}},
        }


async def test_the_thread_is_read_under_the_callers_filter() -> None:
    gw = FakeGateway({"matter_id": "M-1", "thread_id": "thread-1", "email": {}})
    thread = await document_thread(None, "d1", gw, FakeAccess(), 200, None)  # type: ignore[arg-type]
    (body,) = gw.bodies
    assert VISIBLE in body["query"]["bool"]["filter"]
    assert {"term": {"thread_id": "thread-1"}} in body["query"]["bool"]["filter"]
    assert thread.total == 3
    assert thread.inclusive == 2
    assert [m.inclusive for m in thread.messages] == [False, True, True]
    assert gw.audit.records[0]["action"] == "thread"


async def test_inclusive_only() -> None:
    gw = FakeGateway({"matter_id": "M-1", "thread_id": "thread-1", "email": {}})
    await document_thread(None, "d1", gw, FakeAccess(), 200, True)  # type: ignore[arg-type]
    filters = gw.bodies[0]["query"]["bool"]["filter"]
    assert {"term": {"inclusive": True}} in filters
    assert VISIBLE in filters


async def test_unseen_document_is_404_and_no_email_is_an_empty_thread() -> None:
    with pytest.raises(HTTPException) as info:
        await document_thread(None, "d9", FakeGateway(None), FakeAccess(), 200, None)  # type: ignore[arg-type]
    assert info.value.status_code == 404
    gw = FakeGateway({"matter_id": "M-1"})
    thread = await document_thread(None, "d2", gw, FakeAccess(), 200, None)  # type: ignore[arg-type]
    assert thread.thread_id is None
    assert thread.messages == []
    assert gw.bodies == []

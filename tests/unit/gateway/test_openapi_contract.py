"""The gateway's OpenAPI document describes every answer, and the answers match it.

The app is built by its factory (no stack: clients connect only in the lifespan). Example
answers are produced by the route code itself (shaping functions, stores and route functions
fed with Elasticsearch-like results), then checked twice: by the pydantic response model
and, serialized, by the JSON schema the document publishes (what schemathesis checks).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from fastapi.routing import APIRoute
from pydantic import BaseModel
from schemathesis.core.result import Ok
from starlette.requests import Request

from lexstream.gateway import documents, routes_admin, routes_matters, routes_search
from lexstream.gateway.access import Access, Principal
from lexstream.gateway.app import create_app
from lexstream.gateway.audit import AuditLog
from lexstream.gateway.schemas import (
    ApiKeyList,
    AuditEntry,
    AuditTrail,
    DocumentText,
    Matter,
    OwnedMatter,
    SearchResponse,
    Suggestions,
)
from lexstream.gateway.search import shape_response, shape_suggestions
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import ApiKeyStore, MatterStore, Role, Scope
from lexstream.shared.artifacts import Page, WordBox
from lexstream.shared.telemetry import setup_telemetry

SETTINGS = GatewaySettings()
OWNER = Access(Principal(subject="alice", tenant="acme", roles={"M-1": Role.OWNER}, key_id="k1"))
VIEWER = Access(Principal(subject="bob", tenant="acme", roles={"M-1": Role.VIEWER}))
ADMIN = Access(Principal(subject="root", tenant="acme", is_admin=True))


@pytest.fixture(scope="module")
def app() -> Any:
    telemetry = setup_telemetry("lexstream-gateway", None, set_global=False, instrument_http=False)
    return create_app(SETTINGS, telemetry)


@pytest.fixture(scope="module")
def openapi(app: Any) -> dict[str, Any]:
    document: dict[str, Any] = app.openapi()
    return document


ROUTERS = (documents.router, routes_search.router, routes_matters.router, routes_admin.router)


def _router_operations() -> set[tuple[str, str]]:
    return {
        (route.path, method.lower())
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods or ()
    }


def _describes(schema: dict[str, Any]) -> bool:
    """A schema that says something: a reference, properties, or alternatives of those."""
    if "$ref" in schema or schema.get("properties"):
        return True
    alternatives = schema.get("anyOf") or schema.get("oneOf") or []
    return bool(alternatives) and all(_describes(s) for s in alternatives)


def _binary_image(response: dict[str, Any]) -> bool:
    content = response.get("content", {})
    image = content.get("image/png", {}).get("schema", {})
    return set(content) == {"image/png"} and image.get("format") == "binary"


def test_every_public_route_documents_a_json_body_for_its_success(
    openapi: dict[str, Any],
) -> None:
    documented = {
        (path, method)
        for path, operations in openapi["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    assert _router_operations() <= documented
    operations = sorted(documented)
    assert len(operations) >= 25
    undocumented = []
    for path, method in operations:
        responses = openapi["paths"][path][method]["responses"]
        successes = {code: r for code, r in responses.items() if code.startswith("2")}
        assert successes, f"{method.upper()} {path} documents no 2xx answer"
        for code, response in successes.items():
            if _binary_image(response):
                continue  # a page image (pages.py), documented as such
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if not _describes(schema):
                undocumented.append(f"{method.upper()} {path} {code}: {schema}")
    assert not undocumented, "\n".join(undocumented)


def test_schemathesis_reads_every_operation(openapi: dict[str, Any]) -> None:
    """The e2e fuzzing test loads this document; a broken reference would stop it there."""
    results = list(schemathesis.openapi.from_dict(openapi).get_all_operations())
    failed = [result for result in results if not isinstance(result, Ok)]
    assert failed == []
    labels = [result.ok().label for result in results if isinstance(result, Ok)]
    assert "GET /v1/search" in labels
    assert len(labels) >= 25


def test_refusals_are_documented_as_detail_and_422_is_not(openapi: dict[str, Any]) -> None:
    """The gateway turns invalid requests into 400 {"detail"}, so 422 would be a false promise."""
    search = openapi["paths"]["/v1/search"]["get"]["responses"]
    assert "422" not in search
    assert search["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }


def test_captions_and_the_redirect_declare_their_media_and_headers(
    openapi: dict[str, Any],
) -> None:
    transcript = openapi["paths"]["/v1/documents/{document_id}/transcript"]["get"]
    assert {"application/json", "text/vtt", "application/x-subrip"} <= set(
        transcript["responses"]["200"]["content"]
    )
    original = openapi["paths"]["/v1/documents/{document_id}/original"]["get"]["responses"]
    assert "Location" in original["307"]["headers"]
    assert original["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OriginalUrl"
    }


def _validator(openapi: dict[str, Any], path: str, method: str, status: str) -> Any:
    schema = openapi["paths"][path][method]["responses"][status]["content"]["application/json"]
    root = {**schema["schema"], "components": openapi["components"]}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def _conforms(
    openapi: dict[str, Any], path: str, method: str, answer: BaseModel, status: str = "200"
) -> dict[str, Any]:
    payload = answer.model_dump(mode="json")
    errors = [e.message for e in _validator(openapi, path, method, status).iter_errors(payload)]
    assert not errors, f"{method.upper()} {path}: {errors}"
    return payload


# Elasticsearch answers, as the gateway's queries get them

SEARCH_RESULT: dict[str, Any] = {
    "hits": {
        "total": {"value": 2, "relation": "eq"},
        "hits": [
            {
                "_id": "doc-1",
                "_score": 3.5,
                "_source": {
                    "document_id": "doc-1",
                    "title": "Roe v. Wade",
                    "filename": "roe.pdf",
                    "jurisdiction": "US/FED",
                    "court": "scotus",
                    "decision_date": "1973-01-22",
                    "doc_type": "opinion",
                    "language": "en",
                    "matter_id": "M-1",
                    "kind": "document",
                },
                "sort": [3.5, "doc-1"],
                "inner_hits": {
                    "pages": {
                        "hits": {
                            "hits": [
                                {
                                    "_source": {"number": 14},
                                    "highlight": {"pages.text": ["the <em>right</em> of"]},
                                }
                            ]
                        }
                    },
                    "segments": {"hits": {"hits": []}},
                },
            },
            {
                "_id": "rec-1",
                "_score": 1.25,
                "_source": {
                    "document_id": "rec-1",
                    "filename": "hearing.flac",
                    "kind": "recording",
                },
                "sort": [1.25, "rec-1"],
                "inner_hits": {
                    "segments": {
                        "hits": {
                            "hits": [
                                {
                                    "_source": {"start": 62.5, "end": 65.0, "cite": "3:7"},
                                    "highlight": {"segments.text.en": ["your <em>honour</em>"]},
                                }
                            ]
                        }
                    }
                },
            },
        ],
    },
    "aggregations": {
        "court": {"buckets": [{"key": "scotus", "doc_count": 1}]},
        "doc_type": {"buckets": [{"key": "opinion", "doc_count": 1}]},
        "language": {"buckets": [{"key": "en", "doc_count": 2}]},
        "matter_id": {"buckets": [{"key": "M-1", "doc_count": 2}]},
        "jurisdiction": {
            "buckets": [
                {"key": "US/FED", "doc_count": 1},
                {"key": "US/STATE/CA", "doc_count": 1},
            ]
        },
    },
}

STATUS_RECORD: dict[str, Any] = {
    "document_id": "doc-1",
    "tenant": "acme",
    "matter_id": "M-1",
    "status": "indexed",
    "rank": 3,
    "updated_at": "2024-05-01T10:00:03+00:00",
    "stages": {
        "stored": "2024-05-01T10:00:00+00:00",
        "extracting": "2024-05-01T10:00:01+00:00",
        "indexed": "2024-05-01T10:00:03+00:00",
    },
    "filename": "roe.pdf",
    "media_type": "application/pdf",
    "provenance": {
        "intake": "http",
        "source": None,
        "external_id": None,
        "uploader": "alice",
        "received_at": "2024-05-01T09:59:59.123456Z",
    },
    "failure_reason": None,
    "failure_stage": None,
    "progress": 1.0,
    "extractor_version": "extract-7",
    "warnings": ["page 3: low OCR confidence"],
}

SEARCH_DOCUMENT: dict[str, Any] = {
    "_index": "lexstream-documents-000001",
    "document_id": "doc-1",
    "tenant": "acme",
    "matter_id": "M-1",
    "kind": "document",
    "title": "Roe v. Wade",
    "court": "scotus",
    "jurisdiction": "US/FED",
    "decision_date": "1973-01-22",
    "case_numbers": ["70-18"],
    "parties": ["Roe", "Wade"],
    "judges": ["Blackmun"],
    "citations": [
        {"raw": "410 U.S. 113", "normalized": "410 us 113", "kind": "reporter", "pin": "153"}
    ],
    "doc_type": "opinion",
    "language": "en",
    "page_count": 66,
    "content_truncated": False,
    "extractor_version": "extract-7",
}


def test_search_answers_match_the_document(openapi: dict[str, Any]) -> None:
    answer = SearchResponse.model_validate(shape_response(SEARCH_RESULT, size=2))
    payload = _conforms(openapi, "/v1/search", "get", answer)
    assert payload["hits"][0]["highlights"] == [{"page": 14, "text": "the <em>right</em> of"}]
    assert payload["hits"][1]["highlights"] == [
        {"start": 62.5, "end": 65.0, "cite": "3:7", "text": "your <em>honour</em>"}
    ]
    assert payload["facets"]["jurisdiction"][0]["children"][0]["path"] == "US/FED"
    assert payload["next"] is not None
    _conforms(openapi, "/v1/cited-by", "get", routes_search.EMPTY)


def test_the_schema_refuses_an_answer_that_breaks_it(openapi: dict[str, Any]) -> None:
    """The checks above can fail: the published schema is not an empty `{}`."""
    payload = SearchResponse.model_validate(shape_response(SEARCH_RESULT, size=2)).model_dump(
        mode="json"
    )
    del payload["total"]
    payload["hits"][0]["highlights"] = [{"text": 7}]
    assert len(list(_validator(openapi, "/v1/search", "get", "200").iter_errors(payload))) >= 2


def test_suggestions_match_the_document(openapi: dict[str, Any]) -> None:
    answer = Suggestions.model_validate({"suggestions": shape_suggestions(SEARCH_RESULT)})
    payload = _conforms(openapi, "/v1/suggest", "get", answer)
    assert payload["suggestions"][1] == {
        "document_id": "rec-1",
        "text": "hearing.flac",
        "court": None,
    }


def test_document_metadata_matches_the_document(openapi: dict[str, Any]) -> None:
    answer = documents._metadata("doc-1", STATUS_RECORD, SEARCH_DOCUMENT)
    payload = _conforms(openapi, "/v1/documents/{document_id}", "get", answer)
    assert payload["pages"] == 66
    assert payload["citations"][0]["pin"] == "153"  # later extractors add attributes
    # just received: ingest's own record, no search document yet
    ingest_record = {**STATUS_RECORD, "status": "stored", "stages": {}}
    del ingest_record["progress"], ingest_record["warnings"]
    fresh = documents._metadata("doc-1", ingest_record, {})
    assert _conforms(openapi, "/v1/documents/{document_id}", "patch", fresh)["court"] is None


def test_text_pages_with_and_without_words_match_the_document(openapi: dict[str, Any]) -> None:
    page = Page(
        number=1,
        text="ADJUDGED",
        method="ocr",
        confidence=91.5,
        width=2550,
        height=3300,
        words=[WordBox(text="ADJUDGED", left=10, top=20, width=200, height=40)],
    )
    for words in (False, True):
        answer = DocumentText(
            document_id="doc-1",
            language="en",
            warnings=[],
            pages=[documents._text_page(page, words)],
        )
        payload = _conforms(openapi, "/v1/documents/{document_id}/text", "get", answer)
        assert ("words" in payload["pages"][0]) is words


class _FakeEs:
    """Records what a store writes and answers searches with a fixed result."""

    def __init__(self, result: dict[str, Any] | None = None) -> None:
        self.result = result or {"hits": {"hits": []}}
        self.written: list[dict[str, Any]] = []

    async def index(self, **kwargs: Any) -> dict[str, Any]:
        self.written.append(kwargs["document"])
        return {"result": "created"}

    async def search(self, **_: Any) -> dict[str, Any]:
        return self.result


async def test_matters_as_owners_and_members_see_them(openapi: dict[str, Any]) -> None:
    store = MatterStore(_FakeEs(), SETTINGS, cache_ttl_s=0)  # type: ignore[arg-type]
    record = await store.create(
        tenant="acme", matter_id="M-1", name="Roe", description=None, client="R", owner="alice"
    )
    owned = routes_matters._shape(record, OWNER)
    seen = routes_matters._shape(record, VIEWER)
    assert isinstance(owned, OwnedMatter)
    assert type(seen) is Matter
    payload = _conforms(openapi, "/v1/matters", "post", owned, "201")
    assert payload["members"] == [{"subject": "alice", "role": "owner"}]
    assert "members" not in _conforms(openapi, "/v1/matters/{matter_id}", "get", seen)
    listed = await routes_matters.list_matters(
        SimpleNamespace(matters=SimpleNamespace(list=_returns([record]))),  # type: ignore[arg-type]
        VIEWER,
    )
    _conforms(openapi, "/v1/matters", "get", listed)


async def test_api_keys_and_me_match_the_document(openapi: dict[str, Any]) -> None:
    es = _FakeEs()
    keys = ApiKeyStore(es, SETTINGS, cache_ttl_s=0)  # type: ignore[arg-type]
    key, record = await keys.create(
        tenant="acme", subject="dms", name="DMS sync", scopes=[Scope.WRITE], created_by="root"
    )
    gw = SimpleNamespace(keys=keys, audit=SimpleNamespace(record=lambda *a, **k: None))
    body = routes_admin.ApiKeyCreate(subject="dms", name="DMS sync", scopes=[Scope.WRITE])
    created = await routes_admin.create_key(_request(ADMIN), body, gw, ADMIN)  # type: ignore[arg-type]
    payload = _conforms(openapi, "/v1/apikeys", "post", created, "201")
    assert payload["key"].startswith("lxk_")
    assert "key_sha256" not in payload
    stored = {k: v for k, v in es.written[0].items() if k != "key_sha256"}
    _conforms(openapi, "/v1/apikeys", "get", ApiKeyList.model_validate({"keys": [stored]}))
    me = await routes_admin.me(OWNER)
    assert _conforms(openapi, "/v1/me", "get", me)["matters"] == {"M-1": "owner"}
    assert key != record["key_sha256"]


def test_audit_entries_match_the_document(
    openapi: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    log = AuditLog(None, None, SETTINGS)  # type: ignore[arg-type]
    recorded: list[dict[str, Any]] = []
    monkeypatch.setattr(log, "enqueue", recorded.append)
    log.record(_request(OWNER), "search", query={"q": "roe"}, hits=2)
    log.record(_request(ADMIN), "view", status_code=404, document_id="doc-1")
    answer = AuditTrail.model_validate({"entries": recorded})
    payload = _conforms(openapi, "/v1/audit", "get", answer)
    assert [e["action"] for e in payload["entries"]] == ["search", "view"]
    assert AuditEntry.model_validate(payload["entries"][0]).query == {"q": "roe"}


async def test_children_and_similar_match_the_document(openapi: dict[str, Any]) -> None:
    children_result = {
        "hits": {
            "total": {"value": 1, "relation": "eq"},
            "hits": [
                {
                    "_id": "att-1",
                    "_source": {
                        "filename": "a.pdf",
                        "media_type": "application/pdf",
                        "status": "indexed",
                    },
                }
            ],
        }
    }
    gw = _gateway(children_result)
    children = await documents.get_children(
        request=_request(OWNER), document_id="doc-1", gw=gw, access=OWNER
    )
    _conforms(openapi, "/v1/documents/{document_id}/children", "get", children)
    similar = await documents.similar(
        request=_request(OWNER), document_id="doc-1", gw=_gateway(SEARCH_RESULT), access=OWNER
    )
    payload = _conforms(openapi, "/v1/documents/{document_id}/similar", "get", similar)
    assert [h["document_id"] for h in payload["hits"]] == ["doc-1", "rec-1"]


def _returns(value: Any) -> Callable[..., Any]:
    async def call(*_: Any, **__: Any) -> Any:
        return value

    return call


def _gateway(result: dict[str, Any]) -> Any:
    return SimpleNamespace(
        es=_FakeEs(result),
        search=_returns(result),  # Gateway.search: the caller's bounded search of the documents
        alias="lexstream-documents",
        statuses="lexstream-status",
        visible_record=_returns(STATUS_RECORD),
        search_document=_returns(SEARCH_DOCUMENT),
        audit=SimpleNamespace(record=lambda *a, **k: None),
    )


def _request(access: Access) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/v1/search",
            "headers": [(b"user-agent", b"pytest")],
            "client": ("127.0.0.1", 5000),
            "state": {"access": access},
        }
    )

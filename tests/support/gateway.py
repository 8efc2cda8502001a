"""The gateway from tests: in-process, its settings on the test stack and a client that calls
the app through ASGI (no port), as the bootstrap admin unless told otherwise; over HTTP, an
upload that returns the new document's id."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
from elasticsearch import NotFoundError
from fastapi import FastAPI

from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import Grants
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings

ADMIN_KEY = "integration-admin-key-0123456789"


def service_fields(settings: CommonSettings, cls: type[CommonSettings]) -> dict[str, Any]:
    """The values of ``settings`` that the service settings ``cls`` takes, but the service
    name (each service keeps its own)."""
    return {
        k: v
        for k, v in settings.model_dump().items()
        if k in cls.model_fields and k != "service_name"
    }


def gateway_settings(settings: CommonSettings, **overrides: Any) -> GatewaySettings:
    """The gateway on the test stack of ``settings``, with :data:`ADMIN_KEY` as its bootstrap
    admin key."""
    fields = service_fields(settings, GatewaySettings)
    return GatewaySettings(**{**fields, "bootstrap_admin_key": ADMIN_KEY, **overrides})


def gateway_client(
    app: FastAPI, key: str | None = ADMIN_KEY, headers: Mapping[str, str] | None = None
) -> httpx.AsyncClient:
    """A client of ``app`` sending ``key`` as its API key (none where ``key`` is None)."""
    sent = {**({"X-API-Key": key} if key else {}), **(headers or {})}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=sent
    )


def upload_document(client: httpx.Client, matter: str, name: str, data: bytes, media: str) -> str:
    """Upload ``data`` as ``name`` into ``matter``: the id of the document accepted (202)."""
    response = client.post(
        "/v1/documents", data={"matter_id": matter}, files={"file": (name, data, media)}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["document_id"])


class NoGrants:
    """The matter store's grant look-up, without Elasticsearch: nobody holds a role (for unit
    tests of an app built by ``create_app``; set it as ``app.state.matters``)."""

    async def grants(self, _tenant: str, _subject: str) -> Grants:
        return Grants(roles={}, screened=frozenset())


@contextlib.asynccontextmanager
async def own_indices(settings: CommonSettings, suffix: str) -> AsyncIterator[CommonSettings]:
    """``settings`` under an index prefix of their own (``<prefix><suffix>``); its indices
    and documents template are removed on leaving."""
    own = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}{suffix}"})
    yield own
    es = make_search_client(own)
    try:
        await es.indices.delete(index=f"{own.index_prefix}-*", allow_no_indices=True)
        with contextlib.suppress(NotFoundError):
            await es.indices.delete_index_template(name=documents_alias(own))
    finally:
        await es.close()


async def put_text(
    store: Any,
    document_id: str,
    matter_id: str,
    pages: list[str],
    *,
    filename: str,
    media_type: str = "text/plain",
) -> Any:
    """``pages`` as the document's text.json in the derived bucket, and the
    ``TextExtracted`` event that names it (what the index service consumes)."""
    from lexstream.shared.artifacts import Page, TextDocument
    from lexstream.shared.events import Hints, ObjectRef, TextExtracted
    from lexstream.shared.storage import derived_key

    ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "text.json"))
    text = TextDocument(
        document_id=document_id,
        media_type=media_type,
        pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages, 1)],
        extractor="test",
    )
    await store.put_json(ref, text.model_dump(mode="json"))
    return TextExtracted(
        document_id=document_id,
        matter_id=matter_id,
        text=ref,
        media_type=media_type,
        filename=filename,
        pages=len(pages),
        hints=Hints(),
        extractor="test",
    )

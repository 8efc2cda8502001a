"""The gateway started before the index service has created its indices.

The documents alias and the status index belong to the index service (lexstream.index
bootstrap); the gateway creates only its own indices. Until the index has bootstrapped, the
gateway starts and answers: nothing found, never a 500. Once the index has bootstrapped,
the same running gateway reads its indices.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings

from lexstream.gateway.app import create_app
from lexstream.gateway.stores import apikeys_index, audit_index, matters_index
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.search import documents_alias, status_index
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
async def gateway(settings: CommonSettings) -> AsyncIterator[FastAPI]:
    """A gateway on index names of its own, that no index service has bootstrapped."""
    prefix = f"{settings.index_prefix}-fresh{secrets.token_hex(3)}"
    app = create_app(gateway_settings(settings, index_prefix=prefix))
    async with app.router.lifespan_context(app):
        try:
            yield app
        finally:
            await _delete_indices(app)


async def _delete_indices(app: FastAPI) -> None:
    gw = app.state.gateway
    names = await gw.es.indices.get(index=f"{gw.settings.index_prefix}-*", expand_wildcards="all")
    if names:
        await gw.es.indices.delete(index=list(names))


async def _search(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/search", params={"q": "contract"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_gateway_answers_before_the_index_bootstrapped(gateway: FastAPI) -> None:
    gw = gateway.state.gateway
    es, settings = gw.es, gw.settings
    # the gateway made its own indices, and none of the index service's
    for own in (matters_index(settings), apikeys_index(settings), audit_index(settings)):
        assert await es.indices.exists(index=own), own
    assert not await es.indices.exists_alias(name=documents_alias(settings))
    assert not await es.indices.exists(index=status_index(settings))

    async with gateway_client(gateway) as client:
        assert (await _search(client))["total"] == 0
        cited = await client.get("/v1/cited-by", params={"citation": "410 U.S. 113"})
        assert cited.status_code == 200, cited.text
        assert cited.json()["total"] == 0
        suggested = await client.get("/v1/suggest", params={"q": "con"})
        assert suggested.status_code == 200, suggested.text
        assert suggested.json() == {"suggestions": []}
        for path in ("", "/children", "/similar", "/text"):
            missing = await client.get(f"/v1/documents/doc-not-indexed{path}")
            assert missing.status_code == 404, (path, missing.text)

        # the index service bootstraps; the running gateway reads what it created
        await bootstrap_indices(es, settings)
        await es.index(
            index=documents_alias(settings),
            id="doc-after",
            document={
                "document_id": "doc-after",
                "tenant": settings.tenant,
                "matter_id": "M-after",
                "acl": ["matter:M-after"],
                "title": "Contract dispute",
                "content": "The contract was breached.",
            },
            refresh=True,
        )
        found = await _search(client)
        assert [hit["document_id"] for hit in found["hits"]] == ["doc-after"]

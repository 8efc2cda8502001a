"""Regression tests of issue 13's smaller findings that need real storage: the gateway
in-process (its lifespan, real Elasticsearch, S3 and Kafka), as in
test_gateway_limits_and_identity.py."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings

from lexstream.gateway.app import create_app
from lexstream.shared.events import ObjectRef
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore, derived_key, original_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

PAGE = b"<html><body><script>alert(document.domain)</script></body></html>"


@pytest.fixture
async def gateway(settings: CommonSettings) -> AsyncIterator[FastAPI]:
    app = create_app(gateway_settings(settings))
    async with app.router.lifespan_context(app):
        yield app


async def _stored_original(settings: CommonSettings, media_type: str, filename: str) -> str:
    """An original in the originals bucket and ingest's record of it (no matter: admins')."""
    store = ObjectStore(settings)
    await store.bootstrap()
    data = PAGE + str(time.time_ns()).encode()
    digest = hashlib.sha256(data).hexdigest()
    original = ObjectRef(bucket=store.originals, key=original_key(digest))
    await store.put_bytes(original, data, content_type=media_type)
    document_id = f"hardening-{time.time_ns()}"
    record: dict[str, Any] = {
        "document_id": document_id,
        "tenant": settings.tenant,
        "matter_id": None,
        "filename": filename,
        "media_type": media_type,
        "original": original.uri,
    }
    await store.put_json(
        ObjectRef(bucket=store.derived, key=derived_key(document_id, "document.json")), record
    )
    return document_id


@pytest.mark.parametrize(
    ("media_type", "filename"),
    [("text/html", 'page "1".html'), ("image/svg+xml", "drawing.svg"), ("text/xml", "a.xml")],
)
async def test_hardening_originals_are_attachments_never_active_content(
    settings: CommonSettings, gateway: FastAPI, media_type: str, filename: str
) -> None:
    document_id = await _stored_original(settings, media_type, filename)
    async with gateway_client(gateway) as admin:
        path = f"/v1/documents/{document_id}/original"
        # the option the attack used is ignored: originals are always attachments
        redirect = await admin.get(path, params={"disposition": "inline"})
        as_json = await admin.get(path, params={"disposition": "inline", "redirect": "false"})
    assert redirect.status_code == 307, redirect.text
    assert redirect.headers["x-content-type-options"] == "nosniff"
    assert redirect.headers["cache-control"] == "no-store"
    async with httpx.AsyncClient() as browser:
        for url in (redirect.headers["location"], as_json.json()["url"]):
            served = await browser.get(url)
            assert served.status_code == 200
            assert served.content.startswith(PAGE)
            assert served.headers["content-type"] == "application/octet-stream"
            disposition = served.headers["content-disposition"]
            assert disposition.startswith("attachment; filename=")
            assert "inline" not in disposition

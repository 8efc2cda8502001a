"""Fixtures of the index service's integration tests: settings of this session, clients, the
service in-process with a producer, and a helper that puts a document's text.json where ocr
would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from elasticsearch import AsyncElasticsearch
from faststream.kafka import KafkaBroker
from tests.conftest import settings_for

from lexstream.index.app import create_app
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.extraction import warm_up
from lexstream.index.settings import IndexSettings
from lexstream.shared.artifacts import Page, TextDocument
from lexstream.shared.events import Hints, ObjectRef, TextExtracted
from lexstream.shared.ids import new_document_id
from lexstream.shared.kafka import make_broker
from lexstream.shared.search import make_search_client
from lexstream.shared.storage import ObjectStore, derived_key
from lexstream.shared.telemetry import setup_telemetry


@pytest.fixture(scope="session")
def index_settings(stack_env: dict[str, str]) -> IndexSettings:
    env = {**stack_env, "LEXSTREAM_BATCH_TIMEOUT_MS": "100", "LEXSTREAM_HEALTH_PORT": "28093"}
    return settings_for(env, IndexSettings)


@pytest.fixture(scope="module")
async def producer(index_settings: IndexSettings) -> AsyncIterator[KafkaBroker]:
    """A producer, once the index service runs in-process for the test module (its lifespan
    bootstraps the indices)."""
    app = create_app(
        index_settings, setup_telemetry("test-index", None, set_global=False, instrument_http=False)
    )
    broker = make_broker(
        index_settings,
        setup_telemetry("test", None, set_global=False, instrument_http=False),
        client_id="test-producer",
    )
    async with app.router.lifespan_context(app):
        await broker.connect()
        try:
            yield broker
        finally:
            await broker.stop()


@pytest.fixture(scope="package")
async def es(index_settings: IndexSettings) -> AsyncIterator[AsyncElasticsearch]:
    client = make_search_client(index_settings)
    await bootstrap_indices(client, index_settings)
    warm_up()
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture(scope="package")
async def store(index_settings: IndexSettings) -> ObjectStore:
    store = ObjectStore(index_settings)
    await store.bootstrap()
    return store


@pytest.fixture(scope="package")
def put_text(store: ObjectStore) -> PutText:
    """``await put_text(pages, ...)``: text.json in the derived bucket, and its event."""

    async def put(pages: list[str] | None = None, **options: Any) -> TextExtracted:
        return await _put_text(store, pages, **options)

    return put


PutText = Callable[..., Awaitable[TextExtracted]]


async def _put_text(
    store: ObjectStore,
    pages: list[str] | None = None,
    *,
    raw: bytes | None = None,
    matter_id: str = "M-index",
    jurisdiction: str | None = None,
    filename: str = "document.txt",
    document_id: str | None = None,
) -> TextExtracted:
    """Store text.json (or ``raw`` bytes in its place) and return the event ocr would send."""
    document_id = document_id or new_document_id()
    ref = ObjectRef(bucket=store.derived, key=derived_key(document_id, "text.json"))
    if raw is None:
        text = TextDocument(
            document_id=document_id,
            media_type="text/plain",
            pages=[Page(number=n, text=t, method="plain") for n, t in enumerate(pages or [], 1)],
            extractor="test",
        )
        await store.put_json(ref, text.model_dump(mode="json"))
    else:
        await store.put_bytes(ref, raw, content_type="application/json")
    return TextExtracted(
        document_id=document_id,
        matter_id=matter_id,
        text=ref,
        media_type="text/plain",
        filename=filename,
        pages=len(pages or []),
        hints=Hints(jurisdiction=jurisdiction),
        extractor="test",
    )

"""Create what the index service writes to: the documents template and alias, the status index.

Idempotent, and safe when several replicas (or the ``bootstrap`` job) run it at once: an
index that another one created in between is not an error. The service runs it at start;
``python -m lexstream.index bootstrap`` runs it once for a deployment, with the buckets.
The gateway does not call it: it reads these indices and answers an empty result while
they do not exist yet.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from elasticsearch import AsyncElasticsearch, BadRequestError

from lexstream.index.mappings import documents_mappings, documents_settings, status_mappings
from lexstream.shared.search import documents_alias, make_search_client, status_index
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

log = logging.getLogger(__name__)


async def bootstrap_indices(es: AsyncElasticsearch, settings: CommonSettings) -> None:
    """Index template, first backing index behind the write alias, and the status index.

    The template is put every time, so it always holds the mapping this code declares. A
    backing index already there gets the fields added since it was created (its mapping is
    strict, so a document with a new field, ``chunks`` say, would be refused otherwise); a
    field whose type changed cannot be changed in place and waits for a reindex (logged).
    """
    alias = documents_alias(settings)
    await es.indices.put_index_template(
        name=alias,
        index_patterns=[f"{alias}-*"],
        template={"settings": documents_settings(), "mappings": documents_mappings()},
        priority=100,
    )
    if not await es.indices.exists_alias(name=alias):
        await _create_if_absent(
            es.indices.create(index=f"{alias}-000001", aliases={alias: {"is_write_index": True}})
        )
    else:
        try:
            await es.indices.put_mapping(index=alias, properties=documents_mappings()["properties"])
        except BadRequestError as exc:
            log.warning(
                "the documents index keeps its older mapping until a reindex: %s", exc.message
            )
    status = status_index(settings)
    if not await es.indices.exists(index=status):
        await _create_if_absent(
            es.indices.create(
                index=status,
                settings={"number_of_shards": 1, "number_of_replicas": 0},
                mappings=status_mappings(),
            )
        )
    else:  # fields added since (the original's sha256) reach an existing status index
        try:
            await es.indices.put_mapping(index=status, properties=status_mappings()["properties"])
        except BadRequestError as exc:
            log.warning("the status index keeps its older mapping: %s", exc.message)


async def bootstrap(settings: CommonSettings) -> None:
    """Everything the index service needs before it starts: its indices and the buckets."""
    es = make_search_client(settings)
    try:
        await bootstrap_indices(es, settings)
    finally:
        await es.close()
    await ObjectStore(settings).bootstrap()


async def _create_if_absent(create: Awaitable[object]) -> None:
    try:
        await create
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise

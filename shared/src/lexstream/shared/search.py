"""Elasticsearch 8.x: the client, and the names of the indices both sides use.

Documents live behind the alias ``<prefix>-documents`` (initially ``-000001``), so a mapping
change is a reindex behind the alias. Status records live in ``<prefix>-status``. The index
service owns both: their mappings and their creation are in ``lexstream.index.mappings`` and
``lexstream.index.bootstrap``; the gateway only reads them, by these names.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from lexstream.shared.settings import CommonSettings
from lexstream.shared.transport import elasticsearch_client_options


def documents_alias(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-documents"


def status_index(settings: CommonSettings) -> str:
    return f"{settings.index_prefix}-status"


def deletions_index(settings: CommonSettings) -> str:
    """The deletion records, which are also the deleted documents' tombstones
    (:mod:`lexstream.shared.deletion`)."""
    return f"{settings.index_prefix}-deletions"


def make_search_client(settings: CommonSettings, **options: Any) -> AsyncElasticsearch:
    """The client with the settings' credentials and TLS; ``options`` override the defaults.

    Every Elasticsearch client of the services is made here, so none goes without them.
    """
    defaults: dict[str, Any] = {
        "request_timeout": settings.elasticsearch_timeout_s,
        "retry_on_timeout": True,
        "max_retries": 2,
    }
    return AsyncElasticsearch(
        settings.elasticsearch_url,
        **elasticsearch_client_options(settings),
        **(defaults | options),
    )

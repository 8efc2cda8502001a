"""Error classes that decide what happens to a message.

* :class:`PermanentError` - the input's fault; retrying cannot help. The message goes to the
  DLQ and a ``documents.failed`` event says why.
* :class:`TransientError` - infrastructure trouble (S3, Kafka, Elasticsearch unreachable);
  retried with backoff and a cap, then the message is left uncommitted and redelivered.
"""

from __future__ import annotations

import asyncio

import urllib3.exceptions
from aiokafka.errors import KafkaError
from elasticsearch import ApiError as ESApiError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout
from minio.error import S3Error, ServerError


class PermanentError(Exception):
    """The input cannot be processed; ``reason`` is shown to people."""

    def __init__(self, reason: str, *, error_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_type = error_type or type(self).__name__


class TransientError(Exception):
    """A dependency is unavailable; the same work may succeed later."""


def is_transient(exc: BaseException) -> bool:
    """Whether an exception is infrastructure trouble worth retrying."""
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, ESConnectionError | ESConnectionTimeout):
        return True
    if isinstance(exc, ESApiError):
        return exc.meta.status in (429, 502, 503, 504)
    if isinstance(exc, ServerError):
        return True
    if isinstance(exc, S3Error):
        return exc.code in ("SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout")
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return True
    if isinstance(exc, ConnectionError | TimeoutError | asyncio.TimeoutError | OSError):
        # OSError covers refused connections; file-level errors are raised as PermanentError
        return True
    if isinstance(exc, KafkaError) and exc.retriable:
        # e.g. UnknownTopicOrPartitionError or NotLeaderForPartitionError while a broker
        # restarts: a good document must not fail because of them
        return True
    name = type(exc).__name__
    return name.startswith("Kafka") or name in ("NodeNotReadyError", "RequestTimedOutError")

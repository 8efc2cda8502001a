"""Unit checks of the hardening the security and fault tests led to (no stack needed)."""

from __future__ import annotations

import io
import logging

from lexstream.shared.logs import DropQueryStrings, RateLimitRepeats, setup_logging


def _record(
    name: str, msg: str, args: tuple[object, ...], created: float = 0.0
) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    record.created = created
    return record


def test_access_log_lines_keep_the_path_but_not_the_query() -> None:
    record = _record(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/v1/search?q=privileged+merger+terms", "1.1", 200),
    )
    assert DropQueryStrings().filter(record)
    message = record.getMessage()
    assert "/v1/search?" in message
    assert "privileged" not in message


def test_other_loggers_are_untouched() -> None:
    record = _record("lexstream.gateway", "searching %s", ("/v1/search?q=x",))
    DropQueryStrings().filter(record)
    assert record.getMessage() == "searching /v1/search?q=x"


def test_repeated_kafka_client_errors_are_rate_limited() -> None:
    limiter = RateLimitRepeats(interval_s=10)
    kept = [
        limiter.filter(_record("aiokafka.conn", "Unable connect to node %s", (1,), t * 0.05))
        for t in range(400)  # 20 s of reconnects, twenty a second
    ]
    assert sum(kept) == 2
    later = _record("aiokafka.conn", "Unable connect to node %s", (1,), 30.0)
    assert limiter.filter(later)
    assert later.suppressed_repeats > 0
    # lexstream's own lines are never dropped
    assert all(limiter.filter(_record("lexstream.ocr", "same", (), 1.0)) for _ in range(50))


def test_setup_logging_installs_both_filters() -> None:
    setup_logging("test", "INFO")
    handler = logging.getLogger().handlers[0]
    kinds = {type(f) for f in handler.filters}
    assert {DropQueryStrings, RateLimitRepeats} <= kinds
    assert isinstance(handler, logging.StreamHandler)
    assert not isinstance(handler.stream, io.StringIO)


def test_retriable_kafka_errors_are_transient() -> None:
    """Found by the Kafka outage test: right after the broker restarts, a publish can fail
    with UnknownTopicOrPartitionError; that must be retried, not fail a good document."""
    from aiokafka.errors import (
        MessageSizeTooLargeError,
        NotLeaderForPartitionError,
        UnknownTopicOrPartitionError,
    )

    from lexstream.shared.errors import is_transient

    assert is_transient(UnknownTopicOrPartitionError())
    assert is_transient(NotLeaderForPartitionError())
    assert not is_transient(MessageSizeTooLargeError())

"""JSON logs, one event per line, with the current trace and span ids."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            entry["trace_id"] = format(context.trace_id, "032x")
            entry["span_id"] = format(context.span_id, "016x")
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class DropQueryStrings(logging.Filter):
    """Access-log lines keep the path, never the query string: search terms, matter ids and
    file names are client confidential."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            args = list(record.args)
            if len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
                args[2] = args[2].split("?", 1)[0] + "?…"
                record.args = tuple(args)
        return True


class RateLimitRepeats(logging.Filter):
    """At most one line per ``interval_s`` for each repeated message of the Kafka client.

    While a broker is down aiokafka reports every failed reconnect (about twenty a second per
    connection), which wrote over 10 MB of logs a minute per service; the first line is kept
    and then one every interval, with the number left out.
    """

    def __init__(self, prefixes: tuple[str, ...] = ("aiokafka",), interval_s: float = 10.0):
        super().__init__()
        self.prefixes = prefixes
        self.interval_s = interval_s
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        key = (record.name, str(record.msg))
        last, suppressed = self._seen.get(key, (float("-inf"), 0))
        if record.created - last < self.interval_s:
            self._seen[key] = (last, suppressed + 1)
            return False
        if len(self._seen) > 1000:
            self._seen.clear()
        self._seen[key] = (record.created, 0)
        if suppressed:
            record.suppressed_repeats = suppressed
        return True


def setup_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.addFilter(DropQueryStrings())
    handler.addFilter(RateLimitRepeats())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "urllib3", "elastic_transport", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

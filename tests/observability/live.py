"""Where the observability profile runs (deploy/local/stack.sh with LEXSTREAM_STACK_OBSERVE=1)
and how its tests find it: Prometheus's HTTP API, Jaeger's query API, the collector's OTLP.

Outside ``make test`` a missing tool or server skips with the reason; ``make test`` sets
LEXSTREAM_REQUIRE_OBSERVE=1, and then it fails instead: those tests must run there.
"""

from __future__ import annotations

import os
import shutil

import httpx
import pytest

PROMETHEUS_URL = os.environ.get(
    "LEXSTREAM_PROMETHEUS_URL",
    f"http://127.0.0.1:{os.environ.get('LEXSTREAM_STACK_PROMETHEUS_PORT', '9090')}",
)
JAEGER_URL = os.environ.get(
    "LEXSTREAM_JAEGER_URL",
    f"http://127.0.0.1:{os.environ.get('LEXSTREAM_STACK_JAEGER_QUERY_PORT', '16686')}",
)
OTLP_ENDPOINT = os.environ.get(
    "LEXSTREAM_TEST_OTLP_ENDPOINT",
    f"http://127.0.0.1:{os.environ.get('LEXSTREAM_STACK_JAEGER_OTLP_HTTP_PORT', '4318')}",
)


def required() -> bool:
    return os.environ.get("LEXSTREAM_REQUIRE_OBSERVE") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail where the profile is required."""
    if required():
        pytest.fail(f"{reason} (LEXSTREAM_REQUIRE_OBSERVE=1)")
    pytest.skip(reason)


def require_tool(name: str, where: str) -> str:
    path = shutil.which(name)
    if path is None:
        unavailable(f"{name} is not installed ({where})")
    assert path is not None
    return path


def require_server(name: str, url: str) -> None:
    try:
        httpx.get(url, timeout=3).raise_for_status()
    except httpx.HTTPError as exc:
        unavailable(
            f"{name} does not answer at {url} ({type(exc).__name__}); start the observability"
            " profile: LEXSTREAM_STACK_OBSERVE=1 deploy/local/stack.sh start"
        )

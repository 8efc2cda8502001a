"""Which servers a test session uses: their configured addresses (no I/O) and, once a suite
that needs them runs, their versions as reached (the end-of-session summary prints them)."""

from __future__ import annotations

import subprocess

import httpx
from tests.support.launcher import ROOT

from lexstream.shared.settings import CommonSettings


def configured_addresses(settings: CommonSettings) -> list[str]:
    """The addresses the settings name; reads nothing but the environment."""
    return [
        f"kafka: {settings.kafka_bootstrap_servers}",
        f"elasticsearch: {settings.elasticsearch_url}",
        f"s3: {settings.s3_endpoint}",
    ]


def reached_versions(settings: CommonSettings) -> list[str]:
    """What answers at those addresses (network calls: only for suites that use the stack)."""
    lines = []
    try:
        info = httpx.get(settings.elasticsearch_url, timeout=3).json()
        lines.append(
            f"elasticsearch: {info['version'].get('distribution', 'elasticsearch')} "
            f"{info['version']['number']} at {settings.elasticsearch_url}"
        )
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        lines.append(f"elasticsearch: unreachable ({type(exc).__name__})")
    try:
        response = httpx.get(f"http://{settings.s3_endpoint}/", timeout=3)
        server = response.headers.get("server", "unknown server")
        lines.append(f"s3: {server} at {settings.s3_endpoint} (HTTP {response.status_code})")
    except httpx.HTTPError as exc:
        lines.append(f"s3: unreachable ({type(exc).__name__})")
    try:
        out = subprocess.run(
            [str(ROOT / "deploy/local/stack.sh"), "versions"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        lines.append(f"local stack: {out.stdout.strip()}")
    except (OSError, subprocess.SubprocessError) as exc:
        lines.append(f"local stack: versions unavailable ({exc})")
    return lines

"""A short load run (60 s, loopback): no 500s, load shed with 429/503, bounded memory growth.

The 10-minute run is ``uv run python bench/load/run.py --duration 600`` (docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.load.loadgen import run_load

from tests.reliability.conftest import System, system_running
from tests.reliability.stack import PrivateStack

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(600)]

DURATION_S = float(os.environ.get("LEXSTREAM_LOAD_TEST_S", "60"))
#: growth allowed per service over the run: 50 % of its start, and never less than 150 MiB
#: (caches, connection pools and the allocator's high-water mark settle in the first minutes)
GROWTH_MIB = 150
GROWTH_FRACTION = 0.5


@pytest.fixture
def limited_system(private_stack: PrivateStack, tmp_path: Path) -> Iterator[System]:
    """A gateway whose per-caller budget (8 requests/s, bursts of 16) the run exceeds."""
    extra = {"gateway": {"LEXSTREAM_RATE_LIMIT_PER_S": "8", "LEXSTREAM_RATE_LIMIT_BURST": "16"}}
    with system_running(private_stack, tmp_path, extra) as built:
        yield built


def test_short_load_run_sheds_instead_of_failing(limited_system: System) -> None:
    system = limited_system
    report = asyncio.run(
        run_load(
            system.services.gateway_url,
            system.services.admin_key,
            duration_s=DURATION_S,
            uploaders=3,
            searchers=6,
            matter_id=system.matter_id,
            services=system.services,
        )
    )
    logging.getLogger(__name__).info("load run\n%s", report.table())
    for name, endpoint in report.endpoints.items():
        assert endpoint["5xx_other_than_503"] == 0, (name, endpoint["codes"])
        assert endpoint["errors"] == 0, (name, endpoint["codes"])
        assert endpoint["ok"] > 0, name
        assert endpoint["shed_without_retry_after"] == 0, name
    # over its budget the caller is told to slow down (429 + Retry-After), not failed
    assert sum(e["shed_429_503"] for e in report.endpoints.values()) > 0
    for name, start in report.memory_start_mib.items():
        end = report.memory_end_mib[name]
        assert end - start <= max(GROWTH_MIB, GROWTH_FRACTION * start), (name, start, end)

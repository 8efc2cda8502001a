"""Faults on a private stack with a run of mixed documents in flight, then exact reconciliation.

Each test submits 200 documents (text PDFs, scans, recordings; HTTP and the upstream topic),
breaks something once a third of them are in, lets it recover, and then accounts for every
submission: indexed, or failed with a reason; none lost, none indexed twice. A fault must not
turn a good document into a failed one either: every document of these runs is good.
Each result is appended to the results file that ``python -m bench.faults.report`` renders.

The four faults hit one system in a row, as they would a deployment: the services started
once for the module (their start was a third of each test's time), each run with documents
of its own; whatever a test left stopped is started again before the next.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator

import pytest

from lexstream.shared.events import Topics
from tests.reliability.conftest import System, system_running
from tests.reliability.corpus import mixed
from tests.reliability.harness import (
    Reconciliation,
    RunStats,
    reconcile,
    record_result,
    submit_run,
    wait_terminal,
)
from tests.reliability.stack import WORKERS, PrivateStack

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(1500)]

N = int(os.environ.get("LEXSTREAM_RELIABILITY_DOCS", "200"))


@pytest.fixture(scope="module")
def module_system(
    private_stack: PrivateStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    with system_running(private_stack, tmp_path_factory.mktemp("faults")) as built:
        yield built


@pytest.fixture
def system(module_system: System) -> Iterator[System]:
    """The module's system, with every stack component and service running (a failed test
    may have left one stopped), and started again after the test for the next one."""
    module_system.stack.start()
    module_system.services.start_stopped()
    yield module_system
    module_system.stack.start()
    module_system.services.start_stopped()


_RUNS: list[str] = []


def run_scenario(
    system: System,
    scenario: str,
    action: Callable[[], Awaitable[None]] | None,
    *,
    n: int = N,
) -> tuple[Reconciliation, RunStats]:
    run = f"{system.prefix}-{len(_RUNS)}"  # each run's own external ids, bytes and tokens
    _RUNS.append(run)
    docs = mixed(run, n)
    stats = asyncio.run(
        submit_run(
            docs,
            gateway_url=system.services.gateway_url,
            admin_key=system.services.admin_key,
            kafka=system.kafka,
            topic=Topics(system.prefix).submitted,
            matter_id=system.matter_id,
            action_after=n // 3 if action else None,
            action=action,
        )
    )
    wait_terminal(system.es, system.prefix, stats.submitted, timeout_s=900)
    result = reconcile(system.es, system.prefix, scenario, stats.submitted, stats.seconds)
    answers = stats.answers()
    result.notes = ", ".join(
        f"{code or 'conn-error'}x{count}" for code, count in sorted(answers.items())
    )
    record_result(result)
    return result, stats


def assert_exact(result: Reconciliation) -> None:
    assert result.lost == 0, result.lost_ids
    assert result.duplicated == 0, result.duplicated_ids
    assert result.indexed + result.failed_with_reason == result.submitted
    # every document of these runs is good: a fault must not make one fail
    assert result.indexed == result.submitted, result.reasons


def test_kill_9_each_service_mid_run(system: System) -> None:
    services = system.services

    async def kill_each() -> None:
        for name in WORKERS:
            await asyncio.to_thread(services.kill9, name)
            await asyncio.sleep(2)
            await asyncio.to_thread(services.start, name)
            await asyncio.sleep(3)

    result, _ = run_scenario(
        system, "kill -9 each service once (ingest, ocr, transcribe, index, gateway)", kill_each
    )
    assert_exact(result)


def stopped_for(
    system: System, component: str, seconds: float, stopped_at: list[float] | None = None
) -> Callable[[], Awaitable[None]]:
    """An outage: ``component`` of the private stack stopped for ``seconds``, then started
    (the moment it was down is appended to ``stopped_at``)."""

    async def outage() -> None:
        await asyncio.to_thread(system.stack.stop, component)
        if stopped_at is not None:
            stopped_at.append(time.monotonic())
        await asyncio.sleep(seconds)
        await asyncio.to_thread(system.stack.start, component)

    return outage


def test_kafka_down_30s_mid_run(system: System) -> None:
    outage = stopped_for(system, "kafka", 30)
    result, _ = run_scenario(system, "Kafka broker stopped for 30 s", outage)
    assert_exact(result)


def test_elasticsearch_down_60s_mid_run(system: System) -> None:
    outage = stopped_for(system, "elasticsearch", 60)
    result, _ = run_scenario(system, "Elasticsearch stopped for 60 s", outage)
    assert_exact(result)


def test_s3_down_30s_mid_run(system: System) -> None:
    started: list[float] = []
    outage = stopped_for(system, "s3", 30, started)
    result, stats = run_scenario(system, "S3 server stopped for 30 s", outage)
    assert_exact(result)
    # uploads during the outage were answered 503 with Retry-After, and the retries succeeded
    refused = [s for s in stats.submitted if s.answers[503]]
    assert refused, "no upload met the outage"
    assert all(s.retry_after_seen for s in refused)
    assert all(s.document_id for s in refused)
    assert not stats.answers()[500]

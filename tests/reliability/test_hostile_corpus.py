"""The hostile-input corpus (tests/reliability/hostile.py) through the running system.

Every hostile file ends ``failed`` with a reason, or ``indexed`` (a polyglot read as what its
bytes say it is, a degraded document); none is lost, none takes the system down, each service's
memory stays under a bound while they are processed, and the good files interleaved with them
are all indexed.
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict

import pytest

from lexstream.shared.events import Topics
from tests.reliability.conftest import System
from tests.reliability.corpus import Doc, text_pdf, token_for
from tests.reliability.harness import reconcile, record_result, submit_run, wait_terminal
from tests.reliability.hostile import CORPUS
from tests.reliability.stack import WORKERS

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(1200)]

#: resident memory a service (with its worker processes) may reach on this corpus
RSS_BOUND_KIB = 2 * 1024 * 1024


def test_hostile_corpus_fails_cleanly_with_bounded_memory(system: System) -> None:
    assert len(CORPUS) >= 40
    docs: list[Doc] = []
    good: set[str] = set()
    for i, hostile in enumerate(CORPUS):
        docs.append(Doc(f"{system.prefix}-h{i:03d}", hostile.name, hostile.make(), "hostile", ""))
        if i % 2 == 0:
            token = token_for(system.prefix, i)
            external_id = f"{system.prefix}-g{i:03d}"
            data = text_pdf([f"A good filing next to {hostile.name}", f"Reference {token}"])
            docs.append(Doc(external_id, f"good-{i}.pdf", data, "pdf", token))
            good.add(external_id)

    peak: dict[str, int] = defaultdict(int)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for name in WORKERS:
                peak[name] = max(peak[name], system.services.rss_kib(name))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stats = asyncio.run(
            submit_run(
                docs,
                gateway_url=system.services.gateway_url,
                admin_key=system.services.admin_key,
                kafka=system.kafka,
                topic=Topics(system.prefix).submitted,
                matter_id=system.matter_id,
                topic_every=0,
                concurrency=2,
            )
        )
        wait_terminal(system.es, system.prefix, stats.submitted, timeout_s=600)
    finally:
        stop.set()
        sampler.join()
    result = reconcile(system.es, system.prefix, "hostile corpus", stats.submitted, stats.seconds)

    # per file: its outcome and reason, for the report
    records = {
        (hit["_source"].get("provenance") or {}).get("external_id"): hit["_source"]
        for hit in system.es.search(index=f"{system.prefix}-status", size=1000)["hits"]["hits"]
    }
    outcomes = {}
    for item in stats.submitted:
        record = records.get(item.doc.external_id, {})
        outcomes[item.doc.filename] = (record.get("status"), record.get("failure_reason"))
    failed = sum(1 for d in docs if d.kind == "hostile" and outcomes[d.filename][0] == "failed")
    result.notes = (
        f"{len(CORPUS)} hostile files ({failed} failed with a reason, "
        f"{len(CORPUS) - failed} indexed as what their bytes are) + {len(good)} good files; "
        "peak RSS MiB: " + ", ".join(f"{n} {peak[n] // 1024}" for n in WORKERS)
    )
    record_result(result)

    assert result.lost == 0, result.lost_ids
    assert result.duplicated == 0, result.duplicated_ids
    assert result.indexed + result.failed_with_reason == result.submitted
    for item in stats.submitted:
        # every upload was accepted (202): a hostile file is the pipeline's to refuse
        assert item.document_id, (item.doc.filename, item.error)
    for doc in docs:
        status, reason = outcomes[doc.filename]
        if doc.external_id in good:
            assert status == "indexed", (doc.filename, status, reason)
        elif status == "failed":
            assert reason, doc.filename
            assert len(reason) > 10, doc.filename
    for name in WORKERS:
        assert peak[name] < RSS_BOUND_KIB, (name, peak[name])
    # the services are all still up
    for name in WORKERS:
        assert system.services.procs[name].poll() is None, system.services.log_tail(name)

"""Batch search on the real Elasticsearch: a list of queries run as one job (issue 15, item 4).

Two matters under an index prefix of this module's own: A, which the viewer may see, and B,
which only the admin may. The viewer's list runs with the viewer's visibility (a word only B
has finds nothing, a filter on B finds nothing), each query's count is what the corpus
holds for it, a bad row is reported on its own, progress reaches the total, the CSV export
parses and names the best page, another caller (an admin too) gets the 404 an unknown job
gets, a second gateway (replica) reads the job the first runs, a job whose gateway stopped
is reported failed, a wall raised after the job ran hides its hits, and a caller with too
many unfinished jobs is told to wait (429).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from elasticsearch import NotFoundError
from elasticsearch.helpers import async_bulk
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.app import create_app
from lexstream.gateway.batch_jobs import INTERRUPTED, jobs_index, new_record
from lexstream.gateway.settings import GatewaySettings
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RUN = str(time.time_ns())
MATTER_A, MATTER_B = f"BA-{RUN}", f"BB-{RUN}"
VIEWER, OTHER = f"batch-viewer-{RUN}", f"batch-other-{RUN}"
MAX_QUERIES = 20

#: (document id, matter, doc_type, page texts): what each query of the lists below finds
CORPUS = [
    ("a1", MATTER_A, "judgment", ["The parties met.", "An indemnity clause and arbitration."]),
    ("a2", MATTER_A, "judgment", ["Indemnity owed under arbitration rules."]),
    ("a3", MATTER_A, "contract", ["Recitals.", "Schedule.", "The indemnity survives."]),
    ("a4", MATTER_A, "contract", ["A warranty of title."]),
    ("b1", MATTER_B, "judgment", ["Indemnity in matter B."]),
    ("b2", MATTER_B, "judgment", ["Another indemnity, and a lighthouse."]),
    *((f"b{i}", MATTER_B, "contract", [f"The lighthouse keeper {i}."]) for i in (3, 4, 5)),
]

VIEWER_LIST = (
    "id,query,matter_id,type\r\n"
    "indemnity,indemnity,,\r\n"
    "lighthouse,lighthouse,,\r\n"
    f"indemnity-in-b,indemnity,{MATTER_B},\r\n"
    "arbitration,arbitration,,\r\n"
    "bad,colour:red indemnity,,\r\n"
    "contracts,indemnity,,contract\r\n"
)
#: per query id: what the viewer (matter A only) finds, and what the admin finds
VIEWER_COUNTS = {
    "indemnity": 3,
    "lighthouse": 0,
    "indemnity-in-b": 0,
    "arbitration": 2,
    "contracts": 1,
}
ADMIN_COUNTS = {"indemnity": 5, "lighthouse": 4, "indemnity-in-b": 2, "arbitration": 2}


def _source(doc_id: str, matter: str, doc_type: str, pages: list[str], tenant: str) -> Any:
    doc_id = f"{doc_id}-{RUN}"
    return {
        "document_id": doc_id,
        "tenant": tenant,
        "matter_id": matter,
        "acl": [f"matter:{matter}"],
        "title": f"Document {doc_id}",
        "filename": f"{doc_id}.pdf",
        "kind": "text",
        "doc_type": doc_type,
        "content": "\n".join(pages),
        "language": "en",
        "pages": [{"number": n, "text": t, "method": "text-layer"} for n, t in enumerate(pages, 1)],
        "page_count": len(pages),
    }


@pytest.fixture(scope="module")
async def corpus(settings: CommonSettings) -> AsyncIterator[CommonSettings]:
    own = settings.model_copy(update={"index_prefix": f"{settings.index_prefix}batch"})
    es = make_search_client(own)
    alias = documents_alias(own)
    try:
        await bootstrap_indices(es, own)
        actions = [
            {"_index": alias, "_id": f"{c[0]}-{RUN}", "_source": _source(*c, tenant=own.tenant)}
            for c in CORPUS
        ]
        await async_bulk(es, actions, refresh="wait_for")
        yield own
    finally:
        await es.indices.delete(index=f"{own.index_prefix}-*", allow_no_indices=True)
        with contextlib.suppress(NotFoundError):
            await es.indices.delete_index_template(name=alias)
        await es.close()


def _settings(corpus: CommonSettings) -> GatewaySettings:
    return gateway_settings(
        corpus,
        rate_limit_per_s=1000.0,
        rate_limit_burst=1000,
        batch_max_queries=MAX_QUERIES,
        search_timeout_s=30.0,  # the shared stack is busy while other suites run
    )


@pytest.fixture(scope="module")
async def gateway(corpus: CommonSettings) -> AsyncIterator[FastAPI]:
    app = create_app(_settings(corpus))
    async with app.router.lifespan_context(app):
        yield app
        runner = getattr(app.state, "batch_runner", None)
        if runner is not None:
            await runner.wait()


@pytest.fixture(scope="module")
async def keys(gateway: FastAPI) -> dict[str, str]:
    """The viewer's key (a viewer of A) and another member's key (also a viewer of A)."""
    async with gateway_client(gateway) as admin:
        for matter in (MATTER_A, MATTER_B):
            created = await admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
            assert created.status_code == 201, created.text
        found = {}
        for subject in (VIEWER, OTHER):
            key = await admin.post(
                "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": ["read"]}
            )
            assert key.status_code in (200, 201), key.text
            found[subject] = key.json()["key"]
            member = await admin.put(
                f"/v1/matters/{MATTER_A}/members/{subject}", json={"role": "viewer"}
            )
            assert member.status_code == 200, member.text
    return found


async def _finished(client: httpx.AsyncClient, batch_id: str) -> dict[str, Any]:
    """The job once it is done or failed, with every progress seen on the way."""
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        answer = await client.get(f"/v1/search/batches/{batch_id}")
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        seen.append(job["progress"]["done"])
        if job["status"] in ("done", "failed"):
            assert seen == sorted(seen), seen  # progress only grows
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"batch {batch_id} did not finish: progress {seen[-5:]}")


def _upload(text: str) -> dict[str, Any]:
    return {"files": {"file": ("queries.csv", text.encode(), "text/csv")}}


async def test_a_viewers_batch_counts_what_the_viewer_may_see(
    gateway: FastAPI, keys: dict[str, str]
) -> None:
    async with gateway_client(gateway, keys[VIEWER]) as viewer:
        accepted = await viewer.post(
            "/v1/search/batches", params={"name": "due diligence"}, **_upload(VIEWER_LIST)
        )
        assert accepted.status_code == 202, accepted.text
        created = accepted.json()
        assert (created["total"], created["errors"]) == (6, 1)
        assert accepted.headers["location"] == created["status_url"]
        job = await _finished(viewer, created["batch_id"])

        assert job["status"] == "done", job
        assert job["progress"] == {"done": 6, "total": 6}
        assert job["name"] == "due diligence"
        counts = {q["id"]: q["total"] for q in job["queries"] if q["status"] == "done"}
        assert counts == VIEWER_COUNTS
        assert job["hits_total"] == sum(VIEWER_COUNTS.values())
        bad = next(q for q in job["queries"] if q["id"] == "bad")
        assert bad["status"] == "error"
        assert "colour" in bad["error"]
        assert job["errors"] == 1

        export = await viewer.get(created["hits_url"])
        assert export.status_code == 200, export.text
        assert export.headers["content-type"].startswith("text/csv")
        assert "attachment" in export.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(export.text)))
        listed = await viewer.get("/v1/search/batches")
    per_query: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        per_query.setdefault(row["query_id"], []).append(row)
    assert {k: len(v) for k, v in per_query.items()} == {
        k: v for k, v in VIEWER_COUNTS.items() if v
    }
    indemnity = per_query["indemnity"]
    assert [r["rank"] for r in indemnity] == ["1", "2", "3"]
    assert {r["document_id"] for r in indemnity} == {f"{d}-{RUN}" for d in ("a1", "a2", "a3")}
    assert all(r["matter_id"] == MATTER_A for r in rows)  # nothing of matter B, anywhere
    assert all(float(r["score"]) > 0 and r["title"].startswith("Document") for r in rows)
    best = {r["document_id"]: r["best_page"] for r in indemnity}
    assert best == {f"a1-{RUN}": "2", f"a2-{RUN}": "1", f"a3-{RUN}": "3"}
    assert per_query["contracts"][0]["document_id"] == f"a3-{RUN}"
    assert listed.status_code == 200
    assert created["batch_id"] in [b["batch_id"] for b in listed.json()["batches"]]


async def test_the_same_list_finds_more_for_the_admin_and_json_pages_through_it(
    gateway: FastAPI,
) -> None:
    rows = [
        {"id": q_id, "query": "indemnity" if q_id.startswith("indemnity") else q_id}
        | ({"matter_id": MATTER_B} if q_id == "indemnity-in-b" else {})
        for q_id in ADMIN_COUNTS
    ]
    async with gateway_client(gateway) as admin:
        accepted = await admin.post(
            "/v1/search/batches", params={"max_hits": 3}, json={"queries": rows}
        )
        assert accepted.status_code == 202, accepted.text
        batch_id = accepted.json()["batch_id"]
        job = await _finished(admin, batch_id)
        assert {q["id"]: q["total"] for q in job["queries"]} == ADMIN_COUNTS
        assert job["max_hits"] == 3
        pages, after = [], None
        while True:
            params: dict[str, Any] = {"size": 1} | ({"after": after} if after is not None else {})
            page = await admin.get(f"/v1/search/batches/{batch_id}/hits", params=params)
            assert page.status_code == 200, page.text
            pages.append(page.json()["hits"])
            after = page.json()["next"]
            if after is None:
                break
        trail = await admin.get("/v1/audit", params={"size": 1000})
    kept = [len(p) for p in pages if p]
    # each query keeps at most max_hits of what it finds (the count is still all of them)
    assert kept == [min(3, n) for n in ADMIN_COUNTS.values()]
    assert {h["query_id"] for p in pages for h in p} == set(ADMIN_COUNTS)
    entries = [e for e in trail.json()["entries"] if (e["query"] or {}).get("batch_id") == batch_id]
    actions = {e["action"] for e in entries}
    assert {"batch-search", "batch-search.export", "batch-search.done"} <= actions, actions
    created = next(e for e in entries if e["action"] == "batch-search")
    assert [q["id"] for q in created["query"]["queries"]] == list(ADMIN_COUNTS)
    done = next(e for e in entries if e["action"] == "batch-search.done")
    assert done["hits"] == sum(ADMIN_COUNTS.values())


async def test_a_job_is_its_creators_alone(gateway: FastAPI, keys: dict[str, str]) -> None:
    async with (
        gateway_client(gateway, keys[VIEWER]) as viewer,
        gateway_client(gateway, keys[OTHER]) as other,
        gateway_client(gateway) as admin,
    ):
        accepted = await viewer.post("/v1/search/batches", **_upload("query\nindemnity\n"))
        assert accepted.status_code == 202, accepted.text
        batch_id = accepted.json()["batch_id"]
        await _finished(viewer, batch_id)
        unknown = await other.get(f"/v1/search/batches/{'0' * 32}")
        assert unknown.status_code == 404
        for caller in (other, admin):
            for path in (f"/v1/search/batches/{batch_id}", f"/v1/search/batches/{batch_id}/hits"):
                answer = await caller.get(path, params={"format": "csv"})
                assert (answer.status_code, answer.json()) == (404, unknown.json()), path
            mine = (await caller.get("/v1/search/batches")).json()["batches"]
            assert batch_id not in [b["batch_id"] for b in mine]


async def test_a_list_the_gateway_cannot_read_is_a_400_naming_why(
    gateway: FastAPI, keys: dict[str, str]
) -> None:
    too_many = "query\n" + "".join(f"w{i}\n" for i in range(MAX_QUERIES + 1))
    async with gateway_client(gateway, keys[VIEWER]) as viewer:
        for text, message in (
            ("query,colour\nx,red\n", "unknown column 'colour'"),
            ("court\nuksc\n", "'query' is missing"),
            (too_many, f"more than {MAX_QUERIES} queries"),
        ):
            refused = await viewer.post("/v1/search/batches", **_upload(text))
            assert refused.status_code == 400, refused.text
            assert message in refused.json()["detail"]
        not_a_list = await viewer.post("/v1/search/batches", json={"rows": []})
        assert not_a_list.status_code == 400
        plain = await viewer.post("/v1/search/batches", content=b"query\nx\n")
        assert plain.status_code == 415
        too_many_hits = await viewer.post(
            "/v1/search/batches", params={"max_hits": 101}, json={"queries": [{"query": "x"}]}
        )
        assert too_many_hits.status_code == 400
        assert "max_hits" in too_many_hits.json()["detail"]


async def test_another_replica_reads_the_job_and_a_stopped_one_is_reported_failed(
    gateway: FastAPI, corpus: CommonSettings
) -> None:
    replica = create_app(_settings(corpus))
    async with (
        replica.router.lifespan_context(replica),
        gateway_client(gateway) as first,
        gateway_client(replica) as second,
    ):
        accepted = await first.post(
            "/v1/search/batches", json={"queries": [{"query": "lighthouse"}]}
        )
        assert accepted.status_code == 202, accepted.text
        batch_id = accepted.json()["batch_id"]
        job = await _finished(second, batch_id)  # polled on the replica that does not run it
        assert job["queries"][0]["total"] == ADMIN_COUNTS["lighthouse"]

        # a job whose gateway stopped writing progress: failed, and written down as such
        es = gateway.state.gateway.es
        record = (await es.get(index=jobs_index(gateway.state.gateway.settings), id=batch_id))[
            "_source"
        ]
        stale_id = "f" * 32
        old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
        await es.index(
            index=jobs_index(gateway.state.gateway.settings),
            id=stale_id,
            document={**record, "batch_id": stale_id, "status": "running", "updated_at": old},
            refresh=True,
        )
        stale = (await second.get(f"/v1/search/batches/{stale_id}")).json()
        assert (stale["status"], stale["failure"]) == ("failed", INTERRUPTED)
        stored = await es.get(index=jobs_index(gateway.state.gateway.settings), id=stale_id)
        assert stored["_source"]["status"] == "failed"


async def test_a_wall_raised_after_the_job_ran_hides_its_hits(
    gateway: FastAPI, keys: dict[str, str]
) -> None:
    async with gateway_client(gateway, keys[OTHER]) as other, gateway_client(gateway) as admin:
        accepted = await other.post("/v1/search/batches", **_upload("query\nindemnity\n"))
        assert accepted.status_code == 202, accepted.text
        batch_id = accepted.json()["batch_id"]
        await _finished(other, batch_id)
        before = await other.get(f"/v1/search/batches/{batch_id}/hits", params={"format": "csv"})
        assert len(list(csv.DictReader(io.StringIO(before.text)))) == 3
        wall = await admin.put(f"/v1/matters/{MATTER_A}/screens/{OTHER}")
        assert wall.status_code == 200, wall.text
        after = await other.get(f"/v1/search/batches/{batch_id}/hits", params={"format": "csv"})
    assert after.status_code == 200
    assert list(csv.DictReader(io.StringIO(after.text))) == []


async def test_a_caller_with_too_many_unfinished_jobs_is_told_to_wait(gateway: FastAPI) -> None:
    subject = f"batch-busy-{RUN}"
    settings = gateway.state.gateway.settings
    es = gateway.state.gateway.es
    async with gateway_client(gateway) as admin:
        key = await admin.post("/v1/apikeys", json={"subject": subject, "name": subject})
        assert key.status_code in (200, 201), key.text
    busy = Access(Principal(subject=subject, tenant=settings.tenant))
    fresh = datetime.now(UTC).isoformat()
    running = []
    for n in range(settings.batch_jobs_per_caller):  # running on some replica, alive
        record = new_record(
            batch_id=f"{n:032x}{RUN}"[-32:], access=busy, name=None, queries=[], max_hits=1
        )
        running.append({**record, "status": "running", "updated_at": fresh})
    for record in running:
        await es.index(index=jobs_index(settings), id=record["batch_id"], document=record)
    await es.indices.refresh(index=jobs_index(settings))
    body: dict[str, Any] = {"json": {"queries": [{"query": "indemnity"}]}}
    async with gateway_client(gateway, key.json()["key"]) as caller:
        refused = await caller.post("/v1/search/batches", **body)
        assert refused.status_code == 429, refused.text
        assert int(refused.headers["Retry-After"]) >= 1
        assert "unfinished" in refused.json()["detail"]
        # one of them stopped writing progress long ago: it no longer counts
        old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
        stopped = running[0]["batch_id"]
        await es.update(index=jobs_index(settings), id=stopped, doc={"updated_at": old})
        await es.indices.refresh(index=jobs_index(settings))
        accepted = await caller.post("/v1/search/batches", **body)
        assert accepted.status_code == 202, accepted.text
        await _finished(caller, accepted.json()["batch_id"])

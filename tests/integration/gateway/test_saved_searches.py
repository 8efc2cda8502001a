"""Saved searches on the real Elasticsearch (issue 18, item 3): a person's own, nobody else's.

Under an index prefix of this module's own: a viewer saves searches, lists them newest
first, deletes one; another caller, and a tenant admin, see none of them and get the 404 an
unknown id gets when deleting one; bad bodies are 400s that say what is wrong; changes are
in the audit trail.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings, own_indices

from lexstream.gateway.app import create_app
from lexstream.gateway.routes_saved import SavedSearchStore, saved_index
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

RUN = str(time.time_ns())
VIEWER, OTHER = f"saved-viewer-{RUN}", f"saved-other-{RUN}"


@pytest.fixture(scope="module")
async def gateway(settings: CommonSettings) -> AsyncIterator[FastAPI]:
    async with own_indices(settings, "saved") as own:
        app = create_app(gateway_settings(own, audit_flush_interval_s=0.2))
        async with app.router.lifespan_context(app):
            yield app


@pytest.fixture(scope="module")
async def keys(gateway: FastAPI) -> dict[str, str]:
    found = {}
    async with gateway_client(gateway) as admin:
        for subject in (VIEWER, OTHER):
            key = await admin.post(
                "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": ["read"]}
            )
            assert key.status_code == 201, key.text
            found[subject] = key.json()["key"]
    return found


async def test_a_saved_search_is_its_owners_alone(gateway: FastAPI, keys: dict[str, str]) -> None:
    async with (
        gateway_client(gateway, keys[VIEWER]) as viewer,
        gateway_client(gateway, keys[OTHER]) as other,
        gateway_client(gateway) as admin,
    ):
        first = await viewer.post(
            "/v1/saved-searches",
            json={"name": "Indemnities", "q": "indemnity", "filters": {"court": "UKSC"}},
        )
        assert first.status_code == 201, first.text
        second = await viewer.post(
            "/v1/saved-searches",
            json={"name": " German law ", "filters": {"jurisdiction": "EU/DE", "sort": "date"}},
        )
        assert second.status_code == 201, second.text
        assert second.json()["name"] == "German law"
        listed = (await viewer.get("/v1/saved-searches")).json()["saved_searches"]
        assert [s["name"] for s in listed] == ["German law", "Indemnities"]  # newest first
        assert listed[1]["q"] == "indemnity"
        assert listed[1]["filters"] == {"court": "UKSC"}
        assert listed[0]["filters"] == {"jurisdiction": "EU/DE", "sort": "date"}

        # nobody else sees them, a tenant admin neither, nor can they delete one
        for client in (other, admin):
            mine = (await client.get("/v1/saved-searches")).json()["saved_searches"]
            assert all(s["search_id"] not in {x["search_id"] for x in listed} for s in mine)
            refused = await client.delete(f"/v1/saved-searches/{first.json()['search_id']}")
            assert refused.status_code == 404
            unknown = await client.delete(f"/v1/saved-searches/{'0' * 32}")
            assert unknown.status_code == 404
            assert refused.json() == unknown.json()

        gone = await viewer.delete(f"/v1/saved-searches/{first.json()['search_id']}")
        assert gone.status_code == 200
        assert gone.json() == listed[1]  # what was deleted
        again = await viewer.delete(f"/v1/saved-searches/{first.json()['search_id']}")
        assert again.status_code == 404
        left = (await viewer.get("/v1/saved-searches")).json()["saved_searches"]
        assert [s["search_id"] for s in left] == [second.json()["search_id"]]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"name": "x", "filters": {"colour": "red"}}, "colour"),
        ({"name": "x"}, "a query or a filter"),
        ({"name": "   ", "q": "a"}, "needs a name"),
        ({"name": "", "q": "a"}, "name"),
        ({"name": "x", "q": "a", "extra": 1}, "extra"),
    ],
)
async def test_a_bad_saved_search_is_a_400_saying_why(
    gateway: FastAPI, keys: dict[str, str], body: dict[str, object], says: str
) -> None:
    async with gateway_client(gateway, keys[OTHER]) as client:
        answer = await client.post("/v1/saved-searches", json=body)
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["detail"]


async def test_saving_and_deleting_are_audited(
    gateway: FastAPI, keys: dict[str, str], settings: CommonSettings
) -> None:
    async with gateway_client(gateway, keys[OTHER]) as client, gateway_client(gateway) as admin:
        saved = await client.post("/v1/saved-searches", json={"name": "audited", "q": "x"})
        assert saved.status_code == 201
        deleted = await client.delete(f"/v1/saved-searches/{saved.json()['search_id']}")
        assert deleted.status_code == 200
        actions: set[str] = set()
        for _ in range(50):
            trail = await admin.get("/v1/audit", params={"subject": OTHER})
            assert trail.status_code == 200, trail.text
            actions = {e["action"] for e in trail.json()["entries"]}
            if {"saved-search.create", "saved-search.delete"} <= actions:
                break
            await asyncio.sleep(0.2)
        assert {"saved-search.create", "saved-search.delete"} <= actions
    assert saved_index(settings).endswith("-saved-searches")


async def test_the_first_reads_of_a_new_index_wait_for_its_shard(settings: CommonSettings) -> None:
    # The workspace reads the list as it opens, often twice at once (a reload, two tabs, two
    # replicas): a read of the index just made, before its shard started, was a 503 ("no shard
    # available"), three times in four before the fix.
    for round_ in range(6):
        async with own_indices(settings, f"savedfirst{round_}") as own:
            es = make_search_client(own)
            try:
                store = SavedSearchStore(es, own)
                replica = store if round_ % 2 else SavedSearchStore(es, own)  # one replica, two
                answers = await asyncio.gather(
                    store.list("t", "u"), replica.list("t", "u"), store.count("t", "u")
                )
                assert answers == [[], [], 0]
            finally:
                await es.close()

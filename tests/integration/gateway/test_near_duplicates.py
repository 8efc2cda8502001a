"""Near-duplicate groups on the real Elasticsearch and S3: assignment, the route, collapse.

Under an index prefix of this module's own, documents go through the real Indexer (text.json
in S3, extraction, bulk write, then the group pass):

- ``A1`` (matter A), then ``A2`` and ``A3`` (A; word edits and OCR noise, laid out on pages)
  written at the same time by two indexers, then ``P`` (matter B), a copy whose id is the
  earliest: the group's key becomes ``P`` for all four (a merge);
- ``C1`` and ``C2``, near-duplicates of another text, written at the same time with nothing
  before them: one group, key ``C1``;
- ``OTHER`` (A) shares ``A1``'s first 60 words (a court's header) and nothing else, ``SHORT``
  (A) is below the minimum length: each is its own group.

A viewer of A sees A1's near-duplicates without P (in B) and is told the principal is the
earliest member they see; a viewer of B gets 404 for A1 and no near-duplicate of P; a member
of both screened from B is a viewer of A only; collapse shows one hit per group.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.support.gateway import (
    gateway_client,
    gateway_settings,
    own_indices,
    put_text,
    service_fields,
)

from lexstream.gateway.app import create_app
from lexstream.gateway.authz import READ_DOCUMENT, TABLE
from lexstream.index.bootstrap import bootstrap_indices
from lexstream.index.indexer import Indexer
from lexstream.index.settings import IndexSettings
from lexstream.shared.neardup import FIELD
from lexstream.shared.search import documents_alias, make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

RUN = str(time.time_ns())
MATTER_A, MATTER_B = f"NA-{RUN}", f"NB-{RUN}"
VIEWER_A, VIEWER_B, SCREENED = (f"neardup-{who}-{RUN}" for who in ("a", "b", "screened"))
P, A1, A2, A3, OTHER, SHORT = (f"nd{RUN}-{n}" for n in range(6))
C1, C2 = f"nd{RUN}-c1", f"nd{RUN}-c2"
MARKER = "quokkamarine"
ROUTE = ("GET", "/v1/documents/{document_id}/near-duplicates")

_SYLLABLES = ["ka", "lo", "mer", "tis", "an", "dru", "pe", "sol", "vin", "ra", "qu", "ed"]


def words(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count)]


BASE = words(1, 400)
BASE[100] = MARKER
OTHER_BASE = words(2, 400)


def edited(source: list[str], seed: int, rate: float) -> list[str]:
    rng = random.Random(seed)
    out = list(source)
    for _ in range(round(len(out) * rate)):
        del out[rng.randrange(len(out))]
    return out


def ocr(text: str, seed: int) -> str:
    rng = random.Random(seed)
    swaps = {"o": "0", "l": "1", "m": "rn", "e": "c"}
    return "".join(
        swaps[c] if c in swaps and rng.random() < 0.05 else c for c in text
    )  # ~1 % of characters


def pages(text_words: list[str], per_page: int = 120) -> list[str]:
    return [
        f"Page {n + 1} of 4\n" + " ".join(text_words[i : i + per_page])
        for n, i in enumerate(range(0, len(text_words), per_page))
    ]


async def _event(store: ObjectStore, matter: str, document_id: str, texts: list[str]) -> Any:
    return await put_text(store, document_id, matter, texts, filename=f"{document_id}.txt")


@pytest.fixture(scope="module")
async def own(settings: CommonSettings) -> AsyncIterator[CommonSettings]:
    async with own_indices(settings, "neardup") as own:
        yield own


@pytest.fixture(scope="module")
async def groups(own: CommonSettings) -> dict[str, dict[str, Any]]:
    """Every document indexed in the order above: id -> its ``near_dup`` fields."""
    index_settings = IndexSettings(**{**service_fields(own, IndexSettings), "embeddings": False})
    es = make_search_client(index_settings)
    store = ObjectStore(index_settings)
    try:
        await store.bootstrap()
        await bootstrap_indices(es, index_settings)
        first = Indexer(index_settings, es, store, refresh=True)
        second = Indexer(index_settings, es, store, refresh=True)

        async def write(indexer: Indexer, events: list[Any]) -> None:
            assert await indexer.write([await indexer.prepare(e) for e in events]) == {}

        header = " ".join(BASE[:60])
        await write(
            first,
            [
                await _event(store, MATTER_A, A1, pages(BASE)),
                await _event(store, MATTER_A, OTHER, [header + " " + " ".join(OTHER_BASE)]),
                await _event(store, MATTER_A, SHORT, ["a short note of a few words only"]),
            ],
        )
        a2 = await _event(store, MATTER_A, A2, pages(edited(BASE, 2, 0.03), 90))
        a3 = await _event(store, MATTER_A, A3, [ocr(" ".join(BASE), 3)])
        c1 = await _event(store, MATTER_A, C1, pages(OTHER_BASE[::-1]))
        c2 = await _event(store, MATTER_A, C2, [" ".join(edited(OTHER_BASE[::-1], 4, 0.02))])
        # two replicas at once: neither's batch is in the index when the other's starts
        await asyncio.gather(write(first, [a2, c1]), write(second, [a3, c2]))
        await write(first, [await _event(store, MATTER_B, P, pages(edited(BASE, 5, 0.02)))])
        found = await es.mget(
            index=documents_alias(index_settings),
            ids=[P, A1, A2, A3, OTHER, SHORT, C1, C2],
            source=[FIELD],
        )
    finally:
        await es.close()
    return {d["_id"]: d["_source"][FIELD] for d in found["docs"]}


async def test_near_duplicates_share_the_earliest_id_and_others_stay_apart(
    groups: dict[str, dict[str, Any]],
) -> None:
    assert {d: groups[d]["group"] for d in (P, A1, A2, A3)} == dict.fromkeys((P, A1, A2, A3), P)
    assert groups[C1]["group"] == groups[C2]["group"] == C1
    assert groups[OTHER]["group"] == OTHER  # a shared header is not a near-duplicate
    assert groups[SHORT]["group"] == SHORT
    assert "signature" not in groups[SHORT]
    assert "bands" not in groups[SHORT]
    assert groups[A1]["words"] >= 390
    assert len(groups[A1]["bands"]) > 1


@pytest.fixture(scope="module")
async def gateway(own: CommonSettings) -> AsyncIterator[FastAPI]:
    settings = gateway_settings(
        own, rate_limit_per_s=1000.0, rate_limit_burst=1000, hybrid_search=False
    )
    # The route's entry in the authorization table is a document read (viewer), as
    # ``/similar``; until the table has it, the module puts that entry in for itself.
    added = ROUTE not in TABLE
    if added:
        TABLE[ROUTE] = READ_DOCUMENT
    assert TABLE[ROUTE] == READ_DOCUMENT
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            yield app
    finally:
        if added:
            del TABLE[ROUTE]


@pytest.fixture(scope="module")
async def keys(gateway: FastAPI) -> dict[str, str]:
    found = {}
    async with gateway_client(gateway) as admin:
        for matter in (MATTER_A, MATTER_B):
            created = await admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
            assert created.status_code == 201, created.text
        grants = {VIEWER_A: [MATTER_A], VIEWER_B: [MATTER_B], SCREENED: [MATTER_A, MATTER_B]}
        for subject, matters in grants.items():
            key = await admin.post(
                "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": ["read"]}
            )
            assert key.status_code in (200, 201), key.text
            found[subject] = key.json()["key"]
            for matter in matters:
                member = await admin.put(
                    f"/v1/matters/{matter}/members/{subject}", json={"role": "viewer"}
                )
                assert member.status_code == 200, member.text
        wall = await admin.put(f"/v1/matters/{MATTER_B}/screens/{SCREENED}")
        assert wall.status_code == 200, wall.text
    return found


async def _near(client: httpx.AsyncClient, document_id: str, status: int = 200) -> Any:
    answer = await client.get(f"/v1/documents/{document_id}/near-duplicates")
    assert answer.status_code == status, answer.text
    return answer.json()


def _ids(answer: dict[str, Any]) -> list[str]:
    return [d["document_id"] for d in answer["near_duplicates"]]


@pytest.mark.usefixtures("groups")
async def test_the_route_lists_only_what_the_caller_may_see(
    gateway: FastAPI, keys: dict[str, str]
) -> None:
    async with (
        gateway_client(gateway, keys[VIEWER_A]) as a,
        gateway_client(gateway, keys[VIEWER_B]) as b,
        gateway_client(gateway, keys[SCREENED]) as screened,
        gateway_client(gateway) as admin,
    ):
        everything = await _near(admin, A2)
        seen_a = await _near(a, A1)
        seen_screened = await _near(screened, A1)
        seen_b = await _near(b, P)
        await _near(b, A1, 404)  # not a member of A: as if it did not exist
        await _near(screened, P, 404)  # behind the wall
        short = await _near(a, SHORT)
        other = await _near(a, OTHER)

    assert _ids(everything) == [P, A1, A3]
    assert everything["principal_id"] == P
    assert everything["total"] == 3
    assert [d["principal"] for d in everything["near_duplicates"]] == [True, False, False]
    assert all(d["similarity"] is not None for d in everything["near_duplicates"])
    # P (matter B) is neither listed, counted nor named as the principal
    for answer in (seen_a, seen_screened):
        assert _ids(answer) == [A2, A3]
        assert answer["total"] == 2
        assert answer["principal_id"] == A1
        assert P not in str(answer)
    assert (seen_b["total"], seen_b["near_duplicates"], seen_b["principal_id"]) == (0, [], P)
    assert A1 not in str(seen_b)
    assert (short["signed"], short["total"]) == (False, 0)
    assert (other["signed"], other["total"]) == (True, 0)


async def _search(client: httpx.AsyncClient, **params: Any) -> list[str]:
    answer = await client.get("/v1/search", params={"q": MARKER, **params})
    assert answer.status_code == 200, answer.text
    return [hit["document_id"] for hit in answer.json()["hits"]]


@pytest.mark.usefixtures("groups")
async def test_search_collapses_a_group_into_one_hit(
    gateway: FastAPI, keys: dict[str, str]
) -> None:
    async with gateway_client(gateway, keys[VIEWER_A]) as a, gateway_client(gateway) as admin:
        all_hits = await _search(admin)
        collapsed = await _search(admin, collapse="near_duplicates")
        collapsed_a = await _search(a, collapse="near_duplicates")
        bad = await admin.get("/v1/search", params={"q": MARKER, "collapse": "everything"})
    # A3's OCR noise spells the marker differently, so the word finds three of the four
    assert set(all_hits) <= {P, A1, A2, A3}
    assert len(all_hits) >= 3
    assert len(collapsed) == 1
    assert collapsed[0] in {P, A1, A2, A3}
    assert len(collapsed_a) == 1
    assert collapsed_a[0] in {A1, A2, A3}
    assert bad.status_code in (400, 422)

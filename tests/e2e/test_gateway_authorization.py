"""Authorization on the real stack: matters, ethical walls, revoked keys, no anonymous route.

Alice edits matter A, Bob edits matter B, Carol is a viewer of A who is screened from it,
Dave holds a key that gets revoked. Documents go in through the gateway and the pipeline;
every endpoint is then asked for what the caller must not see.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from lexstream.shared.events import Topics
from tests.e2e.conftest import RunningSystem
from tests.samples import FEDERAL_CIRCUIT_PDF, JFK_FLAC, sample
from tests.support.gateway import upload_document
from tests.support.wait import eventually, eventually_async

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

PDF = FEDERAL_CIRCUIT_PDF
AUDIO = JFK_FLAC
WORD = "zanzibarian"
CITATION = "410 U.S. 113"


@dataclass
class World:
    system: RunningSystem
    admin: httpx.Client
    users: dict[str, httpx.Client]
    keys: dict[str, dict[str, str]]
    matter_a: str
    matter_b: str
    docs: dict[str, str]  # label -> document id
    prefix: str


def _client(system: RunningSystem, key: str) -> httpx.Client:
    return httpx.Client(base_url=system.gateway_url, headers={"X-API-Key": key}, timeout=60)


@pytest.fixture(scope="module")
def world(running_system: RunningSystem, session_prefix: str) -> Iterator[World]:
    admin = running_system.client()
    run = secrets.token_hex(3)
    matter_a, matter_b = f"A-{run}", f"B-{run}"
    for matter, name in ((matter_a, "Acme v. Widget"), (matter_b, "Widget v. Acme (other side)")):
        response = admin.post("/v1/matters", json={"matter_id": matter, "name": name})
        assert response.status_code == 201, response.text
    keys: dict[str, dict[str, str]] = {}
    for user, scopes in (
        ("alice", ["read", "write"]),
        ("bob", ["read", "write"]),
        ("carol", ["read"]),
        ("dave", ["read"]),
    ):
        response = admin.post(
            "/v1/apikeys", json={"subject": f"{user}-{run}", "name": user, "scopes": scopes}
        )
        assert response.status_code == 201, response.text
        keys[user] = response.json()
    grants = [
        (matter_a, "alice", "editor"),
        (matter_a, "carol", "viewer"),
        (matter_a, "dave", "viewer"),
        (matter_b, "bob", "editor"),
    ]
    for matter, user, role in grants:
        subject = keys[user]["subject"]
        response = admin.put(f"/v1/matters/{matter}/members/{subject}", json={"role": role})
        assert response.status_code == 200, response.text
    response = admin.put(f"/v1/matters/{matter_a}/screens/{keys['carol']['subject']}")
    assert response.status_code == 200, response.text

    users = {user: _client(running_system, keys[user]["key"]) for user in keys}
    text = f"The {WORD} doctrine, as held in Roe v. Wade, {CITATION} (1973), applies. Run {run}."
    docs = {
        "a_text": upload_document(
            users["alice"], matter_a, "alpha.txt", text.encode(), "text/plain"
        ),
        "a_pdf": upload_document(
            users["alice"], matter_a, "nelson.pdf", sample(PDF).read_bytes(), "application/pdf"
        ),
        "b_text": upload_document(
            users["bob"], matter_b, "beta.txt", (text + " Beta side.").encode(), "text/plain"
        ),
        "b_audio": upload_document(
            users["bob"], matter_b, "jfk.flac", sample(AUDIO).read_bytes(), "audio/flac"
        ),
    }
    for label, doc_id in docs.items():
        final = running_system.wait_terminal(admin, doc_id)
        assert final["status"] == "indexed", (label, final)
    yield World(running_system, admin, users, keys, matter_a, matter_b, docs, session_prefix)
    for client in [admin, *users.values()]:
        client.close()


def _ids(answer: dict) -> set[str]:  # type: ignore[type-arg]
    return {hit["document_id"] for hit in answer["hits"]}


def _every_document_endpoint(client: httpx.Client, doc_id: str) -> dict[str, int]:
    paths = {
        "status": f"/v1/documents/{doc_id}",
        "text": f"/v1/documents/{doc_id}/text",
        "transcript": f"/v1/documents/{doc_id}/transcript",
        "vtt": f"/v1/documents/{doc_id}/transcript?format=vtt",
        "original": f"/v1/documents/{doc_id}/original",
        "original-url": f"/v1/documents/{doc_id}/original?redirect=false",
        "children": f"/v1/documents/{doc_id}/children",
        "similar": f"/v1/documents/{doc_id}/similar",
    }
    return {
        name: client.get(path, follow_redirects=False).status_code for name, path in paths.items()
    }


def test_member_of_a_sees_nothing_of_b(world: World) -> None:
    alice, docs = world.users["alice"], world.docs
    # by the words: exactly her document with the word
    answer = alice.get("/v1/search", params={"q": WORD, "mode": "lexical"}).json()
    assert _ids(answer) == {docs["a_text"]}
    assert answer["total"] == 1
    # hybrid (the default) adds what is nearest in meaning, among what she may see only
    fused = alice.get("/v1/search", params={"q": WORD, "size": 100}).json()
    assert docs["a_text"] in _ids(fused)
    assert _ids(fused) <= {docs["a_text"], docs["a_pdf"]}
    assert answer["facets"]["matter_id"] == [{"value": world.matter_a, "count": 1}]
    assert sum(node["count"] for node in answer["facets"]["jurisdiction"]) <= 1
    # no query at all: facet counts over everything alice may see - matter A only
    everything = alice.get("/v1/search", params={"size": 100}).json()
    assert _ids(everything) == {docs["a_text"], docs["a_pdf"]}
    assert {f["value"] for f in everything["facets"]["matter_id"]} == {world.matter_a}
    # a filter on B's matter gives nothing rather than B's documents
    assert alice.get("/v1/search", params={"matter_id": world.matter_b}).json()["total"] == 0
    # the spoken words of B's recording
    spoken = alice.get("/v1/search", params={"q": '"ask not what your country"'}).json()
    assert docs["b_audio"] not in _ids(spoken)

    cited = alice.get("/v1/cited-by", params={"citation": CITATION}).json()
    assert _ids(cited) == {docs["a_text"]}
    similar = alice.get(f"/v1/documents/{docs['a_text']}/similar").json()
    assert docs["b_text"] not in _ids(similar)
    suggestions = alice.get("/v1/suggest", params={"q": "bet"}).json()["suggestions"]
    assert docs["b_text"] not in {s["document_id"] for s in suggestions}

    for label in ("b_text", "b_audio"):
        codes = _every_document_endpoint(alice, docs[label])
        assert set(codes.values()) == {404}, (label, codes)
    assert alice.get(f"/v1/matters/{world.matter_b}").status_code == 404
    matters = {m["matter_id"] for m in alice.get("/v1/matters").json()["matters"]}
    assert matters == {world.matter_a}
    # and no writing into B either: a matter she has no role in answers as one that does
    # not exist (the authorization table: 404, so B's existence does not leak)
    refused = alice.post(
        "/v1/documents",
        data={"matter_id": world.matter_b},
        files={"file": ("x.txt", b"x", "text/plain")},
    )
    assert refused.status_code == 404
    assert refused.json() == {"detail": "no such matter"}


def test_member_of_b_sees_b_and_not_a(world: World) -> None:
    bob, docs = world.users["bob"], world.docs
    lexical = bob.get("/v1/search", params={"q": WORD, "mode": "lexical"}).json()
    assert _ids(lexical) == {docs["b_text"]}
    fused = bob.get("/v1/search", params={"q": WORD, "size": 100}).json()
    assert docs["b_text"] in _ids(fused)
    assert _ids(fused) <= {docs["b_text"], docs["b_audio"]}
    spoken = bob.get("/v1/search", params={"q": '"ask not what your country"'}).json()
    assert docs["b_audio"] in _ids(spoken)
    codes = _every_document_endpoint(bob, docs["b_audio"])
    assert codes["status"] == codes["transcript"] == codes["vtt"] == 200, codes
    assert codes["original"] == 307
    for label in ("a_text", "a_pdf"):
        codes = _every_document_endpoint(bob, docs[label])
        assert set(codes.values()) == {404}, (label, codes)


def test_screen_beats_the_grant(world: World) -> None:
    carol, docs = world.users["carol"], world.docs
    me = carol.get("/v1/me").json()
    assert world.matter_a in me["screened"]
    assert world.matter_a not in me["matters"]
    everything = carol.get("/v1/search", params={"size": 100}).json()
    assert everything["total"] == 0
    assert everything["hits"] == []
    assert all(not buckets for buckets in everything["facets"].values())
    assert carol.get("/v1/cited-by", params={"citation": CITATION}).json()["total"] == 0
    for label in ("a_text", "a_pdf"):
        codes = _every_document_endpoint(carol, docs[label])
        assert set(codes.values()) == {404}, (label, codes)
    assert carol.get("/v1/matters").json()["matters"] == []
    assert carol.get(f"/v1/matters/{world.matter_a}").status_code == 404
    # a read-only key cannot upload
    refused = carol.post(
        "/v1/documents",
        data={"matter_id": world.matter_a},
        files={"file": ("x.txt", b"x", "text/plain")},
    )
    assert refused.status_code == 403


def test_admin_screen_applies_to_admins_too(world: World) -> None:
    admin = world.admin
    # by the words: the admin sees every matter of the tenant, so a hybrid first page of ten
    # holds whatever else other tests left nearest in meaning (in a full run here B's
    # document, indexed with the word, was not on it); the words alone find each one
    lexical = admin.get("/v1/search", params={"q": WORD, "mode": "lexical", "size": 100})
    assert _ids(lexical.json()) >= {
        world.docs["a_text"],
        world.docs["b_text"],
    }


def test_revoked_key_is_refused(world: World) -> None:
    dave = world.users["dave"]
    assert dave.get("/v1/search", params={"q": WORD}).status_code == 200
    revoked = world.admin.post(f"/v1/apikeys/{world.keys['dave']['key_id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["revoked"] is True
    response = dave.get("/v1/search", params={"q": WORD})
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    listed = {k["key_id"]: k for k in world.admin.get("/v1/apikeys").json()["keys"]}
    assert listed[world.keys["dave"]["key_id"]]["revoked"] is True
    assert "key_sha256" not in listed[world.keys["dave"]["key_id"]]
    # a non-admin key may not manage keys
    assert world.users["alice"].get("/v1/apikeys").status_code == 403


def test_moving_a_document_moves_its_visibility(world: World) -> None:
    admin, alice, bob = world.admin, world.users["alice"], world.users["bob"]
    doc_id = world.docs["a_pdf"]
    # alice has no role in B: she may not move it there, and B answers as an absent matter
    refused = alice.patch(f"/v1/documents/{doc_id}", json={"matter_id": world.matter_b})
    assert refused.status_code == 404
    assert refused.json() == {"detail": "no such matter"}
    moved = admin.patch(f"/v1/documents/{doc_id}", json={"matter_id": world.matter_b})
    assert moved.status_code == 200, moved.text
    assert moved.json()["matter_id"] == world.matter_b
    # the index applies the move (documents.moved): the search document, then the status record
    eventually(
        lambda: bob.get(f"/v1/documents/{doc_id}").json().get("matter_id") == world.matter_b,
        what="the index applying the move",
        timeout_s=30,
    )
    assert alice.get(f"/v1/documents/{doc_id}").status_code == 404
    assert doc_id not in _ids(alice.get("/v1/search", params={"q": "ADJUDGED"}).json())
    assert bob.get(f"/v1/documents/{doc_id}").json()["matter_id"] == world.matter_b
    assert doc_id in _ids(bob.get("/v1/search", params={"q": "ADJUDGED"}).json())
    assert bob.get(f"/v1/documents/{doc_id}/text").status_code == 200


def test_audit_trail_records_searches_views_and_downloads(world: World) -> None:
    bob, docs = world.users["bob"], world.docs
    bob.get("/v1/search", params={"q": "audited"}, headers={"User-Agent": "audit-test"})
    bob.get(f"/v1/documents/{docs['b_text']}")
    bob.get(f"/v1/documents/{docs['b_text']}/original", follow_redirects=False)
    subject = world.keys["bob"]["subject"]
    entries = world.admin.get("/v1/audit", params={"subject": subject, "size": 1000}).json()[
        "entries"
    ]
    actions = {e["action"] for e in entries}
    assert {"search", "view", "download", "upload"} <= actions, actions
    search = next(e for e in entries if e["action"] == "search" and e["query"]["q"] == "audited")
    assert search["client_ip"] == "127.0.0.1"
    assert search["user_agent"] == "audit-test"
    assert search["key_id"] == world.keys["bob"]["key_id"]
    assert search["at"]
    download = next(e for e in entries if e["action"] == "download")
    assert download["document_id"] == docs["b_text"]
    # only admins read it; nobody changes it
    assert bob.get("/v1/audit").status_code == 403
    assert world.admin.delete("/v1/audit").status_code in (404, 405)
    assert world.admin.put("/v1/audit", json={}).status_code in (404, 405)
    # the same entries go to the audit topic
    topic = Topics(world.prefix).audit
    on_topic = asyncio.run(_read_topic(topic, subject))
    assert {"search", "view", "download"} <= {e["action"] for e in on_topic}


async def _read_topic(topic: str, subject: str) -> list[dict]:  # type: ignore[type-arg]
    from aiokafka import AIOKafkaConsumer

    from lexstream.shared.settings import CommonSettings

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=CommonSettings().kafka_bootstrap_servers,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list[dict] = []  # type: ignore[type-arg]
    try:

        async def all_three_audited() -> bool:
            batches = await consumer.getmany(timeout_ms=1000)
            for messages in batches.values():
                for message in messages:
                    entry = json.loads(message.value)
                    if entry.get("subject") == subject:
                        found.append(entry)
            return {"search", "view", "download"} <= {e["action"] for e in found}

        await eventually_async(
            all_three_audited, what="search, view and download on the audit topic", timeout_s=30
        )
    finally:
        await consumer.stop()
    return found


def test_every_route_refuses_a_caller_without_credentials(world: World) -> None:
    schema = world.admin.get("/v1/openapi.json").json()
    called = 0
    with httpx.Client(base_url=world.system.gateway_url, timeout=30) as anonymous:
        for path, operations in schema["paths"].items():
            concrete = path.replace("{document_id}", world.docs["a_text"])
            concrete = concrete.replace("{matter_id}", world.matter_a)
            concrete = concrete.replace("{subject}", "someone").replace("{key_id}", "0" * 16)
            # the other parameters (a batch, an authority, a page, a provision) need no
            # real value: the caller is refused before the path is read
            concrete = re.sub(r"\{[a-z_]+(?::path)?\}", "1", concrete)
            assert "{" not in concrete, path
            for method in operations:
                if path.startswith("/health/"):
                    continue
                for headers in ({}, {"X-API-Key": "lxk_not-a-key"}, {"Authorization": "Bearer x"}):
                    response = anonymous.request(method.upper(), concrete, headers=headers)
                    assert response.status_code == 401, (method, path, headers, response.text)
                    assert "WWW-Authenticate" in response.headers
                called += 1
        assert anonymous.get("/v1/openapi.json").status_code == 401
        assert anonymous.get("/health/live").status_code == 200
    assert called >= 20

"""Isolation between matters at ingest (issue 13, findings 2, 3 and 7), on the real stack.

- Finding 2: the matter is in every idempotence key, so no document id is shared across
  matters and "duplicate" is only said within the submitter's matter; the claim of a key is a
  create-only S3 put, so two ingest replicas receiving the same submission at the same instant
  make one document.
- Finding 3: documents for matters that do not exist (or are archived) are refused on every
  intake path, and nothing is stored under them.
- Finding 7: ``object_uri`` only from the configured buckets (never lexstream's own), and the
  internal API only with the service token.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from tests.integration.ingest.conftest import (
    SERVICE_TOKEN,
    EventLog,
    Running,
    create_matters,
    ingest_settings_for,
    running_ingest,
)

from lexstream.shared.events import ObjectRef
from lexstream.shared.storage import derived_key, original_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def unique_text(label: str) -> bytes:
    return f"{label} {secrets.token_hex(16)}\nThe court finds for the plaintiff.\n".encode()


def new_matter_id(label: str) -> str:
    return f"M-{label}-{secrets.token_hex(4)}"


async def post(
    client: httpx.AsyncClient, data: bytes, matter_id: str | None, **params: str
) -> httpx.Response:
    filename = params.pop("filename", "file.txt")
    query = {**params, **({"matter_id": matter_id} if matter_id else {})}
    return await client.post(
        "/internal/v1/documents",
        content=data,
        params=query,
        headers={"X-Lexstream-Filename": quote(filename)},
    )


async def accepted(
    client: httpx.AsyncClient, data: bytes, matter_id: str | None, **params: str
) -> dict[str, Any]:
    response = await post(client, data, matter_id, **params)
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def document_json(ingest: Running, document_id: str) -> dict[str, Any]:
    record: dict[str, Any] = await ingest.store.get_json(
        ObjectRef(bucket=ingest.store.derived, key=derived_key(document_id, "document.json"))
    )
    return record


def by_external_id(external_id: str) -> Any:
    return lambda v: (v.get("provenance") or {}).get("external_id") == external_id


# -- finding 2: the matter in every idempotence key ----------------------------------------


async def test_finding2_external_id_of_a_failed_document_in_another_matter_is_a_new_document(
    ingest: Running, events: EventLog
) -> None:
    """The reproduced case: A's document had failed (here: empty), B's editor uploads with A's
    external id; B's bytes went into A's document. Now B gets a document of its own."""
    matter_a, matter_b = new_matter_id("a"), new_matter_id("b")
    await create_matters(ingest.settings, matter_a, matter_b)
    external_id = f"dms-{secrets.token_hex(6)}"

    in_a = await accepted(
        ingest.client, b"", matter_a, source="dms", external_id=external_id, filename="a.txt"
    )
    assert in_a["status"] == "failed"
    in_b = await accepted(
        ingest.client,
        unique_text("matter B's own file"),
        matter_b,
        source="dms",
        external_id=external_id,
        filename="b.txt",
        uploader="editor-of-b",
    )

    assert in_b["document_id"] != in_a["document_id"]
    assert in_b["status"] == "stored"  # not "duplicate": nothing about A is revealed
    stored = await events.wait(
        ingest.topics.stored, lambda v: v.get("document_id") == in_b["document_id"]
    )
    assert stored["matter_id"] == matter_b
    assert (await document_json(ingest, in_b["document_id"]))["matter_id"] == matter_b
    assert not events.all(
        ingest.topics.stored, lambda v: v.get("document_id") == in_a["document_id"]
    )


async def test_finding2_a_duplicate_is_only_reported_within_the_matter(ingest: Running) -> None:
    matter_a, matter_b = new_matter_id("a"), new_matter_id("b")
    await create_matters(ingest.settings, matter_a, matter_b)
    external_id = f"dms-{secrets.token_hex(6)}"
    data = unique_text("same bytes, same external id")

    first = await accepted(ingest.client, data, matter_a, source="dms", external_id=external_id)
    again_in_a = await accepted(
        ingest.client, data, matter_a, source="dms", external_id=external_id
    )
    in_b = await accepted(ingest.client, data, matter_b, source="dms", external_id=external_id)
    other_bytes_in_b = await accepted(
        ingest.client, unique_text("other"), matter_b, source="dms", external_id=external_id
    )

    assert first["status"] == "stored"
    assert (again_in_a["status"], again_in_a["document_id"]) == ("duplicate", first["document_id"])
    assert in_b["status"] == "stored"
    assert in_b["document_id"] != first["document_id"]
    # the same external id in B names B's document from now on, never A's
    assert other_bytes_in_b["document_id"] == in_b["document_id"]
    assert other_bytes_in_b["status"] == "duplicate"


@contextlib.asynccontextmanager
async def two_replicas(
    stack_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[tuple[Running, Running]]:
    """Two ingest apps (each its own pipeline, locks and claims) on one stack and one set of
    topics and buckets of their own: two replicas of one deployment."""
    prefix = f"{stack_env['LEXSTREAM_TOPIC_PREFIX']}r"
    env = {
        **stack_env,
        "LEXSTREAM_TOPIC_PREFIX": prefix,
        "LEXSTREAM_ORIGINALS_BUCKET": f"{prefix}-originals",
        "LEXSTREAM_DERIVED_BUCKET": f"{prefix}-derived",
    }
    async with contextlib.AsyncExitStack() as stack:
        replicas = []
        for number in (1, 2):
            spool = tmp_path / f"replica-{number}"
            spool.mkdir()
            settings = ingest_settings_for(env, spool)
            replicas.append(await stack.enter_async_context(running_ingest(settings)))
        assert replicas[0].app.state.ingest.pipeline is not replicas[1].app.state.ingest.pipeline
        yield replicas[0], replicas[1]


async def test_finding2_two_replicas_receiving_the_same_submissions_make_one_document_each(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    matter_a, matter_b = new_matter_id("a"), new_matter_id("b")
    async with two_replicas(stack_env, tmp_path) as (one, two):
        await create_matters(one.settings, matter_a, matter_b)
        rounds = 12
        for number in range(rounds):
            by_external_id_ = {"source": "dms", "external_id": f"dms-{secrets.token_hex(6)}"}
            # the same upload to both replicas at once: by external id, then by bytes alone
            for params in (by_external_id_, {}):
                data = unique_text(f"round {number}")
                answers = await asyncio.gather(
                    accepted(one.client, data, matter_a, **params),
                    accepted(two.client, data, matter_a, **params),
                )
                ids = {answer["document_id"] for answer in answers}
                assert len(ids) == 1, (number, params, answers)
                assert sorted(a["status"] for a in answers) == ["duplicate", "stored"], answers
            # the same bytes and external id in two matters at once: two documents
            other = unique_text(f"two matters {number}")
            ext = {"source": "dms", "external_id": f"dms-{secrets.token_hex(6)}"}
            in_a, in_b = await asyncio.gather(
                accepted(one.client, other, matter_a, **ext),
                accepted(two.client, other, matter_b, **ext),
            )
            assert in_a["document_id"] != in_b["document_id"]
            assert in_a["status"] == in_b["status"] == "stored"


# -- finding 3: no documents for matters that do not exist ---------------------------------


async def test_finding3_an_upload_into_a_matter_that_does_not_exist_is_refused(
    ingest: Running,
) -> None:
    squatted = new_matter_id("squat")
    data = unique_text("squatting")
    response = await post(ingest.client, data, squatted)
    assert response.status_code == 404
    assert response.json()["detail"] == f"matter {squatted} does not exist"

    archived = new_matter_id("archived")
    await create_matters(ingest.settings, archived, archived=True)
    response = await post(ingest.client, data, archived)
    assert response.status_code == 422
    assert "archived" in response.json()["detail"]

    original = ObjectRef(
        bucket=ingest.store.originals, key=original_key(hashlib.sha256(data).hexdigest())
    )
    assert not await ingest.store.exists(original)  # refused before a byte was stored
    assert (await accepted(ingest.client, data, None))["status"] == "stored"  # no matter: ok
    await create_matters(ingest.settings, squatted)
    await asyncio.sleep(ingest.settings.matter_cache_ttl_s)  # the registry's cache
    assert (await accepted(ingest.client, data, squatted))["status"] == "stored"


async def test_finding3_topic_and_inbox_submissions_for_unknown_matters_fail(
    ingest: Running, events: EventLog, producer: AIOKafkaProducer
) -> None:
    squatted = new_matter_id("squat")
    external_id = f"dms-{secrets.token_hex(6)}"
    submission = {
        "source": "dms",
        "external_id": external_id,
        "filename": "squat.txt",
        "content_base64": base64.b64encode(unique_text("topic squat")).decode(),
        "matter_id": squatted,
    }
    await producer.send_and_wait(ingest.topics.submitted, json.dumps(submission).encode())
    inbox = f"{ingest.settings.topic_prefix}-inbox"
    key = f"{squatted}/dropped {secrets.token_hex(3)}.txt"
    await asyncio.to_thread(
        ingest.store.client.put_object,
        inbox,
        key,
        io.BytesIO(b"dropped into an inbox"),
        21,
    )
    event = {
        "EventName": "s3:ObjectCreated:Put",
        "Key": f"{inbox}/{key}",
        "Records": [
            {
                "eventName": "s3:ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": inbox},
                    "object": {"key": quote(key), "size": 21, "eTag": secrets.token_hex(8)},
                },
            }
        ],
    }
    await producer.send_and_wait(ingest.topics.s3_events, json.dumps(event).encode())

    def from_inbox(value: dict[str, Any]) -> bool:  # an inbox drop's external id: <key>@<etag>
        return str((value.get("provenance") or {}).get("external_id")).startswith(f"{key}@")

    for predicate in (by_external_id(external_id), from_inbox):
        failed = await events.wait(ingest.topics.failed, predicate)
        assert failed["reason"] == f"matter {squatted} does not exist"
        assert failed["error_type"] == "UnknownMatter"
        assert failed["matter_id"] is None  # nothing is recorded under the squatted id
    assert not events.all(ingest.topics.stored, lambda v: v.get("matter_id") == squatted)


# -- finding 7: the inside is not open -----------------------------------------------------


async def test_finding7_object_uri_into_lexstreams_own_buckets_is_refused(
    ingest: Running, events: EventLog, producer: AIOKafkaProducer
) -> None:
    """The attack: another matter's derived text (or original) copied into a matter of the
    sender's choice by naming it as the object of a submission."""
    matter_a, matter_b = new_matter_id("a"), new_matter_id("b")
    await create_matters(ingest.settings, matter_a, matter_b)
    victim = await accepted(ingest.client, unique_text("privileged in A"), matter_a)
    victim_json = derived_key(victim["document_id"], "document.json")
    targets = {
        "derived": f"s3://{ingest.store.derived}/{victim_json}",
        "original": f"s3://{ingest.store.originals}/{original_key(victim['sha256'])}",
        # an attachment claim check, but for another matter than its parent's
        "attachment": f"s3://{ingest.store.derived}/{victim['document_id']}/attachments/1-x.txt",
    }
    await ingest.store.put_bytes(
        ObjectRef.parse(targets["attachment"]), b"attachment of A", content_type="text/plain"
    )
    ids = {}
    for name, uri in targets.items():
        ids[name] = f"steal-{name}-{secrets.token_hex(4)}"
        message: dict[str, Any] = {
            "source": "attacker",
            "external_id": ids[name],
            "filename": "stolen.txt",
            "object_uri": uri,
            "matter_id": matter_b,
        }
        if name == "attachment":
            message["parent_document_id"] = victim["document_id"]
        await producer.send_and_wait(ingest.topics.submitted, json.dumps(message).encode())

    for name, external_id in ids.items():
        failed = await events.wait(ingest.topics.failed, by_external_id(external_id))
        assert failed["error_type"] == "ForbiddenObjectUri", (name, failed)
        assert targets[name] in failed["reason"]
    assert not events.all(ingest.topics.stored, lambda v: v.get("matter_id") == matter_b)


async def test_finding7_the_internal_api_needs_the_service_token(ingest: Running) -> None:
    transport = httpx.ASGITransport(app=ingest.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as anonymous:
        for headers in (
            {},
            {"Authorization": "Bearer wrong-token"},
            {"Authorization": f"Basic {SERVICE_TOKEN}"},
        ):
            anonymous.headers.clear()
            anonymous.headers.update(headers)
            response = await post(anonymous, unique_text("no credential"), "M-ingest")
            assert response.status_code == 401, headers
            assert response.headers["WWW-Authenticate"] == "Bearer"
        assert (await anonymous.get("/health/live")).status_code == 200  # probes stay open
        anonymous.headers["Authorization"] = f"Bearer {SERVICE_TOKEN}"
        assert (await post(anonymous, unique_text("gateway"), "M-ingest")).status_code == 202

"""Uploads that declare their sha256 (RFC 9530 ``Repr-Digest``) are stored only if the bytes
match, on the real S3 server, single-part and multipart: spooled first (the default) and put
while they arrive (``put_while_receiving``)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from tests.integration.ingest.conftest import EventLog, Running

from lexstream.ingest import routes as routes_module
from lexstream.ingest.digeststream import repr_digest, spool_and_store
from lexstream.shared.events import ObjectRef
from lexstream.shared.storage import PART_SIZE, original_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


@pytest.fixture(params=[False, True], ids=["spooled", "put-while-receiving"])
def mode(
    ingest: Running, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[bool]:
    """The ingest app with ``put_while_receiving`` off or on; checks afterwards that the
    put-while-receiving path ran exactly when it was on."""
    state = ingest.app.state.ingest
    before = state.settings
    state.settings = before.model_copy(update={"put_while_receiving": request.param})
    calls: list[str] = []

    async def spy(*args: Any) -> Any:
        calls.append("streamed")
        return await spool_and_store(*args)

    monkeypatch.setattr(routes_module, "spool_and_store", spy)
    try:
        yield request.param
    finally:
        state.settings = before
    assert bool(calls) == request.param


def pdf_bytes(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


async def post(ingest: Running, data: bytes, digest: str, name: str = "d.pdf") -> Any:
    return await ingest.client.post(
        "/internal/v1/documents",
        content=data,
        params={"matter_id": "M-digest"},
        headers={"X-Lexstream-Filename": quote(name), "Repr-Digest": digest},
    )


async def original_exists(ingest: Running, sha256: str) -> bool:
    return await ingest.store.exists(
        ObjectRef(bucket=ingest.store.originals, key=original_key(sha256))
    )


@pytest.mark.usefixtures("mode")
@pytest.mark.parametrize("size", [200_000, PART_SIZE * 2 + 12_345], ids=["one-part", "multipart"])
async def test_a_declared_digest_is_stored_at_its_content_address(
    ingest: Running, events: EventLog, size: int
) -> None:
    data = pdf_bytes(size)
    sha256 = hashlib.sha256(data).hexdigest()

    response = await post(ingest, data, repr_digest(sha256))

    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["status"], body["sha256"], body["size"]) == ("stored", sha256, size)
    stat = await ingest.store.stat(
        ObjectRef(bucket=ingest.store.originals, key=original_key(sha256))
    )
    assert stat.size == size
    stored = await events.wait(
        ingest.topics.stored, lambda v: v.get("document_id") == body["document_id"]
    )
    assert stored["media_type"] == "application/pdf"
    assert stored["sha256"] == sha256


@pytest.mark.usefixtures("mode")
@pytest.mark.parametrize("size", [200_000, PART_SIZE * 2 + 12_345], ids=["one-part", "multipart"])
async def test_bytes_that_do_not_match_their_digest_are_refused_and_not_stored(
    ingest: Running, size: int
) -> None:
    data = pdf_bytes(size)
    claimed = hashlib.sha256(b"some other file" + os.urandom(8)).hexdigest()

    response = await post(ingest, data, repr_digest(claimed))

    assert response.status_code == 400, response.text
    assert "do not match their Repr-Digest" in response.json()["detail"]
    assert not await original_exists(ingest, claimed)
    assert not await original_exists(ingest, hashlib.sha256(data).hexdigest())


async def test_a_malformed_digest_header_is_a_400(ingest: Running) -> None:
    response = await post(ingest, b"%PDF-1.7\n", "sha-256=:not base64!:")
    assert response.status_code == 400
    response = await post(ingest, b"%PDF-1.7\n", "sha-256=:AAAA:")
    assert response.status_code == 400
    assert "not 32" in response.json()["detail"]


@pytest.mark.usefixtures("mode")
async def test_a_declared_digest_of_a_stored_file_is_checked_too(ingest: Running) -> None:
    data = pdf_bytes(50_000)
    sha256 = hashlib.sha256(data).hexdigest()
    first = await post(ingest, data, repr_digest(sha256))
    assert first.status_code == 202
    # the original exists now: a second upload claiming its digest with other bytes is refused
    response = await post(ingest, pdf_bytes(50_000), repr_digest(sha256), name="other.pdf")
    assert response.status_code == 400, response.text

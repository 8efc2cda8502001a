"""A mailbox of more than 1,000 messages expanded by ingest's pipeline against the real S3:
each message a child document (an ``.eml`` sent to ocr), exact duplicates the same document,
a damaged member failing alone, the listing of the mailbox published."""

from __future__ import annotations

import asyncio
import hashlib
import io
import tarfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.support.mailbox import build_mailbox, write_mbox

from lexstream.ingest.containers import ContainerLimits
from lexstream.ingest.pipeline import IngestPipeline
from lexstream.shared.events import (
    DocumentFailed,
    DocumentStored,
    Event,
    ObjectRef,
    OcrRequested,
    Provenance,
    TextExtracted,
    Topics,
)
from lexstream.shared.ids import new_document_id
from lexstream.shared.matters import MatterRegistry
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import ObjectStore, derived_key, original_key

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

RUN = uuid.uuid4().hex[:8]


class Published:
    def __init__(self) -> None:
        self.events: list[tuple[str, Event]] = []

    async def __call__(self, topic: str, event: Event) -> None:
        self.events.append((topic, event))

    def of(self, kind: type[Event]) -> list[Event]:
        return [e for _, e in self.events if isinstance(e, kind)]


@pytest.fixture(scope="module")
async def store(settings: CommonSettings) -> AsyncIterator[ObjectStore]:
    own = settings.model_copy(
        update={"originals_bucket": f"lxmbox-o-{RUN}", "derived_bucket": f"lxmbox-d-{RUN}"}
    )
    store = ObjectStore(own)
    await store.bootstrap()
    try:
        yield store
    finally:

        def clean() -> None:
            for bucket in (own.originals_bucket, own.derived_bucket):
                for obj in store.client.list_objects(bucket, recursive=True):
                    store.client.remove_object(bucket, obj.object_name or "")
                store.client.remove_bucket(bucket)

        await asyncio.to_thread(clean)


async def expand(
    store: ObjectStore, settings: CommonSettings, data: bytes, filename: str, media_type: str
) -> tuple[Published, DocumentStored]:
    published = Published()
    es = make_search_client(settings)
    try:
        pipeline = IngestPipeline(
            store,
            Topics(f"lxmbox{RUN}"),
            published,
            matters=MatterRegistry(es, settings, cache_ttl_s=0),
            limits=ContainerLimits(),  # mailboxes: max_messages, not max_members
        )
        sha = hashlib.sha256(data).hexdigest()
        original = ObjectRef(bucket=store.originals, key=original_key(sha))
        await store.put_bytes(original, data, content_type=media_type)
        stored = DocumentStored(
            document_id=new_document_id(),
            tenant="default",
            matter_id=None,
            original=original,
            sha256=sha,
            size=len(data),
            media_type=media_type,
            filename=filename,
            provenance=Provenance(intake="http", uploader="test"),
            route="container",
        )
        await pipeline.expand(stored)
    finally:
        await es.close()
    return published, stored


async def test_a_mailbox_becomes_one_child_per_message(
    store: ObjectStore, settings: CommonSettings, tmp_path: Path
) -> None:
    box = build_mailbox(seed=41, threads=260)
    assert len(box.messages) >= 1000
    data = write_mbox(box, tmp_path / "custodian.mbox").read_bytes()
    published, stored = await expand(store, settings, data, "custodian.mbox", "application/mbox")

    unique = {m.raw.replace(b"\r\n", b"\n") for m in box.messages}
    requests = [e for e in published.of(OcrRequested) if isinstance(e, OcrRequested)]
    assert len(requests) == len(unique)  # a second copy is the same document
    assert {r.media_type for r in requests} == {"message/rfc822"}
    assert {r.parent_document_id for r in requests} == {stored.document_id}
    assert all(r.filename and r.filename.endswith(".eml") for r in requests)
    listing = await store.get_json(
        ObjectRef(bucket=store.derived, key=derived_key(stored.document_id, "members.json"))
    )
    assert len(listing) == len(box.messages)
    assert {row["status"] for row in listing} == {"stored", "duplicate"}
    (text,) = published.of(TextExtracted)
    assert text.document_id == stored.document_id


def _tar_with_a_link() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        link = tarfile.TarInfo("evil-link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
        for name, body in (("a.txt", b"first exhibit\n"), ("b.txt", b"second exhibit\n")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


async def test_a_bad_member_fails_alone(store: ObjectStore, settings: CommonSettings) -> None:
    published, _stored = await expand(
        store, settings, _tar_with_a_link(), "production.tar.gz", "application/gzip"
    )
    requests = [e for e in published.of(OcrRequested) if isinstance(e, OcrRequested)]
    assert sorted(r.filename or "" for r in requests) == ["a.txt", "b.txt"]
    failed = [e for e in published.of(DocumentFailed) if isinstance(e, DocumentFailed)]
    assert len(failed) == 1
    assert failed[0].filename == "evil-link"


async def test_a_bad_member_fails_with_its_reason(
    store: ObjectStore, settings: CommonSettings
) -> None:
    published, _stored = await expand(
        store, settings, _tar_with_a_link(), "production2.tar.gz", "application/gzip"
    )
    (failed,) = [e for e in published.of(DocumentFailed) if isinstance(e, DocumentFailed)]
    assert "link" in failed.reason
    assert failed.error_type == "UnsafeMember"

"""Smoke test of the local stack (deploy/local/stack.sh): real Kafka, S3 and Elasticsearch.

Needs the stack running: ``deploy/local/stack.sh start``. Run with
``uv run pytest tests/integration/test_stack_smoke.py -m integration -s`` to see the versions.
Ports and credentials follow the same environment variables as stack.sh.
"""

from __future__ import annotations

import io
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from elasticsearch import AsyncElasticsearch
from minio import Minio
from minio.commonconfig import CopySource

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK_SCRIPT = REPO_ROOT / "deploy" / "local" / "stack.sh"

KAFKA_BOOTSTRAP = f"127.0.0.1:{os.environ.get('LEXSTREAM_STACK_KAFKA_PORT', '9092')}"
ES_URL = f"http://127.0.0.1:{os.environ.get('LEXSTREAM_STACK_ES_PORT', '9200')}"
S3_ENDPOINT = f"127.0.0.1:{os.environ.get('LEXSTREAM_STACK_S3_PORT', '9000')}"
S3_ACCESS_KEY = os.environ.get("LEXSTREAM_S3_ACCESS_KEY", "lexstream")
S3_SECRET_KEY = os.environ.get("LEXSTREAM_S3_SECRET_KEY", "lexstream-secret")
S3_REGION = os.environ.get("LEXSTREAM_S3_REGION", "us-east-1")


def _report(line: str) -> None:
    """Shown with ``pytest -s``: which server versions the smoke test talked to."""
    print(f"\n{line}")  # noqa: T201 - deliberate test output, not library logging


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def stack_versions() -> dict[str, str]:
    """What stack.sh says it runs, e.g. {"kafka": "4.1.1", "s3": "s3proxy 4.1.0", ...}."""
    line = subprocess.run(
        [str(STACK_SCRIPT), "versions"], check=True, capture_output=True, text=True
    ).stdout.strip()
    head, _, s3 = line.partition(" s3=")
    versions = dict(item.split("=", 1) for item in head.split())
    versions["s3"] = s3
    _report(f"stack.sh versions: {versions}")
    return versions


# ---- Kafka ------------------------------------------------------------------------------


async def test_kafka_produce_and_consume_one_message(stack_versions: dict[str, str]) -> None:
    topic = _unique("lexstream.smoke.test")
    key = uuid.uuid4().hex.encode()
    producer = AIOKafkaProducer(bootstrap_servers=KAFKA_BOOTSTRAP, acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            topic, b'{"hello": "kafka"}', key=key, headers=[("traceparent", b"00-abc-def-01")]
        )
        _report(f"kafka {stack_versions['kafka']} at {KAFKA_BOOTSTRAP}: wrote {sent}")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=KAFKA_BOOTSTRAP,
        group_id=_unique("smoke"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        message = await consumer.getone()
        await consumer.commit()
    finally:
        await consumer.stop()

    assert message.topic == topic
    assert message.key == key
    assert message.value == b'{"hello": "kafka"}'
    assert list(message.headers) == [("traceparent", b"00-abc-def-01")]
    # Auto topic creation with the broker's default of 3 partitions.
    assert sent.partition in range(3)


# ---- S3 ---------------------------------------------------------------------------------


@pytest.fixture
def s3_bucket() -> Iterator[tuple[Minio, str]]:
    client = Minio(
        S3_ENDPOINT,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        secure=False,
        region=S3_REGION,
    )
    bucket = _unique("smoke")
    client.make_bucket(bucket)
    try:
        yield client, bucket
    finally:
        for obj in client.list_objects(bucket, recursive=True):
            assert obj.object_name is not None
            client.remove_object(bucket, obj.object_name)
        client.remove_bucket(bucket)


def test_s3_put_get_copy_multipart_and_presign(
    s3_bucket: tuple[Minio, str], stack_versions: dict[str, str]
) -> None:
    client, bucket = s3_bucket
    _report(f"s3: {stack_versions['s3']} at {S3_ENDPOINT}")
    body = b"%PDF-1.4 smoke test original\n" * 100
    client.put_object(
        bucket,
        "originals/small.pdf",
        io.BytesIO(body),
        len(body),
        content_type="application/pdf",
        metadata={"media-type": "application/pdf"},
    )

    response = client.get_object(bucket, "originals/small.pdf")
    try:
        assert response.read() == body
    finally:
        response.close()
        response.release_conn()

    # HEAD keeps the content type and the user metadata; a server-side copy keeps both too.
    stat = client.stat_object(bucket, "originals/small.pdf")
    assert stat.size == len(body)
    assert stat.content_type == "application/pdf"
    assert stat.metadata is not None
    assert stat.metadata["x-amz-meta-media-type"] == "application/pdf"
    client.copy_object(bucket, "copies/small.pdf", CopySource(bucket, "originals/small.pdf"))
    copied = client.stat_object(bucket, "copies/small.pdf")
    assert copied.size == len(body)
    assert copied.metadata is not None
    assert copied.metadata["x-amz-meta-media-type"] == "application/pdf"

    # Above the part size, minio-py uploads in parts (multipart upload).
    large = os.urandom(11 * 1024 * 1024)
    result = client.put_object(
        bucket, "originals/large.bin", io.BytesIO(large), len(large), part_size=5 * 1024 * 1024
    )
    assert result.etag is not None
    assert result.etag.endswith("-3")

    url = client.presigned_get_object(bucket, "originals/large.bin", expires=timedelta(minutes=5))
    fetched = httpx.get(url, timeout=30)
    assert fetched.status_code == 200
    assert fetched.content == large
    tampered = httpx.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), timeout=30)
    assert tampered.status_code == 403


# ---- Elasticsearch ----------------------------------------------------------------------


@pytest.fixture
async def es() -> AsyncIterator[AsyncElasticsearch]:
    client = AsyncElasticsearch(ES_URL, request_timeout=30)
    try:
        yield client
    finally:
        await client.close()


async def test_elasticsearch_french_analyzer_index_and_search(
    es: AsyncElasticsearch, stack_versions: dict[str, str]
) -> None:
    info = await es.info()
    version = info["version"]
    _report(f"elasticsearch {version['number']} (lucene {version['lucene_version']}) at {ES_URL}")
    assert info["version"]["number"] == stack_versions["elasticsearch"]
    assert await es.ping()

    index = _unique("smoke-documents")
    await es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={
            "properties": {
                "content": {
                    "type": "text",
                    "fields": {
                        lang: {"type": "text", "analyzer": analyzer}
                        for lang, analyzer in {
                            "en": "english",
                            "fr": "french",
                            "de": "german",
                            "es": "spanish",
                            "it": "italian",
                            "nl": "dutch",
                            "pt": "portuguese",
                        }.items()
                    },
                }
            }
        },
    )
    try:
        analyzed = await es.indices.analyze(
            index=index, analyzer="french", text="L'arrêt des juridictions administratives"
        )
        tokens = [token["token"] for token in analyzed["tokens"]]
        assert tokens == ["aret", "juridiction", "administratif"]

        await es.index(
            index=index,
            id="doc-1",
            document={"content": "Les arrêts rendus par les juridictions administratives"},
            refresh="wait_for",
        )
        # Singular, no accent: only the stemmed French sub-field can match the plural text.
        hits = await es.search(index=index, query={"match": {"content.fr": "arret juridiction"}})
        assert [hit["_id"] for hit in hits["hits"]["hits"]] == ["doc-1"]
        plain = await es.search(index=index, query={"match": {"content": "arret"}})
        assert plain["hits"]["hits"] == []
    finally:
        await es.indices.delete(index=index)

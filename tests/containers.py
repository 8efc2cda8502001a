"""Kafka, Elasticsearch and MinIO from testcontainers, for machines where a Docker engine answers.

``make test`` runs against the local stack (``deploy/local/stack.sh``: real servers started as
processes, no Docker needed). ``make test-containers`` (``LEXSTREAM_TEST_SERVERS=containers``)
starts these pinned images instead, for the session, and points every ``LEXSTREAM_*`` server
setting at them before any test or service reads its settings; the e2e services inherit them.
Without a Docker engine that mode stops at once with a usage error, never falling back silently.

The reliability suite always runs its own private stack with ``stack.sh`` (its fault tests
stop and start the server processes).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack

#: pinned images (the local stack runs Kafka 4.1.1, Elasticsearch 8.19.4 and S3Proxy)
KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.0"  # Apache Kafka 3.9, KRaft
ELASTICSEARCH_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:8.19.4"
MINIO_IMAGE = "minio/minio:RELEASE.2022-12-02T19-19-22Z"

MODE_VARIABLE = "LEXSTREAM_TEST_SERVERS"


def containers_requested() -> bool:
    return os.environ.get(MODE_VARIABLE, "local").strip().lower() == "containers"


def docker_engine_answers() -> bool:
    """Whether a Docker engine answers a ping (the ``docker`` client alone is not enough)."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def server_environment(
    kafka_bootstrap: str, elasticsearch_url: str, s3_endpoint: str, s3_key: str, s3_secret: str
) -> dict[str, str]:
    """The ``LEXSTREAM_*`` settings that point every component at the given servers."""
    return {
        "LEXSTREAM_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "LEXSTREAM_ELASTICSEARCH_URL": elasticsearch_url,
        "LEXSTREAM_S3_ENDPOINT": s3_endpoint,
        "LEXSTREAM_S3_ACCESS_KEY": s3_key,
        "LEXSTREAM_S3_SECRET_KEY": s3_secret,
        "LEXSTREAM_S3_SECURE": "false",
    }


def start_containers() -> tuple[dict[str, str], Callable[[], None]]:
    """Start the three servers; (their settings, a function that stops them)."""
    from testcontainers.community.elasticsearch import ElasticSearchContainer
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.minio import MinioContainer

    stack = ExitStack()
    try:
        kafka = stack.enter_context(KafkaContainer(KAFKA_IMAGE).with_kraft())
        elasticsearch = stack.enter_context(
            ElasticSearchContainer(ELASTICSEARCH_IMAGE, mem_limit="2G").with_env(
                "ES_JAVA_OPTS", "-Xms1g -Xmx1g"
            )
        )
        minio = stack.enter_context(MinioContainer(MINIO_IMAGE))
        es_host = elasticsearch.get_container_host_ip()
        es_port = elasticsearch.get_exposed_port(elasticsearch.port)
        s3 = minio.get_config()
        environment = server_environment(
            kafka.get_bootstrap_server(),
            f"http://{es_host}:{es_port}",
            s3["endpoint"],
            s3["access_key"],
            s3["secret_key"],
        )
    except BaseException:
        stack.close()
        raise
    return environment, stack.close

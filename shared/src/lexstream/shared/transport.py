"""Transport security: TLS and credentials of every client lexstream makes, from the settings.

One place turns the ``LEXSTREAM_KAFKA_*``, ``LEXSTREAM_ELASTICSEARCH_*`` and
``LEXSTREAM_S3_*`` security settings into client arguments, so the FastStream broker, the
plain aiokafka clients (topic creation, DLQ replay), the Elasticsearch client and the S3
client cannot drift apart. What production requires is checked by
:class:`~lexstream.shared.settings.CommonSettings`; docs/security.md describes deployment.
"""

from __future__ import annotations

import ssl
from datetime import timedelta
from typing import Any

import urllib3
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from lexstream.shared.settings import CommonSettings

_SASL_SECURITY: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
    "PLAIN": SASLPlaintext,
    "SCRAM-SHA-256": SASLScram256,
    "SCRAM-SHA-512": SASLScram512,
}


def kafka_ssl_context(settings: CommonSettings) -> ssl.SSLContext | None:
    """The TLS context for SSL and SASL_SSL: the broker's certificate and host name verified.

    With a client certificate configured, it is presented for mutual TLS.
    """
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    cafile = str(settings.kafka_ssl_ca_file) if settings.kafka_ssl_ca_file else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if settings.kafka_ssl_cert_file is not None:
        password = settings.kafka_ssl_key_password
        context.load_cert_chain(
            str(settings.kafka_ssl_cert_file),
            str(settings.kafka_ssl_key_file) if settings.kafka_ssl_key_file else None,
            password.get_secret_value() if password else None,
        )
    return context


def kafka_security(settings: CommonSettings) -> BaseSecurity | None:
    """FastStream's security object for :class:`~faststream.kafka.KafkaBroker`."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = kafka_ssl_context(settings)
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    username, password = _sasl_credentials(settings)
    return _SASL_SECURITY[settings.kafka_sasl_mechanism](
        username, password, ssl_context=context, use_ssl=protocol == "SASL_SSL"
    )


def kafka_client_options(settings: CommonSettings) -> dict[str, Any]:
    """Keyword arguments for every plain aiokafka client (producer, consumer, admin)."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": protocol,
    }
    context = kafka_ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if protocol.startswith("SASL_"):
        username, password = _sasl_credentials(settings)
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": username,
            "sasl_plain_password": password,
        }
    return options


def _sasl_credentials(settings: CommonSettings) -> tuple[str, str]:
    # The settings validator already refuses SASL without both; this keeps mypy honest.
    if not settings.kafka_sasl_username or settings.kafka_sasl_password is None:
        raise ValueError("SASL needs LEXSTREAM_KAFKA_SASL_USERNAME and _PASSWORD")
    return settings.kafka_sasl_username, settings.kafka_sasl_password.get_secret_value()


def elasticsearch_client_options(settings: CommonSettings) -> dict[str, Any]:
    """Credentials and TLS arguments for :class:`~elasticsearch.AsyncElasticsearch`."""
    options: dict[str, Any] = {}
    if settings.elasticsearch_api_key is not None:
        options["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    elif settings.elasticsearch_username and settings.elasticsearch_password is not None:
        options["basic_auth"] = (
            settings.elasticsearch_username,
            settings.elasticsearch_password.get_secret_value(),
        )
    if settings.elasticsearch_url.startswith("https://"):
        options["verify_certs"] = settings.elasticsearch_verify_certs
        if settings.elasticsearch_ca_file is not None:
            options["ca_certs"] = str(settings.elasticsearch_ca_file)
    return options


def s3_http_client(settings: CommonSettings) -> urllib3.PoolManager | None:
    """The S3 client's connection pool when a private CA is configured, else minio's default.

    Same timeouts and retries as minio's own pool; only the CA bundle differs.
    """
    if settings.s3_ca_file is None:
        return None
    timeout = timedelta(minutes=5).seconds
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=str(settings.s3_ca_file),
        retries=urllib3.Retry(total=5, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )

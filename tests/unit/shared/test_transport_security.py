"""Transport security without a server: what the settings accept and what the clients get.

The settings refuse an insecure production configuration, naming the setting and never a
secret; the Kafka, Elasticsearch and S3 client factories pass the TLS context and the
credentials on; worker ports answer health only. The secured Kafka listener itself is tested
in tests/integration/test_kafka_sasl_tls.py.
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import ValidationError

from lexstream.shared.kafka import make_broker
from lexstream.shared.search import make_search_client
from lexstream.shared.settings import LOCAL_KAFKA_SASL_PASSWORD, CommonSettings
from lexstream.shared.storage import ObjectStore
from lexstream.shared.telemetry import setup_telemetry
from lexstream.shared.transport import (
    elasticsearch_client_options,
    kafka_client_options,
    kafka_security,
    kafka_ssl_context,
)
from lexstream.shared.worker import create_worker_app

SASL_PASSWORD = "a-long-sasl-password-from-the-vault"
ES_PASSWORD = "an-elasticsearch-password-from-the-vault"


def _write_certificate(
    directory: Path, name: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None
) -> tuple[x509.Name, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = issuer or (subject, key)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    (directory / f"{name}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / f"{name}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return subject, key


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA (``ca.pem``) and a client certificate it signed (``client.pem``/``client.key``)."""
    directory = tmp_path_factory.mktemp("pki")
    ca = _write_certificate(directory, "ca", None)
    _write_certificate(directory, "client", ca)
    return directory


def production(pki: Path, **overrides: Any) -> CommonSettings:
    """A production configuration that passes; each test breaks one thing in it."""
    values: dict[str, Any] = {
        "environment": "production",
        "s3_secret_key": "an-s3-secret-from-the-vault",
        "s3_secure": True,
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_username": "lexstream-ocr",
        "kafka_sasl_password": SASL_PASSWORD,
        "kafka_ssl_ca_file": pki / "ca.pem",
        "elasticsearch_url": "https://es.internal:9200",
        "elasticsearch_username": "lexstream",
        "elasticsearch_password": ES_PASSWORD,
        "elasticsearch_ca_file": pki / "ca.pem",
    }
    values.update(overrides)
    return CommonSettings(**values)


# --- settings: production refuses insecure transport -------------------------------------


def test_a_secured_production_configuration_is_accepted(pki: Path) -> None:
    settings = production(pki)
    assert settings.kafka_security_protocol == "SASL_SSL"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"kafka_security_protocol": "PLAINTEXT"}, "LEXSTREAM_KAFKA_SECURITY_PROTOCOL"),
        (
            {
                "kafka_security_protocol": "SASL_PLAINTEXT",
            },
            "LEXSTREAM_KAFKA_SECURITY_PROTOCOL must be SASL_SSL or SSL (is SASL_PLAINTEXT)",
        ),
        ({"kafka_security_protocol": "SSL"}, "LEXSTREAM_KAFKA_SSL_CERT_FILE"),
        ({"elasticsearch_url": "http://es.internal:9200"}, "LEXSTREAM_ELASTICSEARCH_URL"),
        (
            {"elasticsearch_username": None, "elasticsearch_password": None},
            "LEXSTREAM_ELASTICSEARCH_API_KEY",
        ),
        ({"elasticsearch_verify_certs": False}, "LEXSTREAM_ELASTICSEARCH_VERIFY_CERTS"),
        ({"s3_secure": False}, "LEXSTREAM_S3_SECURE"),
    ],
)
def test_production_refuses_insecure_transport(
    pki: Path, overrides: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        production(pki, **overrides)
    message = str(refused.value)
    assert named in message
    assert SASL_PASSWORD not in message
    assert ES_PASSWORD not in message


def test_production_names_every_missing_setting_at_once(pki: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        production(
            pki,
            kafka_security_protocol="PLAINTEXT",
            elasticsearch_url="http://es:9200",
            s3_secure=False,
        )
    message = str(refused.value)
    for name in (
        "LEXSTREAM_KAFKA_SECURITY_PROTOCOL",
        "LEXSTREAM_ELASTICSEARCH_URL",
        "LEXSTREAM_S3_SECURE",
    ):
        assert name in message


def test_mutual_tls_without_sasl_is_accepted_in_production(pki: Path) -> None:
    settings = production(
        pki,
        kafka_security_protocol="SSL",
        kafka_sasl_username=None,
        kafka_sasl_password=None,
        kafka_ssl_cert_file=pki / "client.pem",
        kafka_ssl_key_file=pki / "client.key",
    )
    assert settings.kafka_security_protocol == "SSL"


def test_elasticsearch_api_key_is_enough_in_production(pki: Path) -> None:
    settings = production(
        pki,
        elasticsearch_username=None,
        elasticsearch_password=None,
        elasticsearch_api_key="VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==",
    )
    assert settings.elasticsearch_api_key is not None


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize(
    ("field", "env_name"),
    [
        ("kafka_sasl_password", "LEXSTREAM_KAFKA_SASL_PASSWORD"),
        ("elasticsearch_password", "LEXSTREAM_ELASTICSEARCH_PASSWORD"),
    ],
)
def test_placeholder_secrets_are_refused_outside_development(
    pki: Path, environment: str, field: str, env_name: str
) -> None:
    for placeholder in (LOCAL_KAFKA_SASL_PASSWORD, "changeme", "ChangeThis"):
        with pytest.raises(ValidationError, match=env_name) as refused:
            production(pki, environment=environment, **{field: placeholder})
        assert placeholder not in str(refused.value)


def test_development_keeps_the_local_defaults() -> None:
    settings = CommonSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_username="lexstream",
        kafka_sasl_password=LOCAL_KAFKA_SASL_PASSWORD,
    )
    assert settings.environment == "development"
    assert CommonSettings().kafka_security_protocol == "PLAINTEXT"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "LEXSTREAM_KAFKA_SASL_PASSWORD"),
        (
            {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "u"},
            "LEXSTREAM_KAFKA_SASL_PASSWORD",
        ),
        ({"elasticsearch_username": "lexstream"}, "LEXSTREAM_ELASTICSEARCH_PASSWORD"),
        (
            {
                "elasticsearch_username": "lexstream",
                "elasticsearch_password": ES_PASSWORD,
                "elasticsearch_api_key": "key",
            },
            "not both",
        ),
    ],
)
def test_incomplete_credentials_are_refused_in_any_environment(
    values: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationError, match=named) as refused:
        CommonSettings(**values)
    assert ES_PASSWORD not in str(refused.value)


def test_a_key_file_without_its_certificate_is_refused(pki: Path) -> None:
    with pytest.raises(ValidationError, match="LEXSTREAM_KAFKA_SSL_CERT_FILE"):
        CommonSettings(kafka_security_protocol="SSL", kafka_ssl_key_file=pki / "client.key")


def test_a_missing_ca_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kafka_ssl_ca_file"):
        CommonSettings(kafka_ssl_ca_file=tmp_path / "absent.pem")


def test_validation_errors_do_not_echo_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's finding: a rejected value was echoed into the log by the error."""
    leaked = "x-secret-value-that-must-not-be-logged"
    monkeypatch.setenv("LEXSTREAM_ENVIRONMENT", "production")
    monkeypatch.setenv("LEXSTREAM_SERVICE_NAME", leaked)  # any input: the model's own repr
    monkeypatch.setenv("LEXSTREAM_KAFKA_SASL_USERNAME", leaked)
    with pytest.raises(ValidationError) as refused:
        CommonSettings()
    # what a log shows of an uncaught settings error: its text
    assert leaked not in str(refused.value)
    assert leaked not in repr(refused.value)
    monkeypatch.setenv("LEXSTREAM_KAFKA_PARTITIONS", leaked)  # a field error, too
    with pytest.raises(ValidationError) as refused:
        CommonSettings()
    assert leaked not in str(refused.value)


# --- Kafka: the broker and the plain aiokafka clients ------------------------------------


def sasl_ssl(pki: Path, mechanism: str = "SCRAM-SHA-512", **overrides: Any) -> CommonSettings:
    values: dict[str, Any] = {
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_mechanism": mechanism,
        "kafka_sasl_username": "lexstream",
        "kafka_sasl_password": SASL_PASSWORD,
        "kafka_ssl_ca_file": pki / "ca.pem",
    }
    values.update(overrides)
    return CommonSettings(**values)


def test_plaintext_is_the_development_default() -> None:
    settings = CommonSettings()
    assert kafka_security(settings) is None
    assert kafka_ssl_context(settings) is None
    assert kafka_client_options(settings) == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "PLAINTEXT",
    }


def test_the_tls_context_verifies_the_broker_against_the_configured_ca(pki: Path) -> None:
    context = kafka_ssl_context(sasl_ssl(pki))
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    subjects = [dict(item[0] for item in ca["subject"]) for ca in context.get_ca_certs()]
    assert subjects == [{"commonName": "ca"}]


@pytest.mark.parametrize(
    ("mechanism", "security_type"),
    [
        ("SCRAM-SHA-512", SASLScram512),
        ("SCRAM-SHA-256", SASLScram256),
        ("PLAIN", SASLPlaintext),
    ],
)
def test_sasl_ssl_gives_faststream_the_mechanism_credentials_and_tls(
    pki: Path, mechanism: str, security_type: type[BaseSecurity]
) -> None:
    security = kafka_security(sasl_ssl(pki, mechanism))
    assert type(security) is security_type
    assert isinstance(security, SASLScram512 | SASLScram256 | SASLPlaintext)
    assert security.use_ssl
    assert security.ssl_context is not None
    assert (security.username, security.password) == ("lexstream", SASL_PASSWORD)


def test_aiokafka_clients_get_the_same_security(pki: Path) -> None:
    options = kafka_client_options(sasl_ssl(pki, "SCRAM-SHA-256"))
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-256"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "lexstream",
        SASL_PASSWORD,
    )
    assert isinstance(options["ssl_context"], ssl.SSLContext)


def test_sasl_plaintext_has_no_tls(pki: Path) -> None:
    settings = sasl_ssl(pki, kafka_security_protocol="SASL_PLAINTEXT")
    security = kafka_security(settings)
    assert isinstance(security, SASLScram512)
    assert not security.use_ssl
    assert security.ssl_context is None
    assert "ssl_context" not in kafka_client_options(settings)


def test_mutual_tls_presents_the_client_certificate(pki: Path) -> None:
    settings = CommonSettings(
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=pki / "ca.pem",
        kafka_ssl_cert_file=pki / "client.pem",
        kafka_ssl_key_file=pki / "client.key",
    )
    security = kafka_security(settings)
    assert type(security) is BaseSecurity
    assert security.use_ssl
    assert security.ssl_context is not None
    options = kafka_client_options(settings)
    assert options["security_protocol"] == "SSL"
    assert "sasl_mechanism" not in options
    # a key that does not belong to the certificate is refused when the context is built
    mismatched = CommonSettings(
        kafka_security_protocol="SSL",
        kafka_ssl_cert_file=pki / "client.pem",
        kafka_ssl_key_file=pki / "ca.key",
    )
    with pytest.raises(ssl.SSLError):
        kafka_ssl_context(mismatched)


def test_make_broker_connects_with_the_settings_security(pki: Path) -> None:
    broker = make_broker(
        sasl_ssl(pki),
        setup_telemetry("test", None, instrument_http=False),
        client_id="transport-test",
    )
    # FastStream keeps the aiokafka arguments it will connect with here.
    kwargs = broker._connection_kwargs
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_password"] == SASL_PASSWORD
    assert isinstance(kwargs["ssl_context"], ssl.SSLContext)


# --- Elasticsearch and S3 ----------------------------------------------------------------


def test_elasticsearch_gets_basic_auth_and_the_ca(pki: Path) -> None:
    settings = CommonSettings(
        elasticsearch_url="https://es.internal:9200",
        elasticsearch_username="lexstream",
        elasticsearch_password=ES_PASSWORD,
        elasticsearch_ca_file=pki / "ca.pem",
    )
    assert elasticsearch_client_options(settings) == {
        "basic_auth": ("lexstream", ES_PASSWORD),
        "verify_certs": True,
        "ca_certs": str(pki / "ca.pem"),
    }
    client = make_search_client(settings, max_retries=0)
    assert client._headers["authorization"].startswith("Basic ")
    node = client.transport.node_pool.all()[0]
    assert node.config.scheme == "https"
    assert node.config.ca_certs == str(pki / "ca.pem")
    assert node.config.verify_certs


def test_elasticsearch_api_key_is_sent_as_such() -> None:
    settings = CommonSettings(
        elasticsearch_url="https://es.internal:9200", elasticsearch_api_key="encoded-key"
    )
    client = make_search_client(settings)
    assert client._headers["authorization"] == "ApiKey encoded-key"


def test_local_elasticsearch_has_no_credentials() -> None:
    assert elasticsearch_client_options(CommonSettings()) == {}


def test_s3_uses_tls_and_the_configured_ca(pki: Path) -> None:
    secured = ObjectStore(CommonSettings(s3_secure=True, s3_ca_file=pki / "ca.pem"))
    assert secured.client._base_url.is_https
    pool = secured.client._http
    assert pool.connection_pool_kw["ca_certs"] == str(pki / "ca.pem")
    assert pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"
    default = ObjectStore(CommonSettings())
    assert not default.client._base_url.is_https


# --- worker ports ------------------------------------------------------------------------


def test_worker_ports_serve_health_only() -> None:
    async def ok() -> None:
        return None

    app = create_worker_app(title="ocr", broker=KafkaBroker(), checks=lambda: {"kafka": ok})
    client = TestClient(app)  # no lifespan: nothing to connect to
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404, path
    assert client.get("/health/live").status_code == 200
    assert client.get("/health/ready").json() == {"status": "ready", "checks": {"kafka": "ok"}}


def test_services_without_elasticsearch_need_no_search_credentials() -> None:
    from lexstream.gateway.settings import GatewaySettings
    from lexstream.index.settings import IndexSettings
    from lexstream.ingest.settings import IngestSettings
    from lexstream.ocr.settings import OcrSettings
    from lexstream.transcribe.settings import TranscribeSettings

    values = {
        "environment": "production",
        "s3_secret_key": "an-s3-secret-from-the-vault",
        "s3_secure": True,
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_username": "lexstream-ocr",
        "kafka_sasl_password": SASL_PASSWORD,
    }
    for without in (OcrSettings, TranscribeSettings):
        assert without(**values).elasticsearch_url.startswith("http://")
    # ingest reads the matters registry (lexstream.shared.matters)
    for needing in (IndexSettings, GatewaySettings, IngestSettings):
        with pytest.raises(ValidationError, match="LEXSTREAM_ELASTICSEARCH_URL must be https"):
            needing(**values)

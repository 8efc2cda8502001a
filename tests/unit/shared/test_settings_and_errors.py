from __future__ import annotations

import pytest
from elasticsearch import ConnectionError as ESConnectionError
from pydantic import ValidationError

from lexstream.shared.errors import PermanentError, TransientError, is_transient
from lexstream.shared.settings import CommonSettings
from lexstream.shared.storage import original_key


def test_settings_read_the_lexstream_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEXSTREAM_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("LEXSTREAM_TOPIC_PREFIX", "firm")
    settings = CommonSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.topic_prefix == "firm"


def test_local_secret_refused_outside_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEXSTREAM_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="S3_SECRET_KEY must be set"):
        CommonSettings()
    monkeypatch.setenv("LEXSTREAM_S3_SECRET_KEY", "a-real-secret-from-the-vault")
    # production also needs secured transport (tests/unit/shared/test_transport_security.py)
    for name, value in {
        "LEXSTREAM_S3_SECURE": "true",
        "LEXSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "LEXSTREAM_KAFKA_SASL_USERNAME": "lexstream",
        "LEXSTREAM_KAFKA_SASL_PASSWORD": "a-sasl-password-from-the-vault",
        "LEXSTREAM_ELASTICSEARCH_URL": "https://es:9200",
        "LEXSTREAM_ELASTICSEARCH_API_KEY": "an-api-key-from-the-vault",
    }.items():
        monkeypatch.setenv(name, value)
    assert CommonSettings().environment == "production"


def test_error_classification() -> None:
    assert is_transient(TransientError("x"))
    assert is_transient(ConnectionRefusedError())
    assert is_transient(ESConnectionError("down"))
    assert not is_transient(PermanentError("bad pdf"))
    assert not is_transient(ValueError("bug"))


def test_original_key_is_content_addressed() -> None:
    digest = "ab" + "0" * 62
    assert original_key(digest) == f"sha256/ab/{digest}"

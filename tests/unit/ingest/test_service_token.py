"""Ingest's service credential in its settings (issue 13, finding 7): the internal upload API
takes documents into any matter, so outside development ingest does not start without it. The
route's 401 is tested on the real stack (tests/integration/ingest/test_isolation.py)."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from pydantic import ValidationError

from lexstream.ingest.settings import IngestSettings


def test_finding7_ingest_refuses_to_start_without_the_token_outside_development() -> None:
    secured: dict[str, Any] = {
        "s3_secret_key": "an-s3-secret-from-the-vault",
        "s3_secure": True,
        "kafka_security_protocol": "SASL_SSL",
        "kafka_sasl_username": "lexstream-ingest",
        "kafka_sasl_password": "a-scram-password-from-the-vault",
        "elasticsearch_url": "https://es.internal:9200",
        "elasticsearch_api_key": "an-elasticsearch-api-key",
    }
    for environment in ("staging", "production"):
        for token in (None, "short", "changeme"):
            with pytest.raises(ValidationError, match="LEXSTREAM_INGEST_TOKEN must be set"):
                IngestSettings(environment=environment, ingest_token=token, **secured)
    token = secrets.token_urlsafe(32)
    assert IngestSettings(environment="production", ingest_token=token, **secured).ingest_token
    assert IngestSettings().ingest_token is None  # development: the local default

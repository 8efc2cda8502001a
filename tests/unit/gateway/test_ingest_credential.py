"""The gateway's service credential to ingest (issue 13, finding 7).

Ingest's internal upload API takes documents only with ``LEXSTREAM_INGEST_TOKEN``. The gateway
therefore refuses to start outside development without it, and when ingest refuses the
gateway's credential anyway (the two were given different tokens) the caller gets the
gateway's own 503, never ingest's 401/403, which would read as "your key is wrong". The app is
the real one (``create_app``) with ingest replaced by an ``httpx.MockTransport`` that checks
the bearer token as ingest does.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from tests.support.gateway import NoGrants

from lexstream.gateway.app import create_app
from lexstream.gateway.settings import GatewaySettings

pytestmark = pytest.mark.timeout(60)

ADMIN_KEY = "unit-admin-key-0123456789abcdef"
INGEST_TOKEN = secrets.token_urlsafe(32)
BOUNDARY = "credential-boundary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
UPLOAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    f"Content-Type: text/plain\r\n\r\nhello\r\n--{BOUNDARY}--\r\n"
).encode()
# settings that pass every other production check, so that only the token is in question
SECURED: dict[str, Any] = {
    "s3_secret_key": "an-s3-secret-from-the-vault",
    "s3_secure": True,
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_username": "lexstream-gateway",
    "kafka_sasl_password": "a-scram-password-from-the-vault",
    "elasticsearch_url": "https://es.internal:9200",
    "elasticsearch_api_key": "an-elasticsearch-api-key",
}


def test_finding7_gateway_refuses_to_start_without_the_ingest_token_outside_development() -> None:
    for environment in ("staging", "production"):
        for token in (None, "", "short-token", "changeme", "x" * 31):
            with pytest.raises(ValidationError, match="LEXSTREAM_INGEST_TOKEN must be set"):
                GatewaySettings(environment=environment, ingest_token=token, **SECURED)
    settings = GatewaySettings(environment="production", ingest_token=INGEST_TOKEN, **SECURED)
    assert settings.ingest_token is not None
    assert settings.ingest_token.get_secret_value() == INGEST_TOKEN
    assert GatewaySettings().ingest_token is None  # development: ingest needs none either


def test_finding7_the_refused_token_is_not_echoed_in_the_error() -> None:
    weak = "weak-but-secret-token"
    with pytest.raises(ValidationError) as refused:
        GatewaySettings(environment="production", ingest_token=weak, **SECURED)
    assert weak not in str(refused.value)


@pytest.fixture
def app() -> FastAPI:
    app = create_app(GatewaySettings(bootstrap_admin_key=ADMIN_KEY, otlp_endpoint=None))
    # a unit test: the matter grants without Elasticsearch (it passed only where `make up`
    # had created the default indices, and answered 503 on a clean machine)
    app.state.matters = NoGrants()
    return app


def ingest_checking_token(app: FastAPI, sent_token: str, refusal: int = 401) -> list[str]:
    """Ingest replaced by one that wants ``INGEST_TOKEN`` and answers ``refusal`` otherwise
    (with its own body and challenge, which must not reach the caller); the gateway's client
    sends ``sent_token``. Returns the Authorization headers ingest saw."""
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        seen.append(request.headers.get("authorization", ""))
        if request.headers.get("authorization") != f"Bearer {INGEST_TOKEN}":
            return httpx.Response(
                refusal,
                json={"detail": "the internal API needs the service token"},
                headers={"WWW-Authenticate": "Bearer"},
            )
        return httpx.Response(202, json={"document_id": "doc-1", "status": "stored"})

    app.state.gateway.ingest = httpx.AsyncClient(
        transport=httpx.MockTransport(handler),
        base_url="http://ingest",
        headers={"Authorization": f"Bearer {sent_token}"},
    )
    return seen


async def upload(app: FastAPI) -> httpx.Response:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://gateway",
        headers={"X-API-Key": ADMIN_KEY},
    ) as admin:
        return await admin.post("/v1/documents", content=UPLOAD, headers=MULTIPART)


@pytest.mark.parametrize("refusal", [401, 403])
async def test_finding7_ingest_refusing_the_gateways_credential_is_the_gateways_503(
    app: FastAPI, refusal: int, caplog: pytest.LogCaptureFixture
) -> None:
    seen = ingest_checking_token(app, "a-token-ingest-was-not-given", refusal)
    with caplog.at_level(logging.INFO):
        answer = await upload(app)
    assert seen == ["Bearer a-token-ingest-was-not-given"]
    assert answer.status_code == 503
    assert answer.json() == {"detail": "the document service refused the gateway's credential"}
    assert answer.headers["retry-after"].isdigit()
    assert "www-authenticate" not in answer.headers  # ingest's challenge is not the caller's
    assert "service token" not in answer.text
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == ["ingest refused the gateway's credential"]
    assert errors[0].__dict__["ingest_status"] == refusal


async def test_finding7_with_the_right_token_the_upload_goes_through(app: FastAPI) -> None:
    seen = ingest_checking_token(app, INGEST_TOKEN)
    answer = await upload(app)
    assert seen == [f"Bearer {INGEST_TOKEN}"]
    assert answer.status_code == 202, answer.text
    assert answer.json()["document_id"] == "doc-1"

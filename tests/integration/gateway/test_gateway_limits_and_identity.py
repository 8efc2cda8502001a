"""The gateway in-process against the real Elasticsearch, S3 and Kafka: identity and limits."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from tests.support.gateway import gateway_client, gateway_settings
from tests.support.jwks import serving_json

from lexstream.gateway.app import create_app
from lexstream.shared.settings import CommonSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ISSUER = "https://idp.lexstream.test"


@pytest.fixture(scope="module")
def issuer() -> Iterator[dict[str, Any]]:
    """An OIDC issuer's JWKS on loopback, with the private key to sign tokens."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": "k1"}
    body = json.dumps({"keys": [jwk]}).encode()

    with serving_json(body) as base:
        yield {"key": key, "jwks_url": f"{base}/jwks.json"}


@pytest.fixture
async def gateway(settings: CommonSettings, issuer: dict[str, Any]) -> AsyncIterator[FastAPI]:
    app = create_app(
        gateway_settings(
            settings,
            oidc_issuer=ISSUER,
            oidc_audience="lexstream",
            oidc_jwks_url=issuer["jwks_url"],
            rate_limit_per_s=2.0,
            rate_limit_burst=5,
            max_json_bytes=1024,
            max_upload_bytes=10_000,
        )
    )
    async with app.router.lifespan_context(app):
        yield app


def _token(issuer: dict[str, Any], subject: str, **claims: Any) -> str:
    now = int(time.time())
    return jwt.encode(
        {"iss": ISSUER, "aud": "lexstream", "sub": subject, "exp": now + 300, **claims},
        issuer["key"],
        algorithm="RS256",
        headers={"kid": "k1"},
    )


async def test_bearer_tokens_get_the_grants_of_their_subject(
    gateway: FastAPI, issuer: dict[str, Any]
) -> None:
    subject = f"oidc-user-{time.time_ns()}"
    async with gateway_client(gateway) as admin, gateway_client(gateway, None) as user:
        matter = f"OIDC-{time.time_ns()}"
        assert (await admin.post("/v1/matters", json={"matter_id": matter, "name": "m"})).is_success
        bearer = {"Authorization": f"Bearer {_token(issuer, subject)}"}
        me = (await user.get("/v1/me", headers=bearer)).json()
        assert me["subject"] == subject
        assert me["matters"] == {}
        assert not me["is_admin"]
        put = await admin.put(f"/v1/matters/{matter}/members/{subject}", json={"role": "viewer"})
        assert put.status_code == 200
        me = (await user.get("/v1/me", headers=bearer)).json()
        assert me["matters"] == {matter: "viewer"}
        wrong_audience = _token(issuer, subject, aud="another-app")
        refused = await user.get("/v1/me", headers={"Authorization": f"Bearer {wrong_audience}"})
        assert refused.status_code == 401
        assert "udience" in refused.json()["detail"]


async def test_rate_limit_answers_429_with_retry_after(gateway: FastAPI) -> None:
    async with gateway_client(gateway) as admin:
        codes = [(await admin.get("/v1/me")) for _ in range(12)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited, [r.status_code for r in codes]
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert "rate limit" in limited[0].json()["detail"]


async def test_request_size_limits_and_media_types(gateway: FastAPI) -> None:
    async with gateway_client(gateway) as admin:
        big_json = await admin.post("/v1/matters", json={"name": "x" * 5000})
        assert big_json.status_code == 413
        assert "larger than" in big_json.json()["detail"]
        not_multipart = await admin.post("/v1/documents", json={"file": "x"})
        assert not_multipart.status_code == 415
        assert "multipart" in not_multipart.json()["detail"]
        too_big = await admin.post(
            "/v1/documents", files={"file": ("big.pdf", b"x" * 20_000, "application/pdf")}
        )
        assert too_big.status_code == 413
        assert "larger than" in too_big.json()["detail"]
        no_file = await admin.post("/v1/documents", data={"source": "x"}, files={"other": b""})
        assert no_file.status_code == 400
        bad_query = await admin.get("/v1/search", params={"date_from": "yesterday"})
        assert bad_query.status_code == 400
        assert "date_from" in bad_query.json()["detail"]
        bad_cursor = await admin.get("/v1/search", params={"search_after": "not-a-cursor"})
        assert bad_cursor.status_code == 400


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a hung dependency)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


@pytest.mark.usefixtures("gateway")
async def test_a_hung_elasticsearch_gives_a_timely_error_not_a_hang(
    settings: CommonSettings, silent_server: int
) -> None:
    # the gateway under test: the real indices exist (made by the `gateway` fixture), but its
    # search client points at a server that never answers
    app = create_app(
        gateway_settings(
            settings, elasticsearch_url=f"http://127.0.0.1:{silent_server}", search_timeout_s=1
        )
    )
    async with gateway_client(app) as admin:
        response = await admin.get("/v1/search", params={"q": "x"})
    assert response.status_code in (503, 504), response.text
    assert response.headers.get("Retry-After")


async def test_fields_after_the_file_are_still_read(gateway: FastAPI) -> None:
    """The README's `curl -F file=@x -F matter_id=M` order: the matter is checked."""
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nhello\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="matter_id"\r\n\r\n'
        f"NO-SUCH-MATTER-{time.time_ns()}\r\n--{boundary}--\r\n"
    ).encode()
    async with gateway_client(gateway) as admin:
        response = await admin.post(
            "/v1/documents",
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    assert response.status_code == 404
    assert "matter" in response.json()["detail"]

"""A gateway with bearer tokens from a local issuer, and the pipeline behind it.

The services run as processes against the shared local stack, with a prefix of their own and
ports 26080+ (away from the e2e suite's); the gateway trusts an OIDC issuer served here (a
JWKS on loopback, an RSA key made for the session).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import wait_terminal
from tests.reliability.stack import Services, new_prefix, prefix_env

PORT_BASE = int(os.environ.get("LEXSTREAM_SECURITY_PORT_BASE", "26080"))
PORTS = {
    "index": ("LEXSTREAM_HEALTH_PORT", PORT_BASE + 13),
    "ocr": ("LEXSTREAM_HEALTH_PORT", PORT_BASE + 11),
    "ingest": ("LEXSTREAM_HTTP_PORT", PORT_BASE + 1),
    "gateway": ("LEXSTREAM_HTTP_PORT", PORT_BASE),
}
AUDIENCE = "lexstream-api"
KID = "security-test-key"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Issuer:
    url: str
    private_key: rsa.RSAPrivateKey

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def claims(self, subject: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": subject,
            "iat": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, subject: str, **overrides: Any) -> str:
        return jwt.encode(
            self.claims(subject, **overrides),
            self.private_key,
            algorithm="RS256",
            headers={"kid": KID},
        )


@pytest.fixture(scope="session")
def issuer() -> Iterator[Issuer]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = key.public_key().public_numbers()
    jwks = {
        "keys": [
            {
                "kty": "RSA",
                "kid": KID,
                "use": "sig",
                "alg": "RS256",
                "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes(3, "big")),
            }
        ]
    }
    body = json.dumps(jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path.endswith("jwks.json") else 404)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Issuer(f"http://127.0.0.1:{server.server_address[1]}", key)
    finally:
        server.shutdown()


@dataclass
class SecureSystem:
    services: Services
    prefix: str
    issuer: Issuer

    @property
    def url(self) -> str:
        return self.services.gateway_url

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"X-API-Key": self.services.admin_key}, timeout=60
        )

    def bearer(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def wait_terminal(
        self, client: httpx.Client, document_id: str, timeout_s: float = 240
    ) -> dict[str, Any]:
        return wait_terminal(client, document_id, timeout_s, poll_s=0.5)


@pytest.fixture(scope="session")
def secure_system(
    issuer: Issuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SecureSystem]:
    prefix = new_prefix()
    logs = tmp_path_factory.mktemp("security-logs")
    services = Services(
        env=prefix_env(prefix),
        logs=Path(logs),
        admin_key=secrets.token_urlsafe(24),
        ports=dict(PORTS),
        names=tuple(PORTS),
        extra_env={
            "gateway": {
                "LEXSTREAM_OIDC_ISSUER": issuer.url,
                "LEXSTREAM_OIDC_AUDIENCE": AUDIENCE,
                "LEXSTREAM_OIDC_LEEWAY_S": "5",
                "LEXSTREAM_PRESIGN_EXPIRY_S": "10",
                "LEXSTREAM_AUTH_CACHE_TTL_S": "0",
            }
        },
    )
    try:
        services.start_all()
        yield SecureSystem(services, prefix, issuer)
    finally:
        services.stop_all()

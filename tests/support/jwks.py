"""A fake identity provider: an RSA key, its JWKS served on loopback, and tokens it signs.

:func:`serving_json` serves any JSON document (an issuer's JWKS) for the duration of a
``with``; :func:`local_issuer` makes a key, serves its JWKS at every path (so both
``<issuer>/.well-known/jwks.json`` and an explicit JWKS URL work) and yields an
:class:`Issuer` that signs tokens for it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCE = "lexstream-api"
KID = "test-key"


def b64url(data: bytes) -> str:
    """Unpadded base64url, as JOSE writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@contextmanager
def serving_json(body: bytes) -> Iterator[str]:
    """Serve ``body`` as application/json at every path; yields ``http://127.0.0.1:<port>``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def rsa_jwk(key: rsa.RSAPrivateKey, kid: str = KID) -> dict[str, Any]:
    """The public half of ``key`` as a JWK for RS256 signatures."""
    jwk: dict[str, Any] = dict(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def jwks_body(*jwks: dict[str, Any]) -> bytes:
    return json.dumps({"keys": list(jwks)}).encode()


@dataclass
class Issuer:
    """An OIDC issuer at ``url`` whose JWKS holds the public half of ``private_key``."""

    url: str
    private_key: rsa.RSAPrivateKey
    audience: str = AUDIENCE
    kid: str = KID

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/.well-known/jwks.json"

    @property
    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def claims(self, subject: str, **overrides: Any) -> dict[str, Any]:
        """Valid claims for ``subject``; an override of None removes that claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": self.audience,
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
            headers={"kid": self.kid},
        )


@contextmanager
def local_issuer(audience: str = AUDIENCE, kid: str = KID) -> Iterator[Issuer]:
    """A fresh RSA key and its JWKS on loopback, for the duration of the ``with``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with serving_json(jwks_body(rsa_jwk(key, kid))) as url:
        yield Issuer(url, key, audience, kid)

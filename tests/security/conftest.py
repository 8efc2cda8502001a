"""A gateway with bearer tokens from a local issuer, and the pipeline behind it.

The services run as processes against the shared local stack (tests/support/launcher.py),
with a prefix of their own and ports 26080+ (away from the e2e suite's); the gateway trusts
an OIDC issuer served here (tests/support/jwks.py: a JWKS on loopback, an RSA key made for
the session).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.jwks import AUDIENCE, Issuer, local_issuer
from tests.support.launcher import Services, new_prefix, prefix_env, service_ports
from tests.support.wait import wait_terminal

PORT_BASE = int(os.environ.get("LEXSTREAM_SECURITY_PORT_BASE", "26080"))
PORTS = service_ports(PORT_BASE, ("index", "ocr", "ingest", "gateway"))


@pytest.fixture(scope="session")
def issuer() -> Iterator[Issuer]:
    with local_issuer(AUDIENCE) as made:
        yield made


@dataclass
class SecureSystem:
    services: Services
    prefix: str
    issuer: Issuer

    @property
    def url(self) -> str:
        return self.services.gateway_url

    def admin(self) -> httpx.Client:
        return self.services.admin_client()

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
    services = Services(
        env=prefix_env(prefix),
        logs=Path(tmp_path_factory.mktemp("security-logs")),
        ports=dict(PORTS),
        extra_env={
            "gateway": {
                "LEXSTREAM_OIDC_ISSUER": issuer.url,
                "LEXSTREAM_OIDC_AUDIENCE": issuer.audience,
                "LEXSTREAM_OIDC_LEEWAY_S": "5",
                "LEXSTREAM_PRESIGN_EXPIRY_S": "10",
                "LEXSTREAM_AUTH_CACHE_TTL_S": "0",
                # the suite sends hundreds of deliberately bad credentials, all from
                # 127.0.0.1; the per-address limit on failed logins has its own test
                # (tests/integration/gateway/test_query_cost.py)
                "LEXSTREAM_AUTH_FAILURE_BURST": "100000",
            }
        },
    )
    with services.running():
        yield SecureSystem(services, prefix, issuer)

"""Security review, as tests: authentication on every route, bearer tokens that must be
refused, matter isolation for token users, presigned URLs that expire, hostile filenames and
metadata, and no secret or document content in the logs of a run."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from fastapi.routing import APIRoute

from lexstream.gateway.app import create_app
from lexstream.gateway.settings import GatewaySettings
from tests.reliability.corpus import text_pdf
from tests.security.conftest import SecureSystem
from tests.support.jwks import KID, b64url
from tests.support.wait import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.security, pytest.mark.timeout(600)]

PUBLIC = {"/", "/ui/{name}", "/health/live", "/health/ready"}
SECRET_WORD = f"pangolinsecret{secrets.token_hex(4)}"


def _routes() -> list[tuple[str, str]]:
    """Every route of the gateway app: the OpenAPI paths plus those kept out of the schema."""
    app = create_app(GatewaySettings())
    found = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    }
    found |= {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods
        if method != "HEAD"
    }
    return sorted(found)


def _fill(path: str) -> str:
    values = {
        "document_id": "01900000-0000-7000-8000-000000000000",
        "matter_id": "M-1",
        "subject": "someone",
        "key_id": "k1",
        "name": "app.js",
    }
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


def test_every_route_requires_authentication(secure_system: SecureSystem) -> None:
    routes = _routes()
    assert len(routes) > 15
    checked = []
    with httpx.Client(base_url=secure_system.url, timeout=30) as anonymous:
        for method, path in routes:
            if path in PUBLIC:
                continue
            url = _fill(path)
            for headers in (
                {},
                {"X-API-Key": "not-a-key-" + "x" * 20},
                {"Authorization": "Bearer x.y.z"},
            ):
                response = anonymous.request(method, url, headers=headers, json={})
                assert response.status_code == 401, (method, path, headers, response.text)
                assert "www-authenticate" in response.headers
            checked.append((method, path))
    assert any(p == "/v1/search" for _, p in checked)
    assert any(p.startswith("/v1/documents/") for _, p in checked)


def _unsigned(header: dict[str, str], claims: dict[str, object], key: bytes | None) -> str:
    head = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(claims).encode())
    signing_input = f"{head}.{body}".encode()
    signature = b64url(hmac.new(key, signing_input, hashlib.sha256).digest()) if key else ""
    return f"{head}.{body}.{signature}"


def test_bearer_tokens_wrong_issuer_audience_algorithm_or_expiry_are_refused(
    secure_system: SecureSystem,
) -> None:
    issuer = secure_system.issuer
    with secure_system.bearer(issuer.token("tess")) as good:
        response = good.get("/v1/me")
        assert response.status_code == 200, response.text
        assert response.json()["subject"] == "tess"
    now = int(time.time())
    bad = {
        "wrong issuer": issuer.token("tess", iss="https://evil.example"),
        "wrong audience": issuer.token("tess", aud="some-other-api"),
        "expired": issuer.token("tess", iat=now - 7200, exp=now - 3600),
        "no expiry": issuer.token("tess", exp=None),
        "not yet valid": issuer.token("tess", nbf=now + 3600),
        "alg none": _unsigned(
            {"alg": "none", "typ": "JWT", "kid": KID}, issuer.claims("tess"), None
        ),
        "HS256 with the public key": _unsigned(
            {"alg": "HS256", "typ": "JWT", "kid": KID}, issuer.claims("tess"), issuer.public_pem
        ),
        "signature of another key": _resigned(issuer.token("tess")),
        "garbage": "eyJhbGciOi.not-a-token",
    }
    for label, token in bad.items():
        with secure_system.bearer(token) as client:
            response = client.get("/v1/me")
            assert response.status_code == 401, (label, response.text)
            search = client.get("/v1/search", params={"q": "anything"})
            assert search.status_code == 401, label


def _resigned(token: str) -> str:
    head, body, _ = token.split(".")
    return f"{head}.{body}.{b64url(secrets.token_bytes(256))}"


@dataclass
class Matters:
    a: str
    b: str
    doc_a: str
    doc_b: str
    token_a: str


@pytest.fixture(scope="module")
def matters(secure_system: SecureSystem) -> Matters:
    run = secrets.token_hex(3)
    a, b = f"SA-{run}", f"SB-{run}"
    with secure_system.admin() as admin:
        for matter in (a, b):
            response = admin.post("/v1/matters", json={"matter_id": matter, "name": matter})
            assert response.status_code == 201, response.text
        response = admin.put(f"/v1/matters/{a}/members/tess-{run}", json={"role": "editor"})
        assert response.status_code == 200, response.text
        ids = {}
        for matter in (a, b):
            data = text_pdf([f"Matter {matter} privileged memo", SECRET_WORD, f"wallaby{run}"])
            response = admin.post(
                "/v1/documents",
                data={"matter_id": matter},
                files={"file": (f"memo-{matter}.pdf", data, "application/pdf")},
            )
            assert response.status_code == 202, response.text
            ids[matter] = response.json()["document_id"]
        for document_id in ids.values():
            assert secure_system.wait_terminal(admin, document_id)["status"] == "indexed"
    return Matters(a, b, ids[a], ids[b], secure_system.issuer.token(f"tess-{run}"))


def test_token_user_sees_only_their_matter_on_every_read_path(
    secure_system: SecureSystem, matters: Matters
) -> None:
    with secure_system.bearer(matters.token_a) as tess:
        hits = tess.get("/v1/search", params={"q": SECRET_WORD, "size": 50}).json()["hits"]
        assert {h["document_id"] for h in hits} == {matters.doc_a}
        assert tess.get("/v1/search", params={"matter_id": matters.b}).json()["total"] == 0
        # What the caller gets for their own (indexed, text-only PDF) document on each path:
        # the same path for the other matter's document must be a plain 404.
        own_status = {
            "": 200,
            "/text": 200,
            "/transcript": 404,  # a PDF has no transcript: "no transcript", not "no document"
            "/transcript?format=vtt": 404,
            "/original": 307,
            "/original?redirect=false": 200,
            "/children": 200,
            "/similar": 200,
        }
        for path, expected in own_status.items():
            own = tess.get(f"/v1/documents/{matters.doc_a}{path}", follow_redirects=False)
            other = tess.get(f"/v1/documents/{matters.doc_b}{path}", follow_redirects=False)
            assert other.status_code == 404, (path, other.status_code, other.text)
            assert matters.doc_b not in other.text
            assert own.status_code == expected, (path, own.status_code, own.text)
            if expected == 404:
                assert "no transcript" in own.text, (path, own.text)
        # matter B, where tess has no role, answers as if it did not exist (authz table)
        assert tess.get(f"/v1/matters/{matters.b}").status_code == 404
        moved = tess.patch(f"/v1/documents/{matters.doc_b}", json={"matter_id": matters.a})
        assert moved.status_code == 404
        upload = tess.post(
            "/v1/documents",
            data={"matter_id": matters.b},
            files={"file": ("x.pdf", text_pdf(["x"]), "application/pdf")},
        )
        assert upload.status_code == 404
        assert tess.get("/v1/apikeys").status_code == 403
        assert tess.get("/v1/audit").status_code == 403


def test_presigned_urls_expire(secure_system: SecureSystem, matters: Matters) -> None:
    with secure_system.admin() as admin:
        answer = admin.get(f"/v1/documents/{matters.doc_a}/original?redirect=false").json()
    assert answer["expires_in"] == 10
    url = answer["url"]
    query = parse_qs(urlparse(url).query)
    assert query["X-Amz-Expires"] == ["10"]
    fresh = httpx.get(url, timeout=30)
    assert fresh.status_code == 200
    assert fresh.content.startswith(b"%PDF")
    time.sleep(12)
    expired = httpx.get(url, timeout=30)
    assert expired.status_code == 403, expired.status_code
    assert b"%PDF" not in expired.content
    # a tampered URL (a longer expiry) is refused as well
    tampered = url.replace("X-Amz-Expires=10", "X-Amz-Expires=604800")
    assert httpx.get(tampered, timeout=30).status_code == 403


HOSTILE_NAME = '"><script>alert(1)</script>/../../etc/passwd\r\nX-Injected: 1.pdf'


def test_filenames_and_metadata_cannot_inject(
    secure_system: SecureSystem, matters: Matters
) -> None:
    with secure_system.admin() as admin:
        response = admin.post(
            "/v1/documents",
            data={
                "matter_id": matters.a,
                "external_id": '{"query":{"match_all":{}}}',
                "source": "<img src=x onerror=alert(1)>",
                "jurisdiction": 'US" OR matter_id:*',
                "language": "en",
            },
            files={"file": (HOSTILE_NAME, text_pdf(["injection probe", "quollinjection"]))},
        )
        assert response.status_code in (202, 400), response.text
        if response.status_code == 202:
            document_id = response.json()["document_id"]
            secure_system.wait_terminal(admin, document_id)
            record = admin.get(f"/v1/documents/{document_id}")
            # JSON, never HTML: a browser will not run a filename
            assert record.headers["content-type"].startswith("application/json")
            assert record.headers.get("x-content-type-options") in (None, "nosniff")
            # the original is stored by content, whatever the name
            link = admin.get(f"/v1/documents/{document_id}/original?redirect=false").json()["url"]
            path = urlparse(link).path
            assert re.fullmatch(r"/[a-z0-9-]+-originals/sha256/[0-9a-f]{2}/[0-9a-f]{64}", path), (
                path
            )
            disposition = parse_qs(urlparse(link).query).get("response-content-disposition", [""])
            assert "\r" not in disposition[0]
            assert "\n" not in disposition[0]
        # query syntax in search parameters is text or a 400, never a wider query or a 500
        with secure_system.bearer(matters.token_a) as tess:
            for q in (
                "*) OR matter_id:*",
                '{"match_all": {}}',
                "matter_id:" + matters.b,
                '" OR "1"="1',
                "\\",
                "((((((",
            ):
                answer = tess.get("/v1/search", params={"q": q, "size": 50})
                assert answer.status_code in (200, 400), (q, answer.status_code)
                if answer.status_code == 200:
                    ids = {h["document_id"] for h in answer.json()["hits"]}
                    assert matters.doc_b not in ids, q
            for field in ("jurisdiction", "matter_id", "court", "doc_type"):
                answer = tess.get("/v1/search", params={field: '*" OR "*'})
                assert answer.status_code in (200, 400), (field, answer.status_code)
        # the web page is static and locked down
        page = admin.get("/")
        assert "default-src 'self'" in page.headers["content-security-policy"]


def test_no_secret_or_document_content_in_the_logs(
    secure_system: SecureSystem, matters: Matters
) -> None:
    """Runs last in this module: the logs then hold a whole run (uploads, searches, failures)."""
    with secure_system.bearer(matters.token_a) as tess:
        assert tess.get("/v1/search", params={"q": SECRET_WORD}).status_code == 200
        tess.get(f"/v1/documents/{matters.doc_a}/text")
    with secure_system.admin() as admin:
        key = admin.post(
            "/v1/apikeys", json={"subject": "logcheck", "name": "l", "scopes": ["read"]}
        )
        assert key.status_code == 201, key.text
        api_key = key.json()["key"]
        with httpx.Client(base_url=secure_system.url, headers={"X-API-Key": api_key}) as user:
            user.get("/v1/search", params={"q": "x"})
        # Barrier: a request after all of the above; once its access-log line is in the
        # gateway's log, so is everything the gateway logged for the requests before it.
        barrier = f"/v1/documents/logbarrier{secrets.token_hex(4)}"
        admin.get(barrier)  # whatever it answers, uvicorn logs the path
    eventually(
        lambda: barrier in secure_system.services.log_tail("gateway", 20_000),
        what="the barrier request in the gateway's access log",
        timeout_s=30,
    )
    logs = secure_system.services.logs_text()
    assert set(logs) >= {"gateway", "ingest", "ocr", "index"}
    everything = "\n".join(logs.values())
    assert len(everything) > 1000
    forbidden = {
        "admin key": secure_system.services.admin_key,
        "api key": api_key,
        "bearer token": matters.token_a,
        "token signature": matters.token_a.rsplit(".", 1)[1],
        "S3 secret key": "lexstream-secret",
        "document content": SECRET_WORD,
        "document text line": "privileged memo",
    }
    for label, value in forbidden.items():
        for name, text in logs.items():
            assert value not in text, f"{label} found in the {name} log"

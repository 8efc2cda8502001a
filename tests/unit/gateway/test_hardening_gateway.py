"""Regression tests of the smaller findings of issue 13, the gateway app in-process, no stack.

The app is the real one (``create_app``); what would need a stack is replaced at its seams:
the matter grants (no Elasticsearch look-up) and ingest (an ``httpx.MockTransport``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.support.gateway import NoGrants
from tests.support.jwks import local_issuer

from lexstream.gateway import workspace
from lexstream.gateway.app import SECURITY_HEADERS, create_app
from lexstream.gateway.documents import download_media_type
from lexstream.gateway.identity import OidcVerifier, Unauthenticated
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.subjects import check_subject
from lexstream.shared.storage import attachment_disposition

pytestmark = pytest.mark.timeout(60)

ADMIN_KEY = "unit-admin-key-0123456789abcdef"
BOUNDARY = "hardening-boundary"


@pytest.fixture
def app() -> FastAPI:
    app = create_app(
        GatewaySettings(
            bootstrap_admin_key=ADMIN_KEY,
            environment="development",
            body_read_timeout_s=0.3,
            otlp_endpoint=None,
        )
    )
    app.state.matters = NoGrants()
    return app


def ingest_answering(app: FastAPI, status: int, body: dict[str, Any]) -> list[httpx.Request]:
    """Ingest replaced by a handler that reads the upload and answers ``status``, ``body``."""
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        seen.append(request)
        return httpx.Response(status, json=body)

    app.state.gateway.ingest = httpx.AsyncClient(
        transport=httpx.MockTransport(handler), base_url="http://ingest"
    )
    return seen


def client(app: FastAPI, key: str | None = ADMIN_KEY) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://gateway",
        headers={"X-API-Key": key} if key else {},
    )


def multipart(fields: dict[str, str], file: bytes = b"hello") -> bytes:
    out = b""
    for name, value in fields.items():
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    out += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return out + file + f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


# -- finding 8: API responses lack Cache-Control: no-store and X-Content-Type-Options ------


async def test_hardening_security_headers_on_every_answer(
    app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "index-abc123.js").write_text("export {};\n")  # a built workspace
    (tmp_path / "index.html").write_text('<!doctype html><script src="/ui/index-abc123.js">')
    monkeypatch.setattr(workspace, "DIST", tmp_path)
    async with client(app, None) as anonymous:
        answers = [
            await anonymous.get("/v1/me"),  # 401
            await anonymous.get("/ui/index-abc123.js"),  # a static file
            await anonymous.get("/ui/nothing"),  # 404
            await anonymous.post(  # the body limit's own 413
                "/v1/matters", content=b"x" * 70_000, headers={"Content-Type": "application/json"}
            ),
        ]
    assert [a.status_code for a in answers] == [401, 200, 404, 413]
    for answer in answers:
        for name, value in SECURITY_HEADERS:
            assert answer.headers.get(name.decode()) == value.decode(), (answer.url, name)
    # the web page keeps its own CSP, framing refused there too
    async with client(app, None) as anonymous:
        page = await anonymous.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers.get_list("x-content-type-options") == ["nosniff"]


# -- finding 8: originals inline as text/html ------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("text/xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("TEXT/HTML; charset=utf-8", "application/octet-stream"),
        (None, "application/octet-stream"),
        ("application/pdf", "application/pdf"),
        ("audio/mpeg", "audio/mpeg"),
        ("video/mp4", "video/mp4"),
        ("text/plain", "text/plain"),
    ],
)
def test_hardening_originals_of_active_types_are_served_as_bytes(
    stored: str | None, served: str
) -> None:
    assert download_media_type(stored) == served


def test_hardening_originals_are_attachments_whatever_the_name() -> None:
    assert attachment_disposition(None) == "attachment"
    header = attachment_disposition('x"; filename="evil.html\r\n.pdf')
    assert header.startswith('attachment; filename="x; filename=evil.html.pdf"')
    assert "\r" not in header
    assert "\n" not in header
    assert header.endswith("filename*=UTF-8''x%22%3B%20filename%3D%22evil.html.pdf")


# -- finding 8: subjects with zero-width characters are accepted ---------------------------


@pytest.mark.parametrize(
    "subject",
    [
        "alice\u200b",  # zero-width space (Cf)
        "ali\u200dce",  # zero-width joiner
        "\u202eecila",  # right-to-left override
        "alice\u2066",  # left-to-right isolate
        "alice\ufeff",  # byte order mark
        "alice\u00a0",  # no-break space (Zs)
        "alice\u3000",  # ideographic space
        "alice\u3164",  # Hangul filler (Lo, but draws nothing)
        "alice\ufe0f",  # variation selector
        "alice\x00",  # a control
        "",
        "a" * 257,
    ],
)
def test_hardening_invisible_subjects_are_refused(subject: str) -> None:
    with pytest.raises(ValueError, match="subject"):
        check_subject(subject)


def test_hardening_subjects_are_nfc() -> None:
    assert check_subject("e\u0301mile@firm.example") == "\u00e9mile@firm.example"
    assert check_subject("müller|auth0") == "müller|auth0"


@pytest.mark.parametrize("subject", ["alice%E2%80%8B", "%E2%80%AEecila", "alice%C2%A0"])
async def test_hardening_member_and_screen_subjects_refuse_invisible_characters(
    app: FastAPI, subject: str
) -> None:
    async with client(app) as admin:
        answers = [
            await admin.put(f"/v1/matters/M-1/members/{subject}", json={"role": "viewer"}),
            await admin.delete(f"/v1/matters/M-1/members/{subject}"),
            await admin.put(f"/v1/matters/M-1/screens/{subject}"),
            await admin.delete(f"/v1/matters/M-1/screens/{subject}"),
        ]
    for answer in answers:
        assert answer.status_code == 400, (answer.request.method, answer.text)
        assert "subject" in answer.json()["detail"]


async def test_hardening_api_key_subjects_refuse_invisible_characters(app: FastAPI) -> None:
    async with client(app) as admin:
        answer = await admin.post(
            "/v1/apikeys", json={"subject": "svc\u200b", "name": "n", "scopes": ["read"]}
        )
    assert answer.status_code == 400
    assert "invisible" in answer.json()["detail"]


def test_hardening_token_subjects_refuse_invisible_characters() -> None:
    with local_issuer() as issuer:
        verifier = OidcVerifier(
            GatewaySettings(
                oidc_issuer=issuer.url,
                oidc_audience=issuer.audience,
                oidc_jwks_url=issuer.jwks_url,
                oidc_algorithms=["RS256"],
            )
        )
        with pytest.raises(Unauthenticated, match="invisible"):
            asyncio.run(verifier.identify(issuer.token("alice\u200b")))
        assert asyncio.run(verifier.identify(issuer.token("e\u0301mile"))).subject == "\u00e9mile"


# -- finding 8: a 5,000-character source returns ingest's internal 422 body -----------------


async def test_hardening_upload_fields_are_checked_by_the_gateway(app: FastAPI) -> None:
    seen = ingest_answering(app, 202, {"document_id": "d1", "status": "stored"})
    async with client(app) as admin:
        long_source = await admin.post(
            "/v1/documents", content=multipart({"source": "s" * 5000}), headers=MULTIPART
        )
        control = await admin.post(
            "/v1/documents", content=multipart({"external_id": "a\x07\u200bb"}), headers=MULTIPART
        )
        language = await admin.post(
            "/v1/documents", content=multipart({"language": "en<script>"}), headers=MULTIPART
        )
    assert long_source.status_code == 400
    assert long_source.json() == {"detail": "source is longer than 200 characters"}
    assert control.status_code == 400
    assert "control characters" in control.json()["detail"]
    assert language.status_code == 400
    assert "language" in language.json()["detail"]
    assert seen == []  # none of them reached ingest


@pytest.mark.parametrize(
    ("ingest_status", "status"), [(422, 400), (400, 400), (409, 409), (403, 503), (413, 413)]
)
async def test_hardening_ingest_refusals_are_never_passed_through(
    app: FastAPI, ingest_status: int, status: int
) -> None:
    internal = {"detail": [{"loc": ["query", "uploader"], "msg": "internal", "input": "x" * 300}]}
    seen = ingest_answering(app, ingest_status, internal)
    async with client(app) as admin:
        answer = await admin.post(
            "/v1/documents", content=multipart({"source": "crm"}), headers=MULTIPART
        )
    assert len(seen) == 1
    assert answer.status_code == status
    assert isinstance(answer.json()["detail"], str)
    assert "uploader" not in answer.text
    assert "query" not in answer.text


# -- finding 8: slow clients are never timed out ----------------------------------------------


async def stalled(first: bytes) -> AsyncIterator[bytes]:
    yield first
    await asyncio.sleep(30)
    yield b""


async def test_hardening_a_stalled_upload_is_aborted_with_408(app: FastAPI) -> None:
    seen = ingest_answering(app, 202, {"document_id": "d1", "status": "stored"})
    body = multipart({"source": "crm"}, file=b"x" * 1000)
    async with client(app) as admin:
        started = asyncio.get_running_loop().time()
        # fields first: the file is streaming on to ingest when the client stops sending
        streaming = await admin.post(
            "/v1/documents", content=stalled(body[: len(body) // 2]), headers=MULTIPART
        )
        # the file first: spooled when the client stops sending
        file_first = multipart({}, file=b"x" * 1000)
        spooling = await admin.post(
            "/v1/documents", content=stalled(file_first[:400]), headers=MULTIPART
        )
        json_body = await admin.post(
            "/v1/matters",
            content=stalled(b'{"name": "'),
            headers={"Content-Type": "application/json"},
        )
        elapsed = asyncio.get_running_loop().time() - started
    for answer in (streaming, spooling, json_body):
        assert answer.status_code == 408, answer.text
        assert answer.headers["connection"] == "close"
    assert elapsed < 10
    assert not seen  # ingest got no completed upload


def test_hardening_slow_headers_close_the_connection() -> None:
    """uvicorn with the gateway's protocol, on loopback: headers that never end are cut off."""
    import socket
    import threading
    import time

    import uvicorn

    from lexstream.shared.clientguard import header_timeout_protocol

    async def ok(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(ok, http=header_timeout_protocol(0.5), log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            started = time.monotonic()
            assert slow.recv(100) == b""  # closed by the server
            assert time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", port), timeout=5) as prompt:
            prompt.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert prompt.recv(100).startswith(b"HTTP/1.1 204")
    finally:
        server.should_exit = True
        thread.join(5)


# -- finding 8: client disconnects log error-level tracebacks --------------------------------


async def test_hardening_a_client_gone_mid_upload_is_an_info_line(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    ingest_answering(app, 202, {"document_id": "d1", "status": "stored"})
    for body in (multipart({"source": "crm"}, b"x" * 1000), multipart({}, b"x" * 1000)):
        messages = [
            {"type": "http.request", "body": body[: len(body) // 2], "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive(pending: list[dict[str, Any]] = messages) -> dict[str, Any]:
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        async def send(_message: dict[str, Any]) -> None:
            return None

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/documents",
            "raw_path": b"/v1/documents",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"gateway"),
                (b"x-api-key", ADMIN_KEY.encode()),
                (b"content-type", MULTIPART["Content-Type"].encode()),
            ],
            "client": ("127.0.0.1", 5000),
            "server": ("gateway", 80),
        }
        caplog.clear()
        with caplog.at_level(logging.INFO):
            await app(scope, receive, send)  # returns: nothing for the server to log
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
        assert any(r.getMessage() == "client disconnected" for r in caplog.records)

"""Pure logic of the gateway: visibility rules, bearer tokens, rate limits, streamed uploads."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from tests.support.jwks import serving_json

from lexstream.gateway.access import Access, Principal
from lexstream.gateway.identity import OidcVerifier, Unauthenticated
from lexstream.gateway.limits import RateLimiter
from lexstream.gateway.query_syntax import operator_words
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import Role, hash_key
from lexstream.gateway.uploads import (
    BadUpload,
    MultipartReader,
    UploadTooLarge,
    boundary_of,
    read_spool,
    spool_file_then_fields,
)

ISSUER = "https://idp.example.test"
AUDIENCE = "lexstream"


# -- visibility ----------------------------------------------------------------------------


def test_a_screen_beats_an_admin_grant_too() -> None:
    admin = Access(Principal(subject="a", tenant="t", is_admin=True, screened=frozenset({"X"})))
    assert admin.allows("t", "Y")
    assert admin.allows("t", None)
    assert not admin.allows("t", "X")
    assert admin.es_filter()["bool"]["must_not"] == [{"terms": {"matter_id": ["X"]}}]
    assert admin.role_in("X") is None
    assert admin.role_in("Y") is Role.OWNER


def test_documents_without_a_matter_are_for_admins_only() -> None:
    member = Access(Principal(subject="m", tenant="t", roles={"A": Role.EDITOR}))
    assert not member.allows("t", None)
    assert member.has_role("A", Role.VIEWER)
    assert member.has_role("A", Role.EDITOR)
    assert not member.has_role("A", Role.OWNER)


def test_no_grants_matches_nothing() -> None:
    nobody = Access(Principal(subject="n", tenant="t"))
    assert nobody.es_filter()["bool"]["filter"][1] == {"terms": {"matter_id": []}}


def test_api_keys_are_stored_as_sha256() -> None:
    assert hash_key("lxk_abc") == hashlib.sha256(b"lxk_abc").hexdigest()


# -- bearer tokens -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> Iterator[dict[str, object]]:
    """An RSA and an EC key pair, their JWKS served on loopback like an issuer's."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    jwks = {
        "keys": [
            {
                **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key())),
                "kid": "r1",
                "alg": "RS256",
                "use": "sig",
            },
            {
                **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key())),
                "kid": "e1",
                "alg": "ES256",
                "use": "sig",
            },
        ]
    }
    body = json.dumps(jwks).encode()

    with serving_json(body) as base:
        yield {"rsa": rsa_key, "ec": ec_key, "url": f"{base}/.well-known/jwks.json"}


def _verifier(keys: dict[str, object], leeway: int = 30) -> OidcVerifier:
    return OidcVerifier(
        GatewaySettings(
            oidc_issuer=ISSUER,
            oidc_audience=AUDIENCE,
            oidc_jwks_url=str(keys["url"]),
            oidc_leeway_s=leeway,
        )
    )


def _token(keys: dict[str, object], alg: str = "RS256", **claims: object) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-1", "iat": now, "exp": now + 300, **claims}
    key, kid = (keys["rsa"], "r1") if alg == "RS256" else (keys["ec"], "e1")
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})  # type: ignore[arg-type]


async def test_rs256_and_es256_tokens_identify_the_caller(keys: dict[str, object]) -> None:
    verifier = _verifier(keys)
    user = await verifier.identify(_token(keys, tenant="firm-1"))
    assert (user.subject, user.tenant, user.is_admin, user.via) == ("u-1", "firm-1", False, "oidc")
    admin = await verifier.identify(_token(keys, "ES256", roles=["lexstream-admin"]))
    assert admin.is_admin
    assert admin.tenant == "default"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": "someone-else"}, "(?i)audience"),
        ({"iss": "https://evil.example.test"}, "issuer"),
        ({"exp": int(time.time()) - 120}, "expired"),
    ],
)
async def test_bad_tokens_are_refused(
    keys: dict[str, object], claims: dict[str, object], message: str
) -> None:
    with pytest.raises(Unauthenticated, match=message):
        await _verifier(keys).identify(_token(keys, **claims))


async def test_clock_skew_is_bounded(keys: dict[str, object]) -> None:
    slightly_late = _token(keys, exp=int(time.time()) - 10)
    assert (await _verifier(keys, leeway=30).identify(slightly_late)).subject == "u-1"
    with pytest.raises(Unauthenticated):
        await _verifier(keys, leeway=0).identify(slightly_late)
    with pytest.raises(ValueError, match="less than or equal"):
        GatewaySettings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_leeway_s=3600)


async def test_a_token_signed_by_another_key_or_with_hs256_is_refused(
    keys: dict[str, object],
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now + 60},
        other,
        algorithm="RS256",
        headers={"kid": "r1"},
    )
    with pytest.raises(Unauthenticated, match="invalid bearer token"):
        await _verifier(keys).identify(forged)
    hs = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now + 60},
        "secret-secret-secret-secret-secret",
        algorithm="HS256",
        headers={"kid": "r1"},
    )
    with pytest.raises(Unauthenticated):
        await _verifier(keys).identify(hs)


def test_an_issuer_needs_an_audience() -> None:
    with pytest.raises(ValueError, match="AUDIENCE"):
        GatewaySettings(oidc_issuer=ISSUER)


# -- rate limits and query words -----------------------------------------------------------


def test_token_bucket_allows_a_burst_then_says_when_to_retry() -> None:
    limiter = RateLimiter(rate=1.0, burst=3)
    assert [limiter.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("k")
    assert 0 < wait <= 1.0
    assert limiter.take("other") == 0.0


def test_and_or_not_words_become_simple_query_stringoperator_words() -> None:
    assert operator_words("contract AND breach") == "contract + breach"
    assert operator_words("a OR b NOT c") == "a | b -c"
    assert operator_words('"due process"') == '"due process"'


# -- streamed multipart uploads ------------------------------------------------------------


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "XyZ") -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename:
            out += b"Content-Type: application/pdf\r\n"
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


async def _chunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


async def test_fields_come_first_and_the_file_streams_in_chunks() -> None:
    payload = bytes(range(256)) * 40
    body = _multipart([("matter_id", None, b"M-1"), ("file", "a<b>.pdf", payload)])
    reader = MultipartReader(_chunks(body), boundary_of("multipart/form-data; boundary=XyZ"), 10**6)
    fields, part = await reader.fields_until_file()
    assert fields == {"matter_id": "M-1"}
    assert (part.filename, part.content_type) == ("a<b>.pdf", "application/pdf")
    chunks = [c async for c in reader.file_bytes({"matter_id"})]
    assert b"".join(chunks) == payload
    assert len(chunks) > 100  # handed on as it came, not gathered first


async def test_a_field_after_the_file_is_refused() -> None:
    body = _multipart([("file", "a.pdf", b"data"), ("matter_id", None, b"M-1")])
    reader = MultipartReader(_chunks(body), b"XyZ", 10**6)
    await reader.fields_until_file()
    with pytest.raises(BadUpload, match="before the file"):
        _ = [c async for c in reader.file_bytes({"matter_id"})]


async def test_uploads_over_the_limit_and_without_a_file_are_refused() -> None:
    big = _multipart([("file", "a.pdf", b"x" * 5000)])
    reader = MultipartReader(_chunks(big, 1000), b"XyZ", 4000)
    await reader.fields_until_file()  # the file part starts within the limit
    with pytest.raises(UploadTooLarge, match="larger than 4000 bytes"):
        _ = [c async for c in reader.file_bytes(set())]
    reader = MultipartReader(_chunks(_multipart([("source", None, b"dms")])), b"XyZ", 10**6)
    with pytest.raises(BadUpload, match="no file"):
        await reader.fields_until_file()
    with pytest.raises(BadUpload, match="multipart/form-data"):
        boundary_of("application/json")


async def test_a_file_before_its_fields_is_spooled_until_the_fields_came() -> None:
    payload = b"%PDF-1.7 " * 300_000  # past the 1 MiB kept in memory
    body = _multipart([("file", "a.pdf", payload), ("matter_id", None, b"M-9")])
    reader = MultipartReader(_chunks(body, 65536), b"XyZ", 10**8)
    fields, _ = await reader.fields_until_file()
    assert fields == {}
    spool, after = await spool_file_then_fields(reader)
    assert after == {"matter_id": "M-9"}
    assert b"".join([c async for c in read_spool(spool)]) == payload
    assert spool.closed

"""Who is calling: OIDC bearer tokens and API keys, checked before anything else.

Bearer tokens are verified with PyJWT against the issuer's JWKS (RS256/ES256, the issuer,
the audience, expiry with a bounded clock skew). API keys are looked up by their SHA-256.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

import jwt

from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import KEY_PREFIX, ApiKeyStore, Scope, hash_key
from lexstream.gateway.subjects import check_subject

log = logging.getLogger(__name__)

USER_SCOPES = frozenset({Scope.READ, Scope.WRITE, Scope.MATTERS})
ALL_SCOPES = frozenset(Scope)
#: what ApiKeyStore.create hands out (the prefix and 32 random bytes, URL-safe base64): a key
#: of another shape is refused without a look-up
API_KEY_SHAPE = re.compile(rf"^{KEY_PREFIX}[A-Za-z0-9_-]{{43}}$")


class Unauthenticated(Exception):
    """No valid credentials (401)."""


@dataclass(frozen=True)
class Identity:
    subject: str
    tenant: str
    scopes: frozenset[Scope]
    is_admin: bool = False
    key_id: str | None = None
    via: str = "api-key"


class OidcVerifier:
    def __init__(self, settings: GatewaySettings) -> None:
        assert settings.jwks_url is not None
        self.settings = settings
        self.jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, lifespan=300, timeout=5)

    def _verify(self, token: str) -> dict[str, Any]:
        s = self.settings
        try:
            key = self.jwks.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=s.oidc_algorithms,
                audience=s.oidc_audience,
                issuer=s.oidc_issuer,
                leeway=s.oidc_leeway_s,
                options={"require": ["exp", "iss", "aud", s.oidc_subject_claim]},
            )
        except jwt.PyJWKClientConnectionError as exc:
            log.warning("JWKS unreachable", extra={"error_type": type(exc).__name__})
            raise Unauthenticated("the token issuer's keys cannot be fetched; retry") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated(f"invalid bearer token: {exc}") from exc
        return claims

    async def identify(self, token: str) -> Identity:
        claims = await asyncio.to_thread(self._verify, token)
        s = self.settings
        roles = claims.get(s.oidc_roles_claim) or []
        if isinstance(roles, str):
            roles = roles.split()
        is_admin = s.oidc_admin_role in roles
        return Identity(
            subject=_token_subject(claims[s.oidc_subject_claim]),
            tenant=str(claims.get(s.oidc_tenant_claim) or s.tenant),
            scopes=ALL_SCOPES if is_admin else USER_SCOPES,
            is_admin=is_admin,
            via="oidc",
        )


def _token_subject(claim: object) -> str:
    """The token's subject as grants name it (NFC); a token whose subject hides characters
    is refused, like one with a bad signature: it could not match a wall on the name it shows."""
    try:
        return check_subject(str(claim))
    except ValueError as exc:
        raise Unauthenticated(f"invalid bearer token: {exc}") from exc


class Authenticator:
    def __init__(self, settings: GatewaySettings, keys: ApiKeyStore) -> None:
        self.settings = settings
        self.keys = keys
        self.oidc = OidcVerifier(settings) if settings.oidc_issuer else None
        self._last_touch: dict[str, float] = {}
        self._touches: set[asyncio.Task[None]] = set()

    async def identify(self, api_key: str | None, authorization: str | None) -> Identity:
        if api_key:
            return await self._from_key(api_key)
        if authorization and authorization.lower().startswith("bearer "):
            if self.oidc is None:
                raise Unauthenticated("bearer tokens are not configured on this gateway")
            return await self.oidc.identify(authorization[7:].strip())
        raise Unauthenticated(
            "authentication required: send X-API-Key or Authorization: Bearer <token>"
        )

    async def _from_key(self, key: str) -> Identity:
        s = self.settings
        if s.bootstrap_admin_key is not None and hmac.compare_digest(
            key.encode(), s.bootstrap_admin_key.get_secret_value().encode()
        ):
            return Identity(
                subject="bootstrap-admin",
                tenant=s.tenant,
                scopes=ALL_SCOPES,
                is_admin=True,
                key_id="bootstrap",
            )
        if not API_KEY_SHAPE.match(key):
            raise Unauthenticated("invalid API key")
        record = await self.keys.lookup(key)
        if record is None:
            raise Unauthenticated("invalid API key")
        if record.get("revoked"):
            raise Unauthenticated("this API key has been revoked")
        self._touch(hash_key(key))
        scopes = frozenset(Scope(s) for s in record.get("scopes", []))
        return Identity(
            subject=record["subject"],
            tenant=record["tenant"],
            scopes=ALL_SCOPES if Scope.ADMIN in scopes else scopes,
            is_admin=Scope.ADMIN in scopes,
            key_id=record["key_id"],
        )

    def _touch(self, digest: str) -> None:
        """Write last-used at most once per interval per key, off the request path."""
        now = time.monotonic()
        if now - self._last_touch.get(digest, -math.inf) < self.settings.last_used_interval_s:
            return
        self._last_touch[digest] = now

        async def write() -> None:
            try:
                await self.keys.touch(digest)
            except Exception as exc:
                log.warning("last-used not recorded", extra={"error_type": type(exc).__name__})

        task = asyncio.create_task(write())
        self._touches.add(task)
        task.add_done_callback(self._touches.discard)

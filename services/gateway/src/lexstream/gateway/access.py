"""Who the caller is and what they may see. The one place that builds the visibility filter.

Every query path - search, facets, suggestions, cited-by, more-like-this, document, text,
transcript, download, status - goes through :meth:`Access.es_filter` (Elasticsearch) or
:meth:`Access.allows` (records read from S3), both derived from the same grants:

- a caller sees the documents of their tenant in the matters where they hold a role;
- a tenant admin sees every document of the tenant;
- a screen (ethical wall) beats any grant, an admin's included;
- documents without a matter are visible to tenant admins only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from lexstream.gateway.audit import client_address
from lexstream.gateway.identity import Identity, Unauthenticated
from lexstream.gateway.limits import TooManyRequests
from lexstream.gateway.stores import ROLE_RANK, Role, Scope


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    is_admin: bool = False
    roles: dict[str, Role] = field(default_factory=dict)
    screened: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[Scope] = frozenset(Scope)
    key_id: str | None = None

    @property
    def matters(self) -> frozenset[str]:
        return frozenset(self.roles)


@dataclass(frozen=True)
class Access:
    principal: Principal

    def es_filter(self) -> dict[str, Any]:
        """The visibility filter every Elasticsearch query carries."""
        p = self.principal
        tenant = {"term": {"tenant": p.tenant}}
        if p.is_admin:
            if not p.screened:
                return tenant
            return {
                "bool": {
                    "filter": [tenant],
                    "must_not": [{"terms": {"matter_id": sorted(p.screened)}}],
                }
            }
        return {"bool": {"filter": [tenant, {"terms": {"matter_id": self.visible_matters()}}]}}

    def visible_matters(self) -> list[str]:
        """The matters a non-admin caller may see (grants less screens)."""
        p = self.principal
        return sorted(p.matters - p.screened)

    def allows(self, tenant: str | None, matter_id: str | None) -> bool:
        p = self.principal
        if tenant != p.tenant:
            return False
        if matter_id is not None and matter_id in p.screened:
            return False
        if p.is_admin:
            return True
        return matter_id is not None and matter_id in p.roles

    def role_in(self, matter_id: str) -> Role | None:
        """The caller's effective role in a matter (an admin acts as owner; screened: none)."""
        p = self.principal
        if matter_id in p.screened:
            return None
        if p.is_admin:
            return Role.OWNER
        return p.roles.get(matter_id)

    def has_role(self, matter_id: str, least: Role) -> bool:
        role = self.role_in(matter_id)
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[least]

    def audit_fields(self) -> dict[str, Any]:
        p = self.principal
        return {"tenant": p.tenant, "subject": p.subject, "key_id": p.key_id}


UNAUTHENTICATED_HEADERS = {"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'}


def _too_many(exc: TooManyRequests) -> HTTPException:
    return HTTPException(429, str(exc), headers={"Retry-After": exc.retry_after})


async def authenticate(request: Request) -> Identity:
    """The caller's identity, rate limited per key (or per token subject).

    An address with too many failed attempts is refused before its credentials are looked
    at, so guessing keys costs neither an Elasticsearch look-up nor a signature check.
    """
    state = request.app.state
    address = client_address(request, state.settings.trusted_proxies)[0] or "unknown"
    try:
        state.auth_failures.check(address)
    except TooManyRequests as exc:
        raise _too_many(exc) from exc
    try:
        identity: Identity = await state.authenticator.identify(
            request.headers.get("x-api-key"), request.headers.get("authorization")
        )
    except Unauthenticated as exc:
        state.auth_failures.failed(address)
        raise HTTPException(401, str(exc), headers=UNAUTHENTICATED_HEADERS) from exc
    wait = state.limiter.take(identity.key_id or f"{identity.via}:{identity.subject}")
    if wait > 0:
        raise HTTPException(
            429,
            "rate limit exceeded; slow down",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    request.state.identity = identity
    return identity


async def current_access(
    request: Request, identity: Annotated[Identity, Depends(authenticate)]
) -> Access:
    grants = await request.app.state.matters.grants(identity.tenant, identity.subject)
    access = Access(
        Principal(
            subject=identity.subject,
            tenant=identity.tenant,
            is_admin=identity.is_admin,
            roles=grants.roles,
            screened=grants.screened,
            scopes=identity.scopes,
            key_id=identity.key_id,
        )
    )
    request.state.access = access
    return access

"""Who the caller is and what they may see. The one place that builds the visibility filter.

Every query path - search, facets, document, text, transcript, download - goes through
:meth:`Access.es_filter` (Elasticsearch) or :meth:`Access.allows` (records read from S3),
both derived from the same grant set.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from lexstream.gateway.settings import GatewaySettings


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant: str
    is_admin: bool = False
    matters: frozenset[str] = field(default_factory=frozenset)
    screened: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Access:
    principal: Principal

    def es_filter(self) -> dict[str, Any]:
        """The visibility filter every Elasticsearch query carries."""
        p = self.principal
        if p.is_admin:
            return {"term": {"tenant": p.tenant}}
        allowed = sorted(p.matters - p.screened)
        return {
            "bool": {
                "filter": [{"term": {"tenant": p.tenant}}, {"terms": {"matter_id": allowed}}],
            }
        }

    def allows(self, tenant: str | None, matter_id: str | None) -> bool:
        p = self.principal
        if tenant != p.tenant:
            return False
        if p.is_admin:
            return True
        return matter_id is not None and matter_id in p.matters and matter_id not in p.screened


def authenticate(request: Request) -> Principal:
    settings: GatewaySettings = request.app.state.settings
    key = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization", "")
    if not key and authorization.lower().startswith("bearer "):
        raise HTTPException(401, "bearer tokens are not configured on this gateway")
    if key and settings.bootstrap_admin_key is not None:
        expected = settings.bootstrap_admin_key.get_secret_value()
        if hmac.compare_digest(key.encode(), expected.encode()):
            return Principal(subject="bootstrap-admin", tenant=settings.tenant, is_admin=True)
    raise HTTPException(
        401,
        "authentication required: send X-API-Key or Authorization: Bearer <token>",
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_access(principal: Annotated[Principal, Depends(authenticate)]) -> Access:
    return Access(principal)


AccessDep = Annotated[Access, Depends(current_access)]

"""The caller's own identity, API keys for service accounts, and the audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from lexstream.gateway.access import AccessDep, AdminDep
from lexstream.gateway.context import GatewayDep
from lexstream.gateway.stores import Scope

router = APIRouter(tags=["identity"])


class ApiKeyCreate(BaseModel):
    subject: str = Field(
        min_length=1, max_length=256, pattern=r"^[^\s/]+$", description="who the key acts as"
    )
    name: str = Field(min_length=1, max_length=200, description="what the key is for")
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.READ], min_length=1)


@router.get("/v1/me")
async def me(access: AccessDep) -> dict[str, Any]:
    """Who the caller is, and their roles."""
    p = access.principal
    return {
        "subject": p.subject,
        "tenant": p.tenant,
        "is_admin": p.is_admin,
        "scopes": sorted(s.value for s in p.scopes),
        "matters": {m: r.value for m, r in sorted(p.roles.items()) if m not in p.screened},
        "screened": sorted(p.screened),
    }


@router.post("/v1/apikeys", status_code=201)
async def create_key(
    request: Request, body: ApiKeyCreate, gw: GatewayDep, access: AdminDep
) -> dict[str, Any]:
    """A key for a service account or person; the key itself is shown only in this answer."""
    key, record = await gw.keys.create(
        tenant=access.principal.tenant,
        subject=body.subject,
        name=body.name,
        scopes=body.scopes,
        created_by=access.principal.subject,
    )
    gw.audit.record(request, "apikey.create", status_code=201, query={"key_id": record["key_id"]})
    return {"key": key, **{k: v for k, v in record.items() if k != "key_sha256"}}


@router.get("/v1/apikeys")
async def list_keys(gw: GatewayDep, access: AdminDep) -> dict[str, Any]:
    return {"keys": await gw.keys.list(access.principal.tenant)}


@router.post("/v1/apikeys/{key_id}/revoke")
async def revoke_key(
    request: Request,
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")],
    gw: GatewayDep,
    access: AdminDep,
) -> dict[str, Any]:
    record = await gw.keys.revoke(access.principal.tenant, key_id)
    if record is None:
        raise HTTPException(404, "no such key")
    gw.audit.record(request, "apikey.revoke", query={"key_id": key_id})
    return record


@router.get("/v1/audit")
async def audit(
    gw: GatewayDep,
    access: AdminDep,
    subject: Annotated[str | None, Query(max_length=256)] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
    document_id: Annotated[str | None, Query(max_length=64)] = None,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The audit trail of the tenant, newest first (read-only: no route changes it)."""
    entries = await gw.audit.query(
        access.principal.tenant,
        subject=subject,
        action=action,
        document_id=document_id,
        size=size,
    )
    return {"entries": entries}

"""The caller's own identity, API keys for service accounts, and the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import GatewayDep
from lexstream.gateway.schemas import COMMON_ERRORS, ApiKey, ApiKeyList, AuditTrail, Me, NewApiKey
from lexstream.gateway.stores import Scope
from lexstream.gateway.subjects import SUBJECT_MAX, SUBJECT_PATTERN, Subject

router = APIRouter(tags=["identity"], responses=COMMON_ERRORS)


class ApiKeyCreate(BaseModel):
    subject: Subject = Field(
        min_length=1,
        max_length=SUBJECT_MAX,
        pattern=SUBJECT_PATTERN,
        description="who the key acts as (NFC, no invisible characters)",
    )
    name: str = Field(min_length=1, max_length=200, description="what the key is for")
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.READ], min_length=1)


@router.get("/v1/me")
async def me(access: AuthorizedDep) -> Me:
    """Who the caller is, and their roles."""
    p = access.principal
    return Me(
        subject=p.subject,
        tenant=p.tenant,
        is_admin=p.is_admin,
        scopes=sorted(p.scopes, key=lambda s: s.value),
        matters={m: r for m, r in sorted(p.roles.items()) if m not in p.screened},
        screened=sorted(p.screened),
    )


@router.post("/v1/apikeys", status_code=201)
async def create_key(
    request: Request, body: ApiKeyCreate, gw: GatewayDep, access: AuthorizedDep
) -> NewApiKey:
    """A key for a service account or person; the key itself is shown only in this answer."""
    key, record = await gw.keys.create(
        tenant=access.principal.tenant,
        subject=body.subject,
        name=body.name,
        scopes=body.scopes,
        created_by=access.principal.subject,
    )
    gw.audit.record(request, "apikey.create", status_code=201, query={"key_id": record["key_id"]})
    return NewApiKey.model_validate({"key": key, **record})


@router.get("/v1/apikeys")
async def list_keys(gw: GatewayDep, access: AuthorizedDep) -> ApiKeyList:
    return ApiKeyList.model_validate({"keys": await gw.keys.list(access.principal.tenant)})


@router.post("/v1/apikeys/{key_id}/revoke")
async def revoke_key(
    request: Request,
    key_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")],
    gw: GatewayDep,
    access: AuthorizedDep,
) -> ApiKey:
    record = await gw.keys.revoke(access.principal.tenant, key_id)
    if record is None:
        raise HTTPException(404, "no such key")
    gw.audit.record(request, "apikey.revoke", query={"key_id": key_id})
    return ApiKey.model_validate(record)


@router.get("/v1/audit")
async def audit(
    request: Request,
    gw: GatewayDep,
    access: AuthorizedDep,
    subject: Annotated[str | None, Query(max_length=256)] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
    document_id: Annotated[str | None, Query(max_length=64)] = None,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditTrail:
    """The audit trail of the tenant, newest first (read-only: no route changes it)."""
    entries = await gw.audit.query(
        access.principal.tenant,
        subject=subject,
        action=action,
        document_id=document_id,
        size=size,
    )
    filters = {"subject": subject, "action": action, "document_id": document_id}
    gw.audit.record(
        request,
        "audit.read",
        query={name: value for name, value in filters.items() if value},
        hits=len(entries),
    )
    return AuditTrail.model_validate({"entries": entries})

"""Matters (case management): members with roles and ethical walls (screens)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import AfterValidator, BaseModel, Field

from lexstream.gateway.access import Access
from lexstream.gateway.authz import AuthorizedDep
from lexstream.gateway.context import Gateway, GatewayDep
from lexstream.gateway.schemas import COMMON_ERRORS, Matter, MatterList, OwnedMatter, errors
from lexstream.gateway.stores import MATTER_ID, Role, StoreConflict
from lexstream.gateway.subjects import SUBJECT_MAX, SUBJECT_PATTERN, check_subject
from lexstream.shared.speakers import parse_channel_map

router = APIRouter(tags=["matters"], responses=COMMON_ERRORS | errors(409))

MatterId = Annotated[str, Path(pattern=MATTER_ID.pattern)]
#: NFC, without invisible characters (subjects.py): a grant or wall names exactly one person
Subject = Annotated[
    str,
    Path(min_length=1, max_length=SUBJECT_MAX, pattern=SUBJECT_PATTERN),
    AfterValidator(check_subject),
]


def _channel_map(value: str) -> str:
    parse_channel_map(value)  # ValueError: a 400 naming the entry
    return value


#: the matter's recordings' channel map, used where an upload gives none
ChannelMap = Annotated[
    str,
    Field(max_length=2000, description="who speaks on each channel: '1:the court,2:Ms. Hale'"),
    AfterValidator(_channel_map),
]


class MatterCreate(BaseModel):
    matter_id: str | None = Field(
        default=None, pattern=MATTER_ID.pattern, description="chosen id; generated when absent"
    )
    name: str = Field(min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=5000)
    client: str | None = Field(default=None, max_length=500)
    channels: ChannelMap | None = None


class MatterUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=5000)
    client: str | None = Field(default=None, max_length=500)
    channels: ChannelMap | None = None


class Membership(BaseModel):
    role: Role


def _shape(matter: dict[str, Any], access: Access) -> OwnedMatter | Matter:
    """A matter as the caller sees it; members and screens only for its owners."""
    shaped = {
        k: matter.get(k)
        for k in (
            "matter_id",
            "name",
            "description",
            "client",
            "channels",
            "status",
            "created_by",
            "created_at",
            "updated_at",
        )
    }
    shaped["role"] = access.role_in(matter["matter_id"])
    if access.has_role(matter["matter_id"], Role.OWNER):
        shaped["members"] = matter.get("members", [])
        shaped["screened"] = matter.get("screened", [])
        return OwnedMatter.model_validate(shaped)
    return Matter.model_validate(shaped)


async def _visible(gw: Gateway, access: Access, matter_id: str) -> dict[str, Any]:
    matter = (
        await gw.matters.get(access.principal.tenant, matter_id)
        if access.role_in(matter_id) is not None
        else None
    )
    if matter is None:
        raise HTTPException(404, "no such matter")
    return matter


async def _change(
    gw: Gateway, access: Access, matter_id: str, change: Any, request: Request, action: str
) -> OwnedMatter | Matter:
    if not access.has_role(matter_id, Role.OWNER):
        if access.role_in(matter_id) is None:
            raise HTTPException(404, "no such matter")
        raise HTTPException(403, "only an owner of the matter may change it")
    try:
        matter = await gw.matters.change(access.principal.tenant, matter_id, change)
    except StoreConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    if matter is None:
        raise HTTPException(404, "no such matter")
    gw.audit.record(request, action, matter_id=matter_id)
    return _shape(matter, access)


@router.post("/v1/matters", status_code=201)
async def create_matter(
    request: Request, body: MatterCreate, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    """Open a matter; the caller becomes its owner.

    Only a tenant admin may choose the id (firms' matter numbers come from their practice
    systems): an id another caller could choose would tell them, by a 409, that a matter
    they may not see exists.
    """
    if body.matter_id is not None and not access.principal.is_admin:
        raise HTTPException(403, "only a tenant admin may choose a matter id; leave it out")
    try:
        matter = await gw.matters.create(
            tenant=access.principal.tenant,
            matter_id=body.matter_id,
            name=body.name,
            description=body.description,
            client=body.client,
            owner=access.principal.subject,
            channels=body.channels,
        )
    except StoreConflict as exc:
        raise HTTPException(409, str(exc)) from exc
    gw.audit.record(request, "matter.create", status_code=201, matter_id=matter["matter_id"])
    roles = {**access.principal.roles, matter["matter_id"]: Role.OWNER}
    owner = Access(replace(access.principal, roles=roles))
    return _shape(matter, owner)


@router.get("/v1/matters")
async def list_matters(
    gw: GatewayDep, access: AuthorizedDep, include_archived: bool = False
) -> MatterList:
    """The matters the caller may see."""
    ids = None if access.principal.is_admin else access.visible_matters()
    matters = await gw.matters.list(access.principal.tenant, ids, include_archived)
    return MatterList(
        matters=[_shape(m, access) for m in matters if access.role_in(m["matter_id"]) is not None]
    )


@router.get("/v1/matters/{matter_id}")
async def get_matter(
    matter_id: MatterId, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    return _shape(await _visible(gw, access, matter_id), access)


@router.patch("/v1/matters/{matter_id}")
async def update_matter(
    request: Request, matter_id: MatterId, body: MatterUpdate, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    changes = body.model_dump(exclude_unset=True)
    return await _change(
        gw, access, matter_id, lambda m: {**m, **changes}, request, "matter.update"
    )


@router.post("/v1/matters/{matter_id}/archive")
async def archive_matter(
    request: Request, matter_id: MatterId, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    """Archive: documents stay readable to members; nothing new goes in."""
    return await _change(
        gw, access, matter_id, lambda m: {**m, "status": "archived"}, request, "matter.archive"
    )


@router.put("/v1/matters/{matter_id}/members/{subject}")
async def put_member(
    request: Request,
    matter_id: MatterId,
    subject: Subject,
    body: Membership,
    gw: GatewayDep,
    access: AuthorizedDep,
) -> OwnedMatter | Matter:
    """Grant (or change) a role: owner, editor or viewer."""

    def change(m: dict[str, Any]) -> dict[str, Any]:
        members = [x for x in m["members"] if x["subject"] != subject]
        return {**m, "members": [*members, {"subject": subject, "role": body.role.value}]}

    return await _change(gw, access, matter_id, change, request, "matter.member")


@router.delete("/v1/matters/{matter_id}/members/{subject}")
async def delete_member(
    request: Request, matter_id: MatterId, subject: Subject, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    def change(m: dict[str, Any]) -> dict[str, Any]:
        members = [x for x in m["members"] if x["subject"] != subject]
        if not any(x["role"] == Role.OWNER.value for x in members):
            raise HTTPException(409, "a matter keeps at least one owner")
        return {**m, "members": members}

    return await _change(gw, access, matter_id, change, request, "matter.member.remove")


@router.put("/v1/matters/{matter_id}/screens/{subject}")
async def put_screen(
    request: Request, matter_id: MatterId, subject: Subject, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    """Screen a person from the matter (an ethical wall): it beats any grant they hold."""
    return await _change(
        gw,
        access,
        matter_id,
        lambda m: {**m, "screened": sorted({*m["screened"], subject})},
        request,
        "matter.screen",
    )


@router.delete("/v1/matters/{matter_id}/screens/{subject}")
async def delete_screen(
    request: Request, matter_id: MatterId, subject: Subject, gw: GatewayDep, access: AuthorizedDep
) -> OwnedMatter | Matter:
    return await _change(
        gw,
        access,
        matter_id,
        lambda m: {**m, "screened": [s for s in m["screened"] if s != subject]},
        request,
        "matter.unscreen",
    )

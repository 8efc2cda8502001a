"""The authorization table: for every route, what a caller needs and what they get without it.

One entry per route (method and path template). Each says

- the **scope** the credential must carry (``read``, ``write``, ``matters``, ``admin``);
- the **matter role** the caller needs, and where the matter comes from: the path
  (``/v1/matters/{matter_id}``), the document named in the path (its matter), the request
  (an upload's ``matter_id``), or nowhere (results are filtered to the caller's matters);
- whether the route is for **tenant admins** only.

What a caller without them gets is the same everywhere and decided here:

- no credential, or a revoked/unknown one: 401;
- a credential without the scope: 403, before anything is looked up, so the answer does
  not depend on whether the resource exists;
- no role at all in the matter (a non-member, or a member behind an ethical wall): 404 with
  the body a non-existent resource gets, so existence does not leak;
- a lesser role in a matter the caller can see: 403;
- an admin-only route for someone who is not a tenant admin: 403.

The route dependency :func:`authorized` enforces the scope, the admin rule and, for
matters named in the path, the role; routes whose matter is that of a document check the
role with :func:`require_role` once the document is found, with the same rule.
``tests/unit/gateway/test_authz_table.py`` fails when a route has no entry, and the matrix
test (``tests/e2e/test_authz_matrix.py``) runs every route against every
kind of caller on the real stack, with the expected answer computed from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.routing import APIRoute

from lexstream.gateway.access import Access, current_access
from lexstream.gateway.stores import ROLE_RANK, Role, Scope


class MatterFrom(StrEnum):
    """Where the matter whose role a route needs comes from."""

    NONE = "none"  # no single matter: answers are filtered to what the caller may see
    PATH = "path"  # the {matter_id} in the path
    DOCUMENT = "document"  # the matter of the document named by {document_id}
    REQUEST = "request"  # a matter the request names (an upload's matter_id)


@dataclass(frozen=True)
class Rule:
    scope: Scope
    role: Role | None = None
    matter: MatterFrom = MatterFrom.NONE
    admin_only: bool = False
    audited: bool = False
    what: str = ""


READ_DOCUMENT = Rule(Scope.READ, Role.VIEWER, MatterFrom.DOCUMENT, audited=True)
OWN_MATTER = Rule(Scope.MATTERS, Role.OWNER, MatterFrom.PATH, audited=True)

TABLE: dict[tuple[str, str], Rule] = {
    ("GET", "/v1/me"): Rule(Scope.READ, what="who the caller is, with their matters"),
    ("GET", "/v1/openapi.json"): Rule(Scope.READ, what="the API description"),
    # documents
    ("POST", "/v1/documents"): Rule(
        Scope.WRITE, Role.EDITOR, MatterFrom.REQUEST, audited=True, what="upload into a matter"
    ),
    ("GET", "/v1/documents/{document_id}"): Rule(
        Scope.READ, Role.VIEWER, MatterFrom.DOCUMENT, audited=True, what="metadata and status"
    ),
    ("PATCH", "/v1/documents/{document_id}"): Rule(
        Scope.WRITE,
        Role.EDITOR,
        MatterFrom.DOCUMENT,
        audited=True,
        what="move to another matter: editor in the document's matter, in every child's "
        "matter and in the target",
    ),
    ("DELETE", "/v1/documents/{document_id}"): Rule(
        Scope.WRITE,
        Role.OWNER,
        MatterFrom.DOCUMENT,
        audited=True,
        what="delete it and its attachments from every store (409 under legal hold)",
    ),
    ("GET", "/v1/documents/{document_id}/children"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/similar"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/near-duplicates"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/text"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/pages/{number}.png"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/transcript"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/original"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/authorities"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/thread"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/structure"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/provisions/{provision_id:path}"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/paragraphs/{number}"): READ_DOCUMENT,
    ("GET", "/v1/documents/{document_id}/contract"): READ_DOCUMENT,
    # search (filtered to the caller's matters; screens applied)
    ("GET", "/v1/search"): Rule(Scope.READ, audited=True, what="search the caller's matters"),
    ("GET", "/v1/cited-by"): Rule(Scope.READ, audited=True, what="documents citing a citation"),
    ("GET", "/v1/suggest"): Rule(Scope.READ, audited=True, what="completions"),
    # legal research: counts and links only over what the caller may see
    ("GET", "/v1/authorities"): Rule(
        Scope.READ, audited=True, what="look an authority up by any surface form"
    ),
    ("GET", "/v1/authorities/{authority_id:path}"): Rule(
        Scope.READ, audited=True, what="an authority and the documents citing it"
    ),
    # batch search: each query filtered as /v1/search; a job is its creator's (404 for others)
    ("POST", "/v1/search/batches"): Rule(
        Scope.READ, audited=True, what="run a list of queries as one job"
    ),
    ("GET", "/v1/search/batches"): Rule(Scope.READ, what="the caller's batch searches"),
    ("GET", "/v1/search/batches/{batch_id}"): Rule(Scope.READ, what="a job's progress, counts"),
    ("GET", "/v1/search/batches/{batch_id}/hits"): Rule(
        Scope.READ, audited=True, what="a job's hits, JSON or CSV"
    ),
    # saved searches (routes_saved): a person's own; another's is a 404 to all, admins too
    ("POST", "/v1/saved-searches"): Rule(
        Scope.READ, audited=True, what="save a search (query and filters) for the caller"
    ),
    ("GET", "/v1/saved-searches"): Rule(Scope.READ, what="the caller's saved searches"),
    ("DELETE", "/v1/saved-searches/{search_id}"): Rule(
        Scope.READ, audited=True, what="delete one of the caller's saved searches"
    ),
    # matters
    ("GET", "/v1/matters"): Rule(Scope.READ, what="the caller's matters"),
    ("POST", "/v1/matters"): Rule(
        Scope.MATTERS, audited=True, what="open a matter; the caller becomes its owner"
    ),
    ("GET", "/v1/matters/{matter_id}"): Rule(Scope.READ, Role.VIEWER, MatterFrom.PATH),
    ("PATCH", "/v1/matters/{matter_id}"): OWN_MATTER,
    ("POST", "/v1/matters/{matter_id}/archive"): OWN_MATTER,
    ("PUT", "/v1/matters/{matter_id}/members/{subject}"): OWN_MATTER,
    ("DELETE", "/v1/matters/{matter_id}/members/{subject}"): OWN_MATTER,
    ("GET", "/v1/matters/{matter_id}/citation-graph"): Rule(
        Scope.READ, Role.VIEWER, MatterFrom.PATH, audited=True, what="its citation graph"
    ),
    # the processing board (routes_board): members see it, tenant admins replay failures
    ("GET", "/v1/matters/{matter_id}/board"): Rule(
        Scope.READ, Role.VIEWER, MatterFrom.PATH, what="counts by stage, failures"
    ),
    ("POST", "/v1/matters/{matter_id}/replay"): Rule(
        Scope.ADMIN,
        matter=MatterFrom.PATH,
        admin_only=True,
        audited=True,
        what="replay the failed documents",
    ),
    # legal holds and retention (routes_holds): owners of the matter (and tenant admins)
    ("POST", "/v1/matters/{matter_id}/holds"): Rule(
        Scope.MATTERS, Role.OWNER, MatterFrom.PATH, audited=True, what="put a legal hold"
    ),
    ("GET", "/v1/matters/{matter_id}/holds"): Rule(
        Scope.READ, Role.VIEWER, MatterFrom.PATH, audited=True, what="the matter's holds"
    ),
    ("POST", "/v1/matters/{matter_id}/holds/{hold_id}/release"): Rule(
        Scope.MATTERS, Role.OWNER, MatterFrom.PATH, audited=True, what="release a hold"
    ),
    ("PUT", "/v1/matters/{matter_id}/retention"): Rule(
        Scope.MATTERS, Role.OWNER, MatterFrom.PATH, audited=True, what="set retention"
    ),
    ("GET", "/v1/matters/{matter_id}/retention"): Rule(
        Scope.READ, Role.VIEWER, MatterFrom.PATH, what="the retention policy"
    ),
    # ethical walls: tenant admins only, whatever role they hold in the matter
    ("PUT", "/v1/matters/{matter_id}/screens/{subject}"): Rule(
        Scope.ADMIN, matter=MatterFrom.PATH, admin_only=True, audited=True, what="raise a wall"
    ),
    ("DELETE", "/v1/matters/{matter_id}/screens/{subject}"): Rule(
        Scope.ADMIN, matter=MatterFrom.PATH, admin_only=True, audited=True, what="lift a wall"
    ),
    # administration
    ("GET", "/v1/apikeys"): Rule(Scope.ADMIN, admin_only=True),
    ("POST", "/v1/apikeys"): Rule(Scope.ADMIN, admin_only=True, audited=True),
    ("POST", "/v1/apikeys/{key_id}/revoke"): Rule(Scope.ADMIN, admin_only=True, audited=True),
    ("GET", "/v1/audit"): Rule(Scope.ADMIN, admin_only=True, audited=True),
}

# Routes that need no caller at all: health probes and the static web application.
PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/health/live"),
        ("GET", "/health/ready"),
        ("GET", "/"),
        ("GET", "/ui/{name}"),
    }
)

NO_SUCH = {"matter": "no such matter", "document": "no such document"}


def rule_for(request: Request) -> Rule:
    """The table's entry for the route being served (none: the route is refused)."""
    route = request.scope.get("route")
    path = route.path if isinstance(route, APIRoute) else request.url.path
    rule = TABLE.get((request.method, path))
    if rule is None and request.method == "HEAD":
        rule = TABLE.get(("GET", path))
    if rule is None:
        # Fail closed: a route without an entry serves nobody (and a unit test fails).
        raise HTTPException(403, "this route has no authorization rule")
    return rule


def require_role(access: Access, matter_id: str | None, rule: Rule, kind: str) -> None:
    """The role check for a matter found through the request or a document.

    No role at all (a non-member, or screened): 404, as for a resource that does not exist.
    A lesser role: 403. A resource without a matter: tenant admins only (404 for others).
    """
    if rule.role is None:
        return
    if matter_id is None:
        if not access.principal.is_admin:
            raise HTTPException(404, NO_SUCH[kind])
        return
    role = access.role_in(matter_id)
    if role is None:
        raise HTTPException(404, NO_SUCH[kind])
    if ROLE_RANK[role] < ROLE_RANK[rule.role]:
        raise HTTPException(403, f"this needs the {rule.role.value} role in the matter")


async def authorized(
    request: Request, access: Annotated[Access, Depends(current_access)]
) -> Access:
    """The one route dependency: scope, admin-only and path-matter role, from the table."""
    rule = rule_for(request)
    if rule.scope not in access.principal.scopes:
        raise HTTPException(403, f"this key lacks the {rule.scope.value!r} scope")
    if rule.admin_only and not access.principal.is_admin:
        raise HTTPException(403, "only a tenant admin may do this")
    if rule.matter is MatterFrom.PATH:
        matter_id = request.path_params.get("matter_id")
        if rule.admin_only:
            # An admin behind a wall cannot lift it (or see the matter): another admin can.
            if matter_id in access.principal.screened:
                raise HTTPException(404, NO_SUCH["matter"])
        else:
            require_role(access, matter_id, rule, "matter")
    request.state.rule = rule
    return access


AuthorizedDep = Annotated[Access, Depends(authorized)]


def document_rule(request: Request) -> Rule:
    """The rule of a document route, for its role check once the document is found."""
    rule: Rule = getattr(request.state, "rule", None) or rule_for(request)
    return rule


def markdown_table() -> str:
    """The table as docs/security.md shows it (a unit test keeps the two the same)."""
    rows = [
        "| route | scope | needs | without it | audited |",
        "|---|---|---|---|---|",
    ]
    for (method, path), rule in TABLE.items():
        if rule.admin_only:
            needs, refusal = "tenant admin", "403"
        elif rule.role is None:
            needs = "any caller" if rule.matter is MatterFrom.NONE else "-"
            refusal = "- (answers only what the caller may see)"
        else:
            where = {
                MatterFrom.PATH: "the matter",
                MatterFrom.DOCUMENT: "the document's matter",
                MatterFrom.REQUEST: "the named matter",
            }[rule.matter]
            needs = f"{rule.role.value} in {where}"
            refusal = "404 if no role (as if absent), 403 if a lesser role"
        if rule.matter is MatterFrom.PATH and rule.admin_only:
            refusal = "403; 404 if the admin is screened from the matter"
        audited = "yes" if rule.audited else "no"
        rows.append(
            f"| `{method} {path}` | `{rule.scope.value}` | {needs} | {refusal} | {audited} |"
        )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m lexstream.gateway.authz: the table for docs/security.md
    import sys

    sys.stdout.write(markdown_table())

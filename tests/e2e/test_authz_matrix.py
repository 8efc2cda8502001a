"""The authorization table, tested whole on the running system.

Every route of the table x every kind of caller x every kind of target, each asserting the
exact status the table implies (lexstream.gateway.authz), and that a refusal for an
existing resource the caller may not see has the very body of the refusal for one that does
not exist. The callers: no key, a revoked key, a tenant admin, and an owner, an editor, a
viewer, a non-member and a screened member of matter A, each with the scope sets {read},
{write}, {matters} and {read, write, matters}. The targets: the caller's own matter (A) or a
document in it, another matter (B) or a document in it, and an id that does not exist.

The expectation is computed from the table, not copied from the code: the test fails when a
route answers differently from its rule, or a rule is missing (then ``TABLE[...]`` raises).
"""

from __future__ import annotations

import secrets
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from lexstream.gateway.authz import TABLE, MatterFrom, Rule
from lexstream.gateway.stores import ROLE_RANK, Role, Scope
from tests.e2e.conftest import RunningSystem
from tests.reliability.corpus import text_pdf
from tests.samples import JFK_FLAC, sample
from tests.support.gateway import upload_document

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

ROLES = ("owner", "editor", "viewer", "non-member", "screened")
SCOPE_SETS: dict[str, frozenset[Scope]] = {
    "r": frozenset({Scope.READ}),
    "w": frozenset({Scope.WRITE}),
    "m": frozenset({Scope.MATTERS}),
    "rwm": frozenset({Scope.READ, Scope.WRITE, Scope.MATTERS}),
}
TARGETS = ("own", "other", "missing")
NO_JOB = "0" * 32  # a batch search id nobody has


@dataclass(frozen=True)
class Caller:
    name: str
    key: str | None
    role_in_a: str | None  # one of ROLES, "admin", or None for no key / revoked
    scopes: frozenset[Scope] = frozenset()
    valid: bool = True

    @property
    def admin(self) -> bool:
        return self.role_in_a == "admin"

    def role(self, target: str) -> Role | None:
        """The caller's effective role in the target's matter."""
        if target == "missing":
            return None
        if self.admin:
            return Role.OWNER
        if target == "other" or self.role_in_a in ("non-member", "screened"):
            return None
        return Role(self.role_in_a) if self.role_in_a else None


@dataclass
class World:
    system: RunningSystem
    admin: httpx.Client
    callers: list[Caller]
    matters: dict[str, str]  # own / other / missing / archive-own
    documents: dict[str, str]  # own / other / missing / own-audio
    probe_subject: str
    revocable: list[str] = field(default_factory=list)


def _create_key(admin: httpx.Client, subject: str, scopes: list[str]) -> dict[str, Any]:
    response = admin.post(
        "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": scopes}
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _judgment_text(run: str, side: str = "A") -> bytes:
    return (
        f"Approved Judgment\n\nThe issue\n\n[1] Matrix judgment {run} {side}: the claimant "
        "sues for the price.\n\n[2] The defendant denies the debt.\n\n[3] The claim succeeds."
    ).encode()


def _contract_text(run: str, side: str = "A") -> bytes:
    return (
        f"MUTUAL NON-DISCLOSURE AGREEMENT\n\nThis Agreement is made between Matrix {run} "
        f'{side} Ltd ("Discloser") and Probe Ltd ("Recipient").\n\n1. Confidentiality\n\n'
        "The Recipient shall keep the Information confidential.\n\n2. Governing Law\n\n"
        "This Agreement is governed by the laws of England and Wales."
    ).encode()


def _judgment(suffix: str, kind: str = "judgment") -> Callable[..., Any]:
    def build(world: World, target: str) -> tuple[str, dict[str, Any]]:
        label = f"{target}-{kind}" if target != "missing" else target
        return f"/v1/documents/{world.documents[label]}{suffix}", {}

    return build


@pytest.fixture(scope="module")
def world(running_system: RunningSystem) -> Iterator[World]:
    admin = running_system.client()
    run = secrets.token_hex(3)
    matters = {
        "own": f"MA-{run}",
        "other": f"MB-{run}",
        "archive-own": f"MX-{run}",
        "missing": f"MZ-{run}-none",
    }
    for label in ("own", "other", "archive-own"):
        response = admin.post("/v1/matters", json={"matter_id": matters[label], "name": label})
        assert response.status_code == 201, response.text
    subjects = {role: f"{role}-{run}" for role in ROLES}
    for matter in (matters["own"], matters["archive-own"]):
        for role in ("owner", "editor", "viewer", "screened"):
            member_role = "viewer" if role == "screened" else role
            response = admin.put(
                f"/v1/matters/{matter}/members/{subjects[role]}", json={"role": member_role}
            )
            assert response.status_code == 200, response.text
        response = admin.put(f"/v1/matters/{matter}/screens/{subjects['screened']}")
        assert response.status_code == 200, response.text
    response = admin.put(
        f"/v1/matters/{matters['other']}/members/{'other-owner-' + run}", json={"role": "owner"}
    )
    assert response.status_code == 200, response.text

    callers = [Caller("no-key", None, None, valid=False)]
    revoked = _create_key(admin, subjects["viewer"], ["read", "write", "matters"])
    assert admin.post(f"/v1/apikeys/{revoked['key_id']}/revoke").status_code == 200
    callers.append(Caller("revoked", revoked["key"], None, valid=False))
    admin_key = _create_key(admin, f"admin-{run}", ["admin"])
    callers.append(Caller("admin", admin_key["key"], "admin", frozenset(Scope)))
    for role in ROLES:
        for label, scopes in SCOPE_SETS.items():
            key = _create_key(admin, subjects[role], sorted(s.value for s in scopes))
            callers.append(Caller(f"{role}/{label}", key["key"], role, scopes))

    text = f"Authorization matrix document {run}. The court finds for the plaintiff.".encode()
    documents = {
        "own": upload_document(admin, matters["own"], "own.txt", text, "text/plain"),
        "other": upload_document(admin, matters["other"], "other.txt", text + b" B", "text/plain"),
        "own-audio": upload_document(
            admin, matters["own"], "hearing.flac", sample(JFK_FLAC).read_bytes(), "audio/flac"
        ),
        "other-audio": upload_document(
            admin,
            matters["other"],
            "other.flac",
            sample(JFK_FLAC).read_bytes(),
            "audio/flac",
        ),
        # a PDF each, for the page images (pages.py)
        "own-pdf": upload_document(
            admin, matters["own"], "own.pdf", text_pdf([f"Matrix page {run}"]), "application/pdf"
        ),
        "other-pdf": upload_document(
            admin, matters["other"], "other.pdf", text_pdf([f"Other page {run}"]), "application/pdf"
        ),
        # a judgment each, numbering its paragraphs, for the structure routes
        "own-judgment": upload_document(
            admin, matters["own"], "own-judgment.txt", _judgment_text(run), "text/plain"
        ),
        "other-judgment": upload_document(
            admin, matters["other"], "other-judgment.txt", _judgment_text(run, "B"), "text/plain"
        ),
        # a contract each, for its structure route
        "own-contract": upload_document(
            admin, matters["own"], "own-nda.txt", _contract_text(run), "text/plain"
        ),
        "other-contract": upload_document(
            admin, matters["other"], "other-nda.txt", _contract_text(run, "B"), "text/plain"
        ),
        "missing": str(uuid.uuid4()),
    }
    for label in (
        *("own", "other", "own-audio", "other-audio", "own-pdf", "other-pdf"),
        *("own-judgment", "other-judgment", "own-contract", "other-contract"),
    ):
        final = running_system.wait_terminal(admin, documents[label])
        assert final["status"] == "indexed", (label, final)
    revocable = [_create_key(admin, f"revocable-{run}-{i}", ["read"])["key_id"] for i in range(2)]
    yield World(running_system, admin, callers, matters, documents, f"probe-{run}", revocable)
    admin.close()


@dataclass(frozen=True)
class Case:
    method: str
    template: str
    success: int
    targeted: bool = True
    build: Callable[[World, str], tuple[str, dict[str, Any]]] | None = None


def _doc(suffix: str = "", audio: bool = False, pdf: bool = False) -> Callable[..., Any]:
    def build(world: World, target: str) -> tuple[str, dict[str, Any]]:
        kind = "audio" if audio else "pdf" if pdf else ""
        label = f"{target}-{kind}" if kind and target != "missing" else target
        return f"/v1/documents/{world.documents[label]}{suffix}", {}

    return build


def _matter(suffix: str = "", archive: bool = False, **request: Any) -> Callable[..., Any]:
    def build(world: World, target: str) -> tuple[str, dict[str, Any]]:
        label = "archive-own" if archive and target == "own" else target
        path = f"/v1/matters/{world.matters[label]}{suffix}".replace("{probe}", world.probe_subject)
        return path, dict(request)

    return build


def _upload_case(world: World, target: str) -> tuple[str, dict[str, Any]]:
    body = f"matrix upload {secrets.token_hex(8)}".encode()
    return "/v1/documents", {
        "data": {"matter_id": world.matters[target]},
        "files": {"file": ("matrix.txt", body, "text/plain")},
    }


def _move_case(world: World, target: str) -> tuple[str, dict[str, Any]]:
    # The document moves to the matter it is in: the authorization is that of a real move,
    # and the matrix leaves the documents where they are.
    matter = world.matters["own" if target == "missing" else target]
    return f"/v1/documents/{world.documents[target]}", {"json": {"matter_id": matter}}


def _revoke_case(world: World, target: str) -> tuple[str, dict[str, Any]]:
    # single tenant: no key exists that the admin may not revoke, so both others are unknown ids
    key_id = (
        world.revocable[0] if target == "own" else {"other": "0" * 16, "missing": "f" * 16}[target]
    )
    return f"/v1/apikeys/{key_id}/revoke", {}


_HELD: set[str] = set()  # matters the matrix has put a lasting hold on


def _hold_on(world: World, matter: str, name: str) -> str:
    answer = world.admin.post(
        f"/v1/matters/{matter}/holds",
        json={"name": name, "reason": "authorization matrix", "scope": "matter"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["hold_id"])


def _held_delete_case(world: World, target: str) -> tuple[str, dict[str, Any]]:
    # Both matters are under a lasting hold, so a caller the table lets through gets the 409
    # of a held document: the authorization of a real deletion, and the documents stay.
    for label in ("own", "other"):
        if world.matters[label] not in _HELD:
            _hold_on(world, world.matters[label], "matrix: keep the documents")
            _HELD.add(world.matters[label])
    return f"/v1/documents/{world.documents[target]}", {}


def _release_case(world: World, target: str) -> tuple[str, dict[str, Any]]:
    # a fresh hold for every call (a released one answers 409); none exists in "missing"
    matter = world.matters[target]
    hold_id = "H-" + "0" * 12 if target == "missing" else _hold_on(world, matter, "to release")
    return f"/v1/matters/{matter}/holds/{hold_id}/release", {}


def _plain(path: str, **request: Any) -> Callable[..., Any]:
    return lambda _world, _target: (path, dict(request))


CASES = [
    Case("GET", "/v1/me", 200, False, _plain("/v1/me")),
    Case("GET", "/v1/openapi.json", 200, False, _plain("/v1/openapi.json")),
    Case("GET", "/v1/search", 200, False, _plain("/v1/search", params={"q": "plaintiff"})),
    Case("GET", "/v1/suggest", 200, False, _plain("/v1/suggest", params={"q": "plai"})),
    Case(
        "GET", "/v1/cited-by", 200, False, _plain("/v1/cited-by", params={"citation": "1 U.S. 1"})
    ),
    Case(
        "POST",
        "/v1/search/batches",
        202,
        False,
        _plain("/v1/search/batches", json={"queries": [{"query": "plaintiff"}]}),
    ),
    Case("GET", "/v1/search/batches", 200, False, _plain("/v1/search/batches")),
    # a job is its creator's alone: a job no caller created is a 404 to each (a caller's own
    # job and another's: tests/integration/gateway/test_batch_search.py)
    Case(
        "GET", "/v1/search/batches/{batch_id}", 404, False, _plain(f"/v1/search/batches/{NO_JOB}")
    ),
    Case(
        "GET",
        "/v1/search/batches/{batch_id}/hits",
        404,
        False,
        _plain(f"/v1/search/batches/{NO_JOB}/hits"),
    ),
    # saved searches are their creator's alone: one nobody saved is a 404 to each (a caller's
    # own and another's: tests/integration/gateway/test_saved_searches.py)
    Case(
        "POST",
        "/v1/saved-searches",
        201,
        False,
        _plain("/v1/saved-searches", json={"name": "matrix", "q": "plaintiff"}),
    ),
    Case("GET", "/v1/saved-searches", 200, False, _plain("/v1/saved-searches")),
    Case(
        "DELETE",
        "/v1/saved-searches/{search_id}",
        404,
        False,
        _plain(f"/v1/saved-searches/{NO_JOB}"),
    ),
    Case("GET", "/v1/matters", 200, False, _plain("/v1/matters")),
    Case("POST", "/v1/matters", 201, False, _plain("/v1/matters", json={"name": "m"})),
    Case("GET", "/v1/apikeys", 200, False, _plain("/v1/apikeys")),
    Case(
        "POST",
        "/v1/apikeys",
        201,
        False,
        _plain("/v1/apikeys", json={"subject": "svc-matrix", "name": "m", "scopes": ["read"]}),
    ),
    Case("GET", "/v1/audit", 200, False, _plain("/v1/audit", params={"size": 1})),
    Case("POST", "/v1/apikeys/{key_id}/revoke", 200, True, _revoke_case),
    Case("POST", "/v1/documents", 202, True, _upload_case),
    Case("GET", "/v1/documents/{document_id}", 200, True, _doc()),
    Case("PATCH", "/v1/documents/{document_id}", 200, True, _move_case),
    Case("GET", "/v1/documents/{document_id}/children", 200, True, _doc("/children")),
    Case("GET", "/v1/documents/{document_id}/similar", 200, True, _doc("/similar")),
    Case(
        "GET",
        "/v1/documents/{document_id}/near-duplicates",
        200,
        True,
        _doc("/near-duplicates"),
    ),
    Case("GET", "/v1/documents/{document_id}/thread", 200, True, _doc("/thread")),
    Case("GET", "/v1/documents/{document_id}/text", 200, True, _doc("/text")),
    Case(
        "GET",
        "/v1/documents/{document_id}/pages/{number}.png",
        200,
        True,
        _doc("/pages/1.png", pdf=True),
    ),
    Case("GET", "/v1/documents/{document_id}/transcript", 200, True, _doc("/transcript", True)),
    Case("GET", "/v1/documents/{document_id}/original", 307, True, _doc("/original")),
    Case("GET", "/v1/documents/{document_id}/structure", 200, True, _judgment("/structure")),
    Case(
        "GET",
        "/v1/documents/{document_id}/provisions/{provision_id:path}",
        200,
        True,
        _judgment("/provisions/para:2"),
    ),
    Case(
        "GET",
        "/v1/documents/{document_id}/paragraphs/{number}",
        200,
        True,
        _judgment("/paragraphs/3"),
    ),
    Case(
        "GET",
        "/v1/documents/{document_id}/contract",
        200,
        True,
        _judgment("/contract", kind="contract"),
    ),
    Case("GET", "/v1/documents/{document_id}/authorities", 200, True, _doc("/authorities")),
    Case("GET", "/v1/authorities", 200, False, _plain("/v1/authorities", params={"q": "GDPR"})),
    Case(
        "GET",
        "/v1/authorities/{authority_id:path}",
        200,
        False,
        _plain("/v1/authorities/eu:celex:32016R0679/art:6"),
    ),
    Case("GET", "/v1/matters/{matter_id}/citation-graph", 200, True, _matter("/citation-graph")),
    Case("GET", "/v1/matters/{matter_id}", 200, True, _matter()),
    Case("PATCH", "/v1/matters/{matter_id}", 200, True, _matter(json={"description": "m"})),
    Case(
        "PUT",
        "/v1/matters/{matter_id}/members/{subject}",
        200,
        True,
        _matter("/members/{probe}", json={"role": "viewer"}),
    ),
    Case(
        "DELETE",
        "/v1/matters/{matter_id}/members/{subject}",
        200,
        True,
        _matter("/members/{probe}"),
    ),
    Case(
        "PUT", "/v1/matters/{matter_id}/screens/{subject}", 200, True, _matter("/screens/{probe}")
    ),
    Case(
        "DELETE",
        "/v1/matters/{matter_id}/screens/{subject}",
        200,
        True,
        _matter("/screens/{probe}"),
    ),
    # the processing board, and the replay of failures (the world's matters have none failed)
    Case("GET", "/v1/matters/{matter_id}/board", 200, True, _matter("/board")),
    Case("POST", "/v1/matters/{matter_id}/replay", 200, True, _matter("/replay")),
    # legal holds and retention (a retention of 100 years deletes nothing)
    Case("DELETE", "/v1/documents/{document_id}", 409, True, _held_delete_case),
    Case(
        "POST",
        "/v1/matters/{matter_id}/holds",
        201,
        True,
        _matter("/holds", json={"name": "m", "reason": "matrix", "scope": "matter"}),
    ),
    Case("GET", "/v1/matters/{matter_id}/holds", 200, True, _matter("/holds")),
    Case("POST", "/v1/matters/{matter_id}/holds/{hold_id}/release", 200, True, _release_case),
    Case(
        "PUT",
        "/v1/matters/{matter_id}/retention",
        200,
        True,
        _matter("/retention", json={"delete_after_days": 36500}),
    ),
    Case("GET", "/v1/matters/{matter_id}/retention", 200, True, _matter("/retention")),
    # Last: archiving changes the matter (its "own" target is a copy of A, MX).
    Case("POST", "/v1/matters/{matter_id}/archive", 200, True, _matter("/archive", archive=True)),
]


def expected(case: Case, rule: Rule, caller: Caller, target: str) -> int:
    if not caller.valid:
        return 401
    if rule.scope not in caller.scopes:
        return 403
    if rule.admin_only and not caller.admin:
        return 403
    if not case.targeted:
        return case.success
    if case.template.startswith("/v1/apikeys/"):
        return case.success if target == "own" else 404
    if target == "missing":
        return 404
    if rule.admin_only:
        return case.success
    if rule.matter is MatterFrom.NONE:
        return case.success
    role = caller.role(target)
    if role is None:
        return 404
    assert rule.role is not None
    if ROLE_RANK[role] < ROLE_RANK[rule.role]:
        return 403
    if case.template == "/v1/documents/{document_id}" and case.method == "PATCH":
        return case.success  # editor of the document's matter and of the target (the same)
    return case.success


def _request(
    client: httpx.Client, case: Case, path: str, request: dict[str, Any]
) -> httpx.Response:
    return client.request(case.method, path, follow_redirects=False, **request)


def test_every_route_scope_role_and_target(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = {(c.method, c.template) for c in CASES}
    assert routes == set(TABLE), f"cases and table differ: {routes ^ set(TABLE)}"
    failures: list[str] = []
    leaks: list[str] = []
    statuses: Counter[int] = Counter()
    base = world.system.gateway_url
    for case in CASES:
        rule = TABLE[(case.method, case.template)]
        assert case.build is not None
        for caller in world.callers:
            headers = {"X-API-Key": caller.key} if caller.key else {}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                bodies: dict[str, tuple[int, bytes]] = {}
                for target in TARGETS if case.targeted else ("own",):
                    path, call = case.build(world, target)
                    response = _request(client, case, path, call)
                    want = expected(case, rule, caller, target)
                    statuses[response.status_code] += 1
                    bodies[target] = (response.status_code, response.content)
                    if response.status_code != want:
                        failures.append(
                            f"{case.method} {case.template} as {caller.name} on {target}: "
                            f"{response.status_code} (want {want}) {response.text[:160]}"
                        )
                other, missing = bodies.get("other"), bodies.get("missing")
                # a refusal of the other matter's resource must read as its absence; an answer
                # the caller is entitled to is no refusal, even a 4xx (the 409 of a held
                # document's deletion, for an admin)
                refused = case.targeted and expected(case, rule, caller, "other") != case.success
                if other and missing and refused and other[0] >= 400 and other != missing:
                    leaks.append(
                        f"{case.method} {case.template} as {caller.name}: the refusal for an "
                        f"existing resource differs from the one for none: "
                        f"{other[0]} {other[1][:100]!r} vs {missing[0]} {missing[1][:100]!r}"
                    )
    total = sum(statuses.values())
    with capsys.disabled():  # the size of the matrix, in the test run's own output
        sys.stdout.write(
            f"\nauthorization matrix: {total} requests over {len(CASES)} routes x "
            f"{len(world.callers)} callers, statuses {dict(sorted(statuses.items()))}\n"
        )
    assert not failures, f"{len(failures)} of {total} cases answered wrongly:\n" + "\n".join(
        failures[:60]
    )
    assert not leaks, "\n".join(leaks[:40])
    assert total >= len(CASES) * len(world.callers)

"""Every gateway route has an entry in the authorization table, and enforces it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from lexstream.gateway.app import create_app
from lexstream.gateway.authz import PUBLIC, TABLE, MatterFrom, authorized
from lexstream.gateway.settings import GatewaySettings
from lexstream.gateway.stores import Scope


@pytest.fixture(scope="module")
def app() -> FastAPI:
    # Building the app opens no connection: clients connect in the lifespan.
    return create_app(GatewaySettings(bootstrap_admin_key="unit-test-admin-key-0123456789"))


def _flatten(routes: list[Any]) -> list[Any]:
    """Every served route; FastAPI >= 0.165 wraps included routers (their routes are inside)."""
    found: list[Any] = []
    for route in routes:
        if hasattr(route, "effective_candidates"):
            found.extend(_flatten(route.effective_candidates()))
        elif isinstance(route, APIRoute) or hasattr(route, "dependant"):
            found.append(route)
    return found


def _routes(app: FastAPI) -> list[tuple[str, str, Any]]:
    return [
        (method, route.path, route)
        for route in _flatten(list(app.router.routes))
        for method in sorted(set(route.methods or ()) - {"HEAD", "OPTIONS"})
    ]


def test_the_app_serves_routes(app: FastAPI) -> None:
    # The walk above must see the routers' routes, or the checks below would pass on nothing.
    assert len(_routes(app)) >= len(TABLE)


def _calls(dependant: Dependant) -> list[Any]:
    found = [dependant.call]
    for sub in dependant.dependencies:
        found.extend(_calls(sub))
    return found


def test_every_route_has_an_entry(app: FastAPI) -> None:
    missing = [(m, p) for m, p, _ in _routes(app) if (m, p) not in TABLE and (m, p) not in PUBLIC]
    assert missing == [], f"routes without an authorization rule: {missing}"


def test_every_entry_names_a_route(app: FastAPI) -> None:
    served = {(m, p) for m, p, _ in _routes(app)}
    stale = sorted(set(TABLE) - served)
    assert stale == [], f"authorization rules for routes that do not exist: {stale}"


def test_every_protected_route_goes_through_the_table(app: FastAPI) -> None:
    bypassing = [
        (m, p)
        for m, p, route in _routes(app)
        if (m, p) in TABLE and authorized not in _calls(route.dependant)
    ]
    assert bypassing == [], f"routes that do not depend on authz.authorized: {bypassing}"


def test_public_routes_carry_no_data() -> None:
    # Health probes and the static page only: nothing that reads a document or a matter.
    assert {p for _, p in PUBLIC} <= {"/health/live", "/health/ready", "/", "/ui/{name}"}


def test_matter_administration_needs_more_than_read() -> None:
    # Finding 1: a read-only key of a matter's owner administered the matter.
    for (method, path), rule in TABLE.items():
        if path.startswith("/v1/matters/{matter_id}") and method != "GET":
            assert rule.scope in (Scope.MATTERS, Scope.ADMIN), (method, path)
            assert rule.matter is MatterFrom.PATH
        if "/screens/" in path:
            assert rule.admin_only
            assert rule.scope is Scope.ADMIN
            assert rule.audited


def test_every_read_of_documents_is_audited() -> None:
    reads = [
        (m, p)
        for (m, p), rule in TABLE.items()
        if rule.matter is MatterFrom.DOCUMENT or p in ("/v1/search", "/v1/suggest", "/v1/cited-by")
    ]
    assert reads
    assert all(TABLE[r].audited for r in reads)


def test_the_documented_table_is_the_codes() -> None:
    from pathlib import Path

    from lexstream.gateway.authz import markdown_table

    doc = (Path(__file__).resolve().parents[3] / "docs" / "security.md").read_text()
    start, end = "<!-- authz-table:start -->\n", "<!-- authz-table:end -->"
    documented = doc[doc.index(start) + len(start) : doc.index(end)]
    assert documented == markdown_table(), (
        "docs/security.md is stale: paste `python -m lexstream.gateway.authz` between its markers"
    )


def test_a_documents_structure_is_read_as_its_text_is() -> None:
    # a provision or paragraph is the document's text: the same rule, audited, 404 if unseen
    text = TABLE[("GET", "/v1/documents/{document_id}/text")]
    for path in (
        "/v1/documents/{document_id}/structure",
        "/v1/documents/{document_id}/provisions/{provision_id:path}",
        "/v1/documents/{document_id}/paragraphs/{number}",
        "/v1/documents/{document_id}/contract",
    ):
        assert TABLE[("GET", path)] == text, path
        assert TABLE[("GET", path)].matter is MatterFrom.DOCUMENT

"""A stateful schemathesis run over the gateway's linked operations (issue 13, Deliverable 2).

Create a matter -> add a member -> upload into it -> read the document (metadata, text,
original, children) -> move it. The gateway's OpenAPI document gets OpenAPI ``links`` for
that chain (:func:`linked_document`), keeping only the operations in it, and schemathesis'
state machine chains generated requests along them. A run fails on any 5xx and on any answer
that shows something of a matter the fuzzing key may not see: a matter and a document seeded
there by an admin (:class:`Secret`), whose id, matter id and filename must never appear.

Used by tests/e2e/test_gateway_stateful.py (the gateway as a process) and
tests/integration/gateway/test_stateful_inprocess.py (the gateway in-process, on uvicorn).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error

#: the chain, as (method, path); the first is where every scenario starts
CHAIN = (
    ("post", "/v1/matters"),
    ("put", "/v1/matters/{matter_id}/members/{subject}"),
    ("post", "/v1/documents"),
    ("get", "/v1/documents/{document_id}"),
    ("get", "/v1/documents/{document_id}/text"),
    ("get", "/v1/documents/{document_id}/original"),
    ("get", "/v1/documents/{document_id}/children"),
    ("patch", "/v1/documents/{document_id}"),
    ("get", "/v1/matters/{matter_id}"),
)


def _operation_id(document: dict[str, Any], method: str, path: str) -> str:
    operation_id: str = document["paths"][path][method]["operationId"]
    return operation_id


def _link(
    document: dict[str, Any], method: str, path: str, parameters: dict[str, str]
) -> dict[str, Any]:
    return {"operationId": _operation_id(document, method, path), "parameters": parameters}


def linked_document(document: dict[str, Any]) -> dict[str, Any]:
    """The gateway's document, only the chain's operations, with links between them."""
    linked = copy.deepcopy(document)
    keep = {(m, p) for m, p in CHAIN}
    for path in list(linked["paths"]):
        for method in list(linked["paths"][path]):
            if (method, path) not in keep:
                del linked["paths"][path][method]
        if not linked["paths"][path]:
            del linked["paths"][path]

    def add(method: str, path: str, status: str, links: dict[str, dict[str, Any]]) -> None:
        response = linked["paths"][path][method]["responses"].setdefault(
            status, {"description": status}
        )
        response.setdefault("links", {}).update(links)

    matter = "$response.body#/matter_id"
    document_id = "$response.body#/document_id"
    add(
        "post",
        "/v1/matters",
        "201",
        {
            "AddMember": _link(
                linked,
                "put",
                "/v1/matters/{matter_id}/members/{subject}",
                {"path.matter_id": matter},
            ),
            "Upload": _link(linked, "post", "/v1/documents", {"query.matter_id": matter}),
            "ReadMatter": _link(
                linked, "get", "/v1/matters/{matter_id}", {"path.matter_id": matter}
            ),
        },
    )
    add(
        "put",
        "/v1/matters/{matter_id}/members/{subject}",
        "200",
        {"Upload": _link(linked, "post", "/v1/documents", {"query.matter_id": matter})},
    )
    reads = {
        f"Read{name}": _link(linked, "get", path, {"path.document_id": document_id})
        for name, path in (
            ("Document", "/v1/documents/{document_id}"),
            ("Text", "/v1/documents/{document_id}/text"),
            ("Original", "/v1/documents/{document_id}/original"),
            ("Children", "/v1/documents/{document_id}/children"),
        )
    }
    move = _link(linked, "patch", "/v1/documents/{document_id}", {"path.document_id": document_id})
    add("post", "/v1/documents", "202", {**reads, "Move": move})
    add("get", "/v1/documents/{document_id}", "200", {"Move": move})
    return linked


@dataclass(frozen=True)
class Secret:
    """A matter and a document in it that the fuzzing key may not see."""

    matter_id: str
    document_id: str
    filename: str

    def markers(self) -> tuple[str, ...]:
        return (self.matter_id, self.document_id, self.filename)


def seed_secret(client: httpx.Client) -> Secret:
    """With an admin's client: a matter of its own and a document in it."""
    nonce = time.time_ns()
    matter_id = f"SECRET-{nonce}"
    created = client.post("/v1/matters", json={"matter_id": matter_id, "name": "walled off"})
    assert created.status_code == 201, created.text
    filename = f"privileged-{nonce}.txt"
    upload = client.post(
        "/v1/documents",
        data={"matter_id": matter_id},
        files={"file": (filename, f"privileged advice {nonce}".encode(), "text/plain")},
    )
    assert upload.status_code == 202, upload.text
    return Secret(matter_id, upload.json()["document_id"], filename)


def fuzzing_key(client: httpx.Client) -> str:
    """With an admin's client: a key for a new subject with every scope but admin."""
    created = client.post(
        "/v1/apikeys",
        json={
            "subject": f"fuzzer-{time.time_ns()}",
            "name": "stateful schemathesis",
            "scopes": ["read", "write", "matters"],
        },
    )
    assert created.status_code == 201, created.text
    key: str = created.json()["key"]
    return key


def run_stateful(
    document: dict[str, Any],
    *,
    base_url: str,
    key: str,
    secret: Secret,
    max_examples: int = 25,
    step_count: int = 8,
) -> list[tuple[str, str, int]]:
    """Run the state machine: the calls it made as (method, path template, status); an
    AssertionError on a finding."""
    schema = schemathesis.openapi.from_dict(linked_document(document))
    calls: list[tuple[str, str, int]] = []

    def no_foreign_data(_ctx: Any, response: Any, case: Any) -> bool:
        shown = response.text or ""
        location = response.headers.get("location") or []
        shown += " ".join(location) if isinstance(location, list) else str(location)
        leaked = [marker for marker in secret.markers() if marker in shown]
        assert not leaked, f"{case.method} {case.formatted_path} showed {leaked}"
        return True

    class Fuzzing(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, _case: Any) -> dict[str, Any]:
            return {"base_url": base_url, "headers": {"X-API-Key": key}, "timeout": 60}

        def after_call(self, response: Any, case: Any) -> None:
            calls.append((case.method.upper(), case.path, response.status_code))

        def validate_response(
            self, response: Any, case: Any, _additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                checks=[not_a_server_error, no_foreign_data],
                transport_kwargs=kwargs or None,
            )

    run_state_machine_as_test(
        Fuzzing,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=step_count,
            deadline=None,
            database=None,
            derandomize=True,  # the same walk each run: a finding reproduces
            suppress_health_check=list(HealthCheck),
        ),
    )
    return calls

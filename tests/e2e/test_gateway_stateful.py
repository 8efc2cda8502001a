"""Linked operations on the gateway running as a process with the other services: a
non-admin key creates two matters, adds a member, uploads, reads and moves its document, and
no answer shows the id, matter or filename of a document in a matter the key may not see.

The stateful schemathesis walk over the same links runs in-process on the real stack
(tests/integration/gateway/test_stateful_inprocess.py): against the services as processes
its replays are not reproducible (documents change state between a run and its replay, and
Hypothesis rightly refuses such a walk as flaky), so here the chain runs step by step."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.support.stateful import fuzzing_key, seed_secret

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def test_linked_operations_show_no_foreign_data(
    running_system: RunningSystem,
) -> None:
    with running_system.client() as admin:
        secret = seed_secret(admin)
        running_system.wait_terminal(admin, secret.document_id)
        key = fuzzing_key(admin)

    # the linked chain, step by step, with a non-admin key
    with httpx.Client(
        base_url=running_system.gateway_url, headers={"X-API-Key": key}, timeout=60
    ) as client:
        first = client.post("/v1/matters", json={"name": "linked one"})
        second = client.post("/v1/matters", json={"name": "linked two"})
        assert first.status_code == second.status_code == 201, (first.text, second.text)
        one, two = first.json()["matter_id"], second.json()["matter_id"]
        member = client.put(f"/v1/matters/{one}/members/colleague-{one}", json={"role": "viewer"})
        assert member.status_code == 200, member.text
        upload = client.post(
            "/v1/documents",
            data={"matter_id": one},
            files={"file": ("linked.txt", b"linked operations", "text/plain")},
        )
        assert upload.status_code == 202, upload.text
        document_id = upload.json()["document_id"]
        final = running_system.wait_terminal(client, document_id)
        assert final["status"] == "indexed", final
        moved = client.patch(f"/v1/documents/{document_id}", json={"matter_id": two})
        assert moved.status_code == 200, moved.text
        for path in (
            f"/v1/documents/{document_id}",
            f"/v1/documents/{secret.document_id}",
            f"/v1/matters/{secret.matter_id}",
            "/v1/search?q=privileged",
        ):
            answer = client.get(path)
            assert answer.status_code < 500, (path, answer.text)
            assert not [m for m in secret.markers() if m in answer.text], (path, answer.text)
        assert client.get(f"/v1/documents/{secret.document_id}").status_code == 404

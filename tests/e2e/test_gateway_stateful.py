"""The stateful schemathesis run (tests/support/stateful.py) against the gateway running as a
process with the other services: linked operations (create matter -> add member -> upload ->
read -> move) with a non-admin key; any 5xx, or any answer showing the id, matter or filename
of a document in a matter that key may not see, fails."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.support.stateful import fuzzing_key, run_stateful, seed_secret

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def test_stateful_linked_operations_no_5xx_and_no_foreign_reads(
    running_system: RunningSystem,
) -> None:
    with running_system.client() as admin:
        document = admin.get("/v1/openapi.json").json()
        secret = seed_secret(admin)
        running_system.wait_terminal(admin, secret.document_id)
        key = fuzzing_key(admin)
    calls = run_stateful(
        document,
        base_url=running_system.gateway_url,
        key=key,
        secret=secret,
        max_examples=50,
        step_count=8,
    )
    walked = "; ".join(f"{m} {p} {s}" for m, p, s in sorted(set(calls)))
    # the chain was walked, not skipped: matters made and uploads into them accepted (which
    # reads the walk then makes depends on timing here; tests/integration/gateway/
    # test_stateful_inprocess.py asserts them on the same state machine)
    assert ("POST", "/v1/matters", 201) in calls, walked
    assert ("POST", "/v1/documents", 202) in calls, walked

    # and the same chain once, step by step, with the fuzzing key
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

"""The stateful schemathesis run (tests/support/stateful.py) against the gateway running as a
process with the other services: linked operations (create matter -> add member -> upload ->
read -> move) with a non-admin key; any 5xx, or any answer showing the id, matter or filename
of a document in a matter that key may not see, fails."""

from __future__ import annotations

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
        document, base_url=running_system.gateway_url, key=key, secret=secret, max_examples=50
    )
    assert ("POST", "/v1/documents", 202) in calls
    reads = [c for c in calls if c[0] == "GET" and c[1].startswith("/v1/documents/")]
    assert any(status == 200 for _, _, status in reads), calls

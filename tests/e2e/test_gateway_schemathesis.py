"""schemathesis against the gateway's OpenAPI document on the real stack.

Every operation gets generated requests (valid and invalid: odd strings, missing fields, wrong
types) sent with the admin key to the running gateway. Any 5xx fails the test, and so does an
answer whose body or media type is not the one the document declares for its status code (the
response models of ``lexstream.gateway.schemas``; ``tests/unit/gateway/test_openapi_contract.py``
checks the same schemas without a stack).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.generation import GenerationMode

from tests.e2e.conftest import RunningSystem

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

#: no 5xx, and every documented answer's body and media type as the document says
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def gateway_schema(running_system: RunningSystem) -> Any:
    with running_system.client() as client:
        document = client.get("/v1/openapi.json").json()
    return schemathesis.openapi.from_dict(document)


def test_no_server_errors_and_answers_match_the_schema(
    gateway_schema: Any, running_system: RunningSystem
) -> None:
    """Valid and invalid requests for every operation (schemathesis' strategies, Hypothesis)."""
    headers = {"X-API-Key": running_system.admin_key}
    failures: list[str] = []
    operations = 0
    for result in gateway_schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/health/"):
            continue  # their answers depend on the stack, not on the request
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=15,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def check(case: Any) -> None:
                response = case.call(
                    base_url=running_system.gateway_url, headers=headers, timeout=60
                )
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Exception as exc:
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {exc}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)


def test_the_schema_lists_every_public_route(running_system: RunningSystem) -> None:
    with running_system.client() as client:
        paths = set(client.get("/v1/openapi.json").json()["paths"])
    assert {
        "/v1/search",
        "/v1/cited-by",
        "/v1/suggest",
        "/v1/documents",
        "/v1/documents/{document_id}",
        "/v1/documents/{document_id}/text",
        "/v1/documents/{document_id}/transcript",
        "/v1/documents/{document_id}/original",
        "/v1/documents/{document_id}/children",
        "/v1/documents/{document_id}/similar",
        "/v1/matters",
        "/v1/matters/{matter_id}",
        "/v1/apikeys",
        "/v1/audit",
        "/v1/me",
    } <= paths
    assert httpx.get(f"{running_system.gateway_url}/v1/openapi.json").status_code == 401

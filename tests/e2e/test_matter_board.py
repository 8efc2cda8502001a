"""A matter's processing board through the running system: counts by status, failures with
their reasons, the walls around it, and an admin's replay of the failures (never of a
document under legal hold)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.support.launcher import admin_client
from tests.support.wait import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def upload(client: httpx.Client, matter: str, name: str, data: bytes, media: str) -> str:
    response = client.post(
        "/v1/documents", data={"matter_id": matter}, files={"file": (name, data, media)}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["document_id"])


def key_for(client: httpx.Client, subject: str, scopes: list[str]) -> str:
    response = client.post(
        "/v1/apikeys", json={"subject": subject, "name": subject, "scopes": scopes}
    )
    assert response.status_code in (200, 201), response.text
    return str(response.json()["key"])


def status_of(client: httpx.Client, document_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/documents/{document_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_board_counts_the_matter_and_an_admin_replays_its_failures(
    running_system: RunningSystem,
) -> None:
    run = str(time.time_ns())
    matter, other = f"BOARD-{run}", f"BOARD-OTHER-{run}"
    viewer, outsider, screened = (f"board-{who}-{run}" for who in ("viewer", "outsider", "wall"))
    with running_system.client() as admin:
        for m in (matter, other):
            assert admin.post("/v1/matters", json={"matter_id": m, "name": m}).status_code == 201
        keys = {s: key_for(admin, s, ["read", "write"]) for s in (viewer, outsider, screened)}
        for subject, m in ((viewer, matter), (outsider, other), (screened, matter)):
            granted = admin.put(f"/v1/matters/{m}/members/{subject}", json={"role": "editor"})
            assert granted.status_code == 200, granted.text
        assert admin.put(f"/v1/matters/{matter}/screens/{screened}").status_code == 200

        good = [
            upload(admin, matter, f"note-{n}.txt", f"Board note {n} {run}".encode(), "text/plain")
            for n in range(3)
        ]
        broken = upload(admin, matter, "broken.pdf", b"%PDF-1.7\n", "application/pdf")
        elsewhere = upload(admin, other, "other.txt", b"Another matter's note", "text/plain")
        for document_id in [*good, broken, elsewhere]:
            running_system.wait_terminal(admin, document_id)
        assert status_of(admin, broken)["status"] == "failed"

        board = admin.get(f"/v1/matters/{matter}/board")
        assert board.status_code == 200, board.text
        body = board.json()
        assert body["total"] == 4  # not the other matter's document
        assert body["by_status"] == {"indexed": 3, "failed": 1}
        assert body["in_progress_by_stage"] == {}
        assert [f["document_id"] for f in body["failures"]] == [broken]
        assert body["failures"][0]["filename"] == "broken.pdf"
        assert len(body["failures"][0]["failure_reason"]) > 10

    # a member sees the board; a member of another matter and a screened member get 404
    with admin_client(running_system.gateway_url, keys[viewer]) as member:
        assert member.get(f"/v1/matters/{matter}/board").json()["total"] == 4
        # replaying is for tenant admins, even for an editor of the matter
        assert member.post(f"/v1/matters/{matter}/replay").status_code == 403
    for subject in (outsider, screened):
        with admin_client(running_system.gateway_url, keys[subject]) as stranger:
            assert stranger.get(f"/v1/matters/{matter}/board").status_code == 404
            assert stranger.post(f"/v1/matters/{matter}/replay").status_code in (403, 404)

    with running_system.client() as admin:
        replay = admin.post(f"/v1/matters/{matter}/replay")
        assert replay.status_code == 200, replay.text
        assert replay.json()["replayed"] == [broken]
        assert replay.json()["skipped"] == []

        # the worker took it again: the same document fails again, later, with its reason
        def failed_again() -> dict[str, Any] | None:
            now = admin.get(f"/v1/matters/{matter}/board").json()
            failure = now["failures"][0] if now["failures"] else {}
            later = str(failure.get("updated_at")) > str(body["failures"][0]["updated_at"])
            return now if later else None

        again = eventually(failed_again, what="the replayed document failed again", timeout_s=120)
        assert again["by_status"] == {"indexed": 3, "failed": 1}
        assert again["failures"][0]["document_id"] == broken
        assert again["failures"][0]["failure_reason"]

        # under a legal hold nothing is replayed
        hold = admin.post(
            f"/v1/matters/{matter}/holds",
            json={"name": "board", "reason": "litigation", "scope": "matter"},
        )
        assert hold.status_code == 201, hold.text
        held = admin.post(f"/v1/matters/{matter}/replay").json()
        assert held["replayed"] == []
        assert [s["document_id"] for s in held["skipped"]] == [broken]
        assert "legal hold" in held["skipped"][0]["reason"]

from __future__ import annotations

from lexstream.index.status import RANK
from lexstream.shared.events import DocumentStatus


def test_status_only_moves_forward() -> None:
    order = [
        DocumentStatus.RECEIVED,
        DocumentStatus.STORED,
        DocumentStatus.EXTRACTING,
        DocumentStatus.INDEXED,
    ]
    ranks = [RANK[s] for s in order]
    assert ranks == sorted(ranks)
    assert RANK[DocumentStatus.FAILED] == RANK[DocumentStatus.INDEXED]
    assert RANK[DocumentStatus.TRANSCRIBING] == RANK[DocumentStatus.EXTRACTING]


def test_events_in_any_order_end_in_the_same_record() -> None:
    from datetime import UTC, datetime, timedelta

    from lexstream.index.status import apply_status

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    events = [
        (DocumentStatus.STORED, t0, {}, {"filename": "a.pdf"}),
        (DocumentStatus.EXTRACTING, t0 + timedelta(seconds=1), {"stage": "ocr"}, {}),
        (DocumentStatus.INDEXED, t0 + timedelta(seconds=2), {"failure_reason": None}, {}),
    ]
    forward: dict[str, object] = {}
    for status, at, fields, always in events:
        forward = apply_status(forward, status=status, at=at, fields=fields, always=always)
    backward: dict[str, object] = {}
    for status, at, fields, always in reversed(events):
        backward = apply_status(backward, status=status, at=at, fields=fields, always=always)
    assert forward["status"] == backward["status"] == "indexed"
    assert forward["filename"] == backward["filename"] == "a.pdf"
    assert forward["stages"] == backward["stages"]


def test_a_later_replay_turns_failed_into_indexed() -> None:
    from datetime import UTC, datetime, timedelta

    from lexstream.index.status import apply_status

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    record = apply_status(
        {},
        status=DocumentStatus.FAILED,
        at=t0,
        fields={"failure_reason": "S3 object missing"},
        always={},
    )
    record = apply_status(
        record,
        status=DocumentStatus.INDEXED,
        at=t0 + timedelta(minutes=5),
        fields={"failure_reason": None},
        always={},
    )
    assert record["status"] == "indexed"
    assert record["failure_reason"] is None
    stale = apply_status(
        record, status=DocumentStatus.EXTRACTING, at=t0 + timedelta(minutes=6), fields={}, always={}
    )
    assert stale["status"] == "indexed"


def test_a_replayed_event_does_not_undo_a_move() -> None:
    from datetime import UTC, datetime, timedelta

    from lexstream.index.status import apply_status

    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    record = apply_status(
        {}, status=DocumentStatus.STORED, at=t0, fields={}, always={"matter_id": "A"}
    )
    record = {**record, "matter_id": "B"}  # moved by an editor through the gateway
    replayed = apply_status(
        record,
        status=DocumentStatus.INDEXED,
        at=t0 + timedelta(minutes=1),
        fields={},
        always={"matter_id": "A"},
    )
    assert replayed["matter_id"] == "B"

"""BulkWriter's rules with a scripted client: bounds, per-item outcomes, retries."""

from __future__ import annotations

from typing import Any

import pytest

from lexstream.index.bulk import BulkAction, BulkWriter, chunks
from lexstream.shared.errors import TransientError


class ScriptedBulk:
    """Answers each _bulk item with the next status scripted for its id (then 201)."""

    def __init__(self, script: dict[str, list[int]]) -> None:
        self.script = script
        self.requests: list[list[bytes]] = []

    # the client's keyword-only signature: BulkWriter passes refresh= too
    async def bulk(self, *, operations: list[bytes], refresh: bool) -> dict[str, Any]:  # noqa: ARG002
        self.requests.append(operations)
        items = []
        for lines in operations:
            key = lines.split(b'"_id": "')[1].split(b'"')[0].decode()
            statuses = self.script.get(key, [])
            status = statuses.pop(0) if statuses else 201
            outcome: dict[str, Any] = {"_id": key, "status": status}
            if status >= 300:
                outcome["error"] = {"type": "mapper_parsing_exception", "reason": "bad date"}
            items.append({"index": outcome})
        return {"errors": True, "items": items}


def writer(client: ScriptedBulk, **options: Any) -> BulkWriter:
    return BulkWriter(client, max_wait_s=0.0, **options)  # type: ignore[arg-type]


def action(key: str, size: int = 10) -> BulkAction:
    return BulkAction(key, "idx", {"content": "x" * size})


async def test_a_mapping_error_fails_one_document_and_the_rest_are_written() -> None:
    client = ScriptedBulk({"b": [400]})
    result = await writer(client).write([action("a"), action("b"), action("c")])
    assert result.written == {"a", "c"}
    assert set(result.failed) == {"b"}
    assert "mapper_parsing_exception" in result.failed["b"]
    assert len(client.requests) == 1


async def test_429_and_5xx_items_are_retried_alone() -> None:
    client = ScriptedBulk({"b": [429, 503], "c": [502]})
    result = await writer(client).write([action("a"), action("b"), action("c")])
    assert result.written == {"a", "b", "c"}
    assert not result.failed
    assert [len(r) for r in client.requests] == [3, 2, 1]
    assert result.retries == 2


async def test_items_still_rejected_after_the_attempts_raise_transient() -> None:
    client = ScriptedBulk({"a": [429] * 10})
    with pytest.raises(TransientError):
        await writer(client, attempts=3).write([action("a")])
    assert len(client.requests) == 3


async def test_the_last_action_for_a_key_wins() -> None:
    client = ScriptedBulk({})
    first = BulkAction("a", "idx", {"v": 1})
    last = BulkAction("a", "idx", {"v": 2})
    await writer(client).write([first, last])
    assert client.requests == [[last.lines()]]


def test_requests_are_bounded_by_bytes_and_count() -> None:
    encoded = [(a, a.lines()) for a in (action(str(n), 1_000) for n in range(10))]
    by_bytes = list(chunks(encoded, max_bytes=3_500, max_actions=100))
    assert [len(c) for c in by_bytes] == [3, 3, 3, 1]
    by_count = list(chunks(encoded, max_bytes=10**9, max_actions=4))
    assert [len(c) for c in by_count] == [4, 4, 2]
    huge = [(a, a.lines()) for a in (action("big", 10_000), action("small"))]
    assert [len(c) for c in chunks(huge, max_bytes=5_000, max_actions=100)] == [1, 1]


def test_lone_surrogates_never_reach_the_node() -> None:
    lines = BulkAction("a", "idx", {"text": "bad \ud800 char"}).lines()
    lines.decode("utf-8")  # valid UTF-8

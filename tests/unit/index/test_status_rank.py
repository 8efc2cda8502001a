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

from __future__ import annotations

import json
from pathlib import Path

from lexstream.shared.asyncapi import document
from lexstream.shared.events import Topics

DOC = Path(__file__).parents[3] / "docs" / "asyncapi.json"


def test_every_topic_has_a_channel_with_its_payload_schema() -> None:
    spec = document("acme")
    addresses = {c["address"] for c in spec["channels"].values()}
    topics = Topics("acme")
    assert topics.submitted in addresses and topics.text_extracted in addresses
    submitted = spec["components"]["schemas"]["DocumentSubmitted"]
    assert {"source", "external_id", "filename"} <= set(submitted["required"])


def test_committed_document_is_current() -> None:
    """docs/asyncapi.json is regenerated with `python -m lexstream.shared.asyncapi`."""
    assert json.loads(DOC.read_text()) == json.loads(json.dumps(document()))

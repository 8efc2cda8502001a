from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from lexstream.shared.errors import PermanentError
from lexstream.shared.events import (
    DocumentSubmitted,
    ObjectRef,
    OcrRequested,
    Topics,
)
from lexstream.shared.kafka import decode


def test_topic_names_follow_the_convention() -> None:
    topics = Topics("acme")
    assert topics.submitted == "acme.documents.submitted.v1"
    assert topics.text_extracted == "acme.text.extracted.v1"
    assert Topics.dlq(topics.ocr_requested) == "acme.ocr.requested.v1.dlq"
    assert len(set(topics.all())) == len(topics.all())


def test_event_envelope_round_trips_and_is_frozen() -> None:
    event = OcrRequested(
        document_id="d1",
        original=ObjectRef(bucket="b", key="sha256/ab/abc"),
        media_type="application/pdf",
        filename="x.pdf",
    )
    payload = event.model_dump_event()
    assert payload["event_type"] == "ocr.requested"
    assert payload["schema_version"] == 1
    again = decode(json.dumps(payload).encode(), OcrRequested)
    assert again == event
    with pytest.raises(ValidationError):
        event.document_id = "other"  # type: ignore[misc]


def test_unknown_schema_version_is_a_permanent_error() -> None:
    payload = OcrRequested(
        document_id="d1",
        original=ObjectRef(bucket="b", key="k"),
        media_type="application/pdf",
        filename="x.pdf",
    ).model_dump_event()
    payload["schema_version"] = 7
    with pytest.raises(PermanentError, match="unsupported schema_version 7"):
        decode(json.dumps(payload).encode(), OcrRequested)


def test_invalid_json_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError, match="invalid OcrRequested"):
        decode(b"{not json", OcrRequested)


def test_submission_needs_exactly_one_payload() -> None:
    with pytest.raises(ValidationError, match="exactly one of object_uri or content_base64"):
        DocumentSubmitted(source="dms", external_id="1", filename="a.pdf")
    with pytest.raises(ValidationError):
        DocumentSubmitted(
            source="dms",
            external_id="1",
            filename="a.pdf",
            object_uri="s3://b/k",
            content_base64="AA==",
        )
    ok = DocumentSubmitted(source="dms", external_id="1", filename="a.pdf", object_uri="s3://b/k")
    assert ObjectRef.parse(ok.object_uri or "") == ObjectRef(bucket="b", key="k")


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("http://b/k", "not an s3:// URI"),
        ("s3://bucket-only", "needs a bucket and a key"),
        ("s3:///key", "needs a bucket and a key"),
    ],
)
def test_object_uri_must_name_bucket_and_key(uri: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        ObjectRef.parse(uri)

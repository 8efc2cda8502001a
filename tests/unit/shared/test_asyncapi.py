from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from faststream.kafka import KafkaRouter

from lexstream.index.handlers import build_router as index_router
from lexstream.index.settings import IndexSettings
from lexstream.ingest.handlers import ingest_router
from lexstream.ingest.settings import IngestSettings
from lexstream.ocr.handlers import build_router as ocr_router
from lexstream.ocr.settings import OcrSettings
from lexstream.shared.asyncapi import (
    CHANNELS,
    OUTSIDE,
    SERVICE_MODULES,
    document,
    property_names,
    service_uses,
)
from lexstream.shared.events import Topics
from lexstream.transcribe.handlers import build_router as transcribe_router
from lexstream.transcribe.settings import TranscribeSettings

DOC = Path(__file__).parents[3] / "docs" / "asyncapi.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return document("acme")


def _parties(spec: dict[str, Any], action: str) -> dict[str, set[str]]:
    """Channel address -> the parties with an operation of ``action`` on it."""
    found: dict[str, set[str]] = {}
    for operation in spec["operations"].values():
        if operation["action"] != action:
            continue
        channel = spec["channels"][operation["channel"]["$ref"].removeprefix("#/channels/")]
        found.setdefault(channel["address"], set()).add(operation["summary"].split(" ")[0])
    return found


def test_every_topic_has_a_payload_model() -> None:
    assert set(property_names(Topics("acme")).values()) == set(CHANNELS)


def test_every_topic_is_a_channel_with_a_sender_and_a_receiver(spec: dict[str, Any]) -> None:
    topics = Topics("acme").all()
    assert {c["address"] for c in spec["channels"].values()} == set(topics)
    senders, receivers = _parties(spec, "send"), _parties(spec, "receive")
    assert [t for t in topics if not senders.get(t)] == [], "topics nobody sends"
    assert [t for t in topics if not receivers.get(t)] == [], "topics nobody receives"


def test_a_topic_without_a_receiver_is_caught() -> None:
    """The check above can fail: drop the index's declaration and its topics lose receivers."""
    uses = [u for u in service_uses() if u.party != "index"]
    receivers = _parties(document("acme", [*uses, *OUTSIDE]), "receive")
    assert Topics("acme").transcript_ready not in receivers


def test_the_pipeline_is_described_end_to_end(spec: dict[str, Any]) -> None:
    topics = Topics("acme")
    senders, receivers = _parties(spec, "send"), _parties(spec, "receive")
    assert receivers[topics.stored] == {"index", "ingest"}  # ingest expands containers
    assert senders[topics.submitted] == {"upstream", "ocr"}  # attachments come back
    assert receivers[topics.s3_events] == {"ingest"}
    assert senders[topics.audit] == {"gateway"}
    assert senders[topics.moved] == {"gateway"}
    assert receivers[topics.moved] == {"index"}
    assert {"ingest", "ocr", "transcribe", "index"} <= senders[topics.failed]
    submitted = spec["components"]["schemas"]["DocumentSubmitted"]
    assert {"source", "external_id", "filename"} <= set(submitted["required"])
    operation = spec["operations"]["ocrSendsTextExtracted"]
    assert operation["messages"] == [{"$ref": "#/channels/textExtracted/messages/TextExtracted"}]


def test_declarations_name_real_topics_and_every_service_declares() -> None:
    uses = service_uses()
    assert [u.party for u in uses] == list(SERVICE_MODULES)
    for use in [*uses, *OUTSIDE]:
        assert set(use.sends) | set(use.receives) <= set(CHANNELS), use.party


ROUTERS: dict[str, Callable[[str], KafkaRouter]] = {
    "index": lambda prefix: index_router(
        IndexSettings(),
        Topics(prefix),
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
    ),
    "ingest": lambda prefix: ingest_router(
        IngestSettings(topic_prefix=prefix),
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
    ),
    "ocr": lambda prefix: ocr_router(OcrSettings(), Topics(prefix), None, None),  # type: ignore[arg-type]
    "transcribe": lambda prefix: transcribe_router(
        TranscribeSettings(),
        Topics(prefix),
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
    ),
}


@pytest.mark.parametrize("service", sorted(ROUTERS))
def test_declared_receives_are_the_subscribers(service: str) -> None:
    """A service's TOPICS.receives is what its router subscribes to, so they cannot drift."""
    topics = Topics("acme")
    router = ROUTERS[service]("acme")
    # DefaultSubscriber.topic_names: the typed base class does not declare it
    subscribed = {name for sub in router.subscribers for name in cast(Any, sub).topic_names}
    use = next(u for u in service_uses() if u.party == service)
    assert {getattr(topics, name) for name in use.receives} == subscribed


def test_every_service_that_receives_has_its_router_checked() -> None:
    """A service that consumes is compared with its router above (the gateway only sends)."""
    assert {u.party for u in service_uses() if u.receives} == set(ROUTERS)


def test_outside_parties_are_marked(spec: dict[str, Any]) -> None:
    outside = {
        op["summary"].split(" ")[0]
        for op in spec["operations"].values()
        if op.get("x-lexstream-outside")
    }
    assert outside == {u.party for u in OUTSIDE}


def test_committed_document_is_current() -> None:
    """docs/asyncapi.json is regenerated with `python -m lexstream.shared.asyncapi`."""
    assert json.loads(DOC.read_text()) == json.loads(json.dumps(document()))

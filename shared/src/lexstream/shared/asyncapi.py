"""The AsyncAPI 3.0 document of lexstream's topics, generated from the code.

``python -m lexstream.shared.asyncapi [--prefix lexstream] > docs/asyncapi.json``

Three declarations feed it, so nothing about a topic is written twice:

- :class:`~lexstream.shared.events.Topics` names every topic (``Topics.all()``);
- :data:`CHANNELS` here gives each one its payload model (the pydantic model the receivers
  decode with) and a line of description;
- each service declares what it sends and receives, ``TOPICS = TopicUse(...)`` beside its
  subscribers (the module in :data:`SERVICE_MODULES`); parties outside lexstream (upstream
  systems, the object store, downstream consumers) are declared in :data:`OUTSIDE`.

Handlers take the raw Kafka message (so that undecodable payloads reach the DLQ instead of
failing inside the framework), which leaves FastStream's own generator without payload types;
that is why the payloads come from this table. The services are found by module name at
generation time (``importlib``), so the shared package still imports no service.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from lexstream.shared import __version__
from lexstream.shared.events import (
    AuditRecorded,
    DocumentFailed,
    DocumentIndexed,
    DocumentMoved,
    DocumentProgress,
    DocumentStored,
    DocumentSubmitted,
    OcrRequested,
    StorageEventNotification,
    TextExtracted,
    Topics,
    TranscribeRequested,
    TranscriptReady,
)


@dataclass(frozen=True)
class TopicUse:
    """What one party sends and receives, by :class:`Topics` property (``"stored"``)."""

    party: str
    sends: tuple[str, ...] = ()
    receives: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Channel:
    payload: type[BaseModel]
    description: str


#: every topic of ``Topics.all()``, by its ``Topics`` property: payload and description
CHANNELS: dict[str, Channel] = {
    "submitted": Channel(DocumentSubmitted, "Documents submitted by upstream systems"),
    "stored": Channel(DocumentStored, "An original is stored by content"),
    "ocr_requested": Channel(OcrRequested, "Text recovery requested"),
    "transcribe_requested": Channel(TranscribeRequested, "Transcription requested"),
    "text_extracted": Channel(TextExtracted, "text.json is ready"),
    "transcript_ready": Channel(TranscriptReady, "transcript.json, .vtt and .srt are ready"),
    "progress": Channel(DocumentProgress, "A stage started or progressed"),
    "indexed": Channel(DocumentIndexed, "A document is searchable"),
    "failed": Channel(DocumentFailed, "A document failed, with a reason"),
    "moved": Channel(DocumentMoved, "A document was moved to another matter"),
    "s3_events": Channel(StorageEventNotification, "Object-created notifications of S3"),
    "audit": Channel(AuditRecorded, "The audit trail: who saw what, when, from where"),
}

#: where each service declares its ``TOPICS``: beside its subscribers (or its publishers)
SERVICE_MODULES: dict[str, str] = {
    "ingest": "lexstream.ingest.handlers",
    "ocr": "lexstream.ocr.handlers",
    "transcribe": "lexstream.transcribe.handlers",
    "index": "lexstream.index.handlers",
    "gateway": "lexstream.gateway.app",
}

#: parties outside lexstream, for the topics whose other end is not one of our services
OUTSIDE: tuple[TopicUse, ...] = (
    TopicUse(
        "upstream",
        sends=("submitted",),
        description="DMS, e-filing and e-discovery systems (the public upstream contract)",
    ),
    TopicUse(
        "objectStore",
        sends=("s3_events",),
        description="MinIO or S3 bucket notifications on the inbox buckets",
    ),
    TopicUse(
        "downstream",
        receives=("indexed", "audit"),
        description="consumers outside lexstream: search-ready hooks, SIEM and audit archives",
    ),
)


def property_names(topics: Topics) -> dict[str, str]:
    """Topic name -> its ``Topics`` property, for every topic of ``Topics.all()``."""
    names = {
        getattr(topics, name): name
        for name in dir(Topics)
        if isinstance(getattr(Topics, name), property)
    }
    return {topic: names[topic] for topic in topics.all()}


def service_uses() -> list[TopicUse]:
    """Each service's declaration, imported from the module named in SERVICE_MODULES."""
    uses = []
    for service, module in SERVICE_MODULES.items():
        use = importlib.import_module(module).TOPICS
        if not isinstance(use, TopicUse) or use.party != service:
            raise TypeError(f"{module}.TOPICS must be TopicUse({service!r}, ...)")
        uses.append(use)
    return uses


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _operations(uses: Iterable[TopicUse], topics: Topics) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for use in uses:
        outside = use.party not in SERVICE_MODULES
        for action, names in (("send", use.sends), ("receive", use.receives)):
            for name in names:
                channel = _camel(name)
                model = CHANNELS[name].payload.__name__
                verb = "Sends" if action == "send" else "Receives"
                operation: dict[str, Any] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "messages": [{"$ref": f"#/channels/{channel}/messages/{model}"}],
                    "summary": f"{use.party} {action}s {getattr(topics, name)}",
                }
                if outside:
                    operation["description"] = f"outside lexstream: {use.description}"
                    operation["x-lexstream-outside"] = True
                operations[f"{use.party}{verb}{channel[0].upper()}{channel[1:]}"] = operation
    return operations


def document(prefix: str = "lexstream", uses: Iterable[TopicUse] | None = None) -> dict[str, Any]:
    """The AsyncAPI document; ``uses`` defaults to the services' declarations and OUTSIDE."""
    topics = Topics(prefix)
    uses = [*service_uses(), *OUTSIDE] if uses is None else list(uses)
    spec: dict[str, Any] = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "lexstream events",
            "version": __version__,
            "description": (
                "Kafka topics of lexstream. The key of every event is its document_id; "
                "W3C trace context travels in the headers; failed messages go to <topic>.dlq "
                "with x-lexstream-error headers."
            ),
        },
        "channels": {},
        "operations": _operations(uses, topics),
        "components": {"messages": {}, "schemas": {}},
    }
    for topic, name in property_names(topics).items():
        channel = CHANNELS[name]
        model = channel.payload
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for definition_name, definition in schema.pop("$defs", {}).items():
            spec["components"]["schemas"][definition_name] = definition
        spec["components"]["schemas"][model.__name__] = schema
        spec["components"]["messages"][model.__name__] = {
            "name": model.__name__,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
        }
        spec["channels"][_camel(name)] = {
            "address": topic,
            "description": channel.description,
            "messages": {model.__name__: {"$ref": f"#/components/messages/{model.__name__}"}},
        }
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lexstream.shared.asyncapi")
    parser.add_argument("--prefix", default="lexstream")
    args = parser.parse_args()
    # run as __main__, this module's TopicUse is not the one the services import
    generator = importlib.import_module("lexstream.shared.asyncapi")
    json.dump(generator.document(args.prefix), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

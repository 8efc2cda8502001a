"""The AsyncAPI 3.0 document of lexstream's topics, generated from the event models.

``python -m lexstream.shared.asyncapi [--prefix lexstream] > docs/asyncapi.json``

Handlers take the raw Kafka message (so that undecodable payloads reach the DLQ instead of
failing inside the framework), which leaves FastStream's generator without payload types;
this document is built from the same pydantic models the handlers decode with.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pydantic import BaseModel

from lexstream.shared import __version__
from lexstream.shared.events import (
    DocumentFailed,
    DocumentIndexed,
    DocumentProgress,
    DocumentStored,
    DocumentSubmitted,
    OcrRequested,
    TextExtracted,
    Topics,
    TranscribeRequested,
    TranscriptReady,
)


def channels(topics: Topics) -> list[tuple[str, str, type[BaseModel], str, list[str]]]:
    """(channel id, topic, model, description, consumers)."""
    return [
        (
            "submitted",
            topics.submitted,
            DocumentSubmitted,
            "Upstream systems submit documents",
            ["ingest"],
        ),
        ("stored", topics.stored, DocumentStored, "An original is stored by content", ["index"]),
        ("ocrRequested", topics.ocr_requested, OcrRequested, "Text recovery requested", ["ocr"]),
        (
            "transcribeRequested",
            topics.transcribe_requested,
            TranscribeRequested,
            "Transcription requested",
            ["transcribe"],
        ),
        ("textExtracted", topics.text_extracted, TextExtracted, "text.json is ready", ["index"]),
        (
            "transcriptReady",
            topics.transcript_ready,
            TranscriptReady,
            "transcript.json, .vtt and .srt are ready",
            ["index"],
        ),
        ("progress", topics.progress, DocumentProgress, "A stage started or progressed", ["index"]),
        ("indexed", topics.indexed, DocumentIndexed, "A document is searchable", []),
        ("failed", topics.failed, DocumentFailed, "A document failed, with a reason", ["index"]),
    ]


def document(prefix: str = "lexstream") -> dict[str, Any]:
    topics = Topics(prefix)
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
        "operations": {},
        "components": {"messages": {}, "schemas": {}},
    }
    for channel_id, topic, model, description, consumers in channels(topics):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            spec["components"]["schemas"][name] = definition
        spec["components"]["schemas"][model.__name__] = schema
        spec["components"]["messages"][model.__name__] = {
            "name": model.__name__,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
        }
        spec["channels"][channel_id] = {
            "address": topic,
            "description": description,
            "messages": {model.__name__: {"$ref": f"#/components/messages/{model.__name__}"}},
        }
        for consumer in consumers:
            spec["operations"][f"{consumer}Receives{channel_id[0].upper()}{channel_id[1:]}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "summary": f"{consumer} consumes {topic}",
            }
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lexstream.shared.asyncapi")
    parser.add_argument("--prefix", default="lexstream")
    args = parser.parse_args()
    json.dump(document(args.prefix), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

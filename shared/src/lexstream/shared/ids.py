"""Identifiers: document ids are UUIDv7, so they sort by creation time."""

from __future__ import annotations

import uuid_utils


def new_document_id() -> str:
    return str(uuid_utils.uuid7())


def new_event_id() -> str:
    return str(uuid_utils.uuid7())

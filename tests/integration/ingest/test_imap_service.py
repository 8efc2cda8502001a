"""The ingest service polls its configured mailboxes itself (LEXSTREAM_IMAP_ACCOUNTS): against
a real IMAP server (GreenMail), every message of a matter's folder becomes a document in that
matter, and a restarted service takes only what arrived since (its UID state in S3)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from imap_tools import MailBoxUnencrypted
from tests.integration.ingest.conftest import EventLog, create_matters, running_ingest
from tests.integration.ingest.conftest import ingest_settings_for as settings_for
from tests.support.mailbox import build_mailbox
from tests.support.wait import eventually_async

from lexstream.ingest.imap import INTAKE_KEYWORD
from lexstream.ingest.imap_intake import account_of, state_key
from lexstream.shared.events import ObjectRef, Topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def _imap_stored(log: EventLog, topic: str, user: str) -> list[dict[str, Any]]:
    """The documents.stored events of messages taken from ``user``'s mailbox."""
    return log.all(
        topic,
        lambda v: (
            v.get("provenance", {}).get("intake") == "imap"
            and str(v["provenance"].get("external_id", "")).startswith(f"imap:{user}@")
        ),
    )


async def test_the_service_polls_a_matter_folder_and_resumes_after_a_restart(
    greenmail: int, stack_env: dict[str, str], tmp_path: Path
) -> None:
    matter = f"M-imap-{uuid.uuid4().hex[:6]}"
    await create_matters(settings_for(stack_env, tmp_path), matter)
    user = f"intake-{uuid.uuid4().hex[:8]}@lexstream.test"
    box = build_mailbox(seed=5, threads=10)
    messages = box.messages[:30]
    folder = "Smith v Jones"
    with MailBoxUnencrypted("127.0.0.1", greenmail).login(user, "pw") as imap:
        imap.folder.create(folder)
        for message in messages:
            imap.append(message.raw, folder)
        imap.folder.create("Private")  # not configured: never read
        imap.append(box.messages[30].raw, "Private")

    account = {
        "host": "127.0.0.1",
        "port": greenmail,
        "user": user,
        "password": "pw",
        "folders": {folder: matter},
        "ssl": False,
        "batch": 12,  # three polls for the folder
    }
    settings = settings_for(stack_env, tmp_path, imap_accounts=[account], imap_poll_interval_s=0.5)
    topics = Topics(settings.topic_prefix)
    log = EventLog(settings.kafka_bootstrap_servers, [topics.stored])
    await log.start()
    try:

        async def taken(count: int) -> list[dict[str, Any]] | None:
            stored = _imap_stored(log, topics.stored, user)
            return stored if len(stored) >= count else None

        async with running_ingest(settings) as running:
            stored = await eventually_async(
                lambda: taken(len(messages)), what="every message stored", timeout_s=180
            )
            state = await running.store.get_json_if_exists(
                ObjectRef(
                    bucket=settings.derived_bucket,
                    key=state_key(account_of(settings.imap_accounts[0])),
                )
            )
        assert len(stored) == len(messages)  # none twice
        assert {v["matter_id"] for v in stored} == {matter}
        assert all(v["filename"].endswith(".eml") for v in stored)
        assert len({v["provenance"]["external_id"] for v in stored}) == len(messages)
        assert state is not None
        assert state[folder]["last_uid"] >= len(messages)

        with MailBoxUnencrypted("127.0.0.1", greenmail).login(user, "pw") as imap:
            imap.folder.set(folder)
            flags = [m.flags for m in imap.fetch(mark_seen=False, headers_only=True, bulk=True)]
            assert len(flags) == len(messages)
            assert all(INTAKE_KEYWORD in f for f in flags)
            imap.folder.set("Private")
            assert not any(
                INTAKE_KEYWORD in m.flags
                for m in imap.fetch(mark_seen=False, headers_only=True, bulk=True)
            )
            imap.append(box.messages[31].raw, folder)  # arrives while ingest is down

        async with running_ingest(settings):
            after = await eventually_async(
                lambda: taken(len(messages) + 1), what="the late message stored", timeout_s=120
            )
        assert len(after) == len(messages) + 1  # only the new one, not the folder again
        late = [v for v in after if v not in stored]
        assert len(late) == 1
        assert late[0]["matter_id"] == matter
    finally:
        await log.stop()

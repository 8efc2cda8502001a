"""IMAP intake against a real IMAP server (GreenMail, started by deploy/local/greenmail.sh):
a generated mailbox of more than 1,000 messages in a folder per matter, every message taken
once, marked, and a poll stopped half-way resumes by UID."""

from __future__ import annotations

import email
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted
from tests.support.mailbox import build_mailbox

from lexstream.ingest.imap import INTAKE_KEYWORD, FileState, ImapAccount, ImapMessage, poll_once

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def _message_id(raw: bytes) -> str:
    return str(email.message_from_bytes(raw)["Message-ID"]).strip("<>")


async def test_a_mailbox_over_imap_is_taken_once_marked_and_resumable(
    greenmail: int, tmp_path: Path
) -> None:
    box = build_mailbox(seed=23, threads=260)
    assert len(box.messages) >= 1000
    user = f"custodian-{uuid.uuid4().hex[:8]}@lexstream.test"
    folders = {"M-ALPHA": box.messages[:700], "M-BETA": box.messages[700:]}

    def fill(folder: str) -> None:  # one connection a folder: the folders fill side by side
        with MailBoxUnencrypted("127.0.0.1", greenmail).login(user, "pw") as imap:
            imap.folder.create(folder)
            for message in folders[folder]:
                imap.append(message.raw, folder)

    with ThreadPoolExecutor(len(folders)) as pool:
        list(pool.map(fill, folders))

    taken: list[ImapMessage] = []

    async def submit(message: ImapMessage) -> str:
        taken.append(message)
        return f"doc-{len(taken)}"

    state = FileState(tmp_path / "imap-state.json")
    account = ImapAccount(
        "127.0.0.1",
        greenmail,
        user,
        "pw",
        folders={folder: f"matter-{folder}" for folder in folders},
        ssl=False,
        batch=400,
    )
    first = await poll_once(account, state, submit)
    assert len(first) == 800  # 400 from each folder: a poll stopped half-way
    saved = await state.load()
    assert saved["M-ALPHA"]["last_uid"] == taken[399].uid

    while await poll_once(account, state, submit):
        pass
    assert len(taken) == len(box.messages)  # every message, none twice
    for folder, messages in folders.items():
        mine = [m for m in taken if m.folder == folder]
        assert {m.matter_id for m in mine} == {f"matter-{folder}"}
        assert [_message_id(m.raw) for m in mine] == [m.message_id for m in messages]
        assert len({m.external_id for m in mine}) == len(mine)
    assert all(m.filename.endswith(".eml") for m in taken)

    with MailBoxUnencrypted("127.0.0.1", greenmail).login(user, "pw") as imap:
        imap.folder.set("M-ALPHA")
        flagged = list(imap.fetch(mark_seen=False, headers_only=True, bulk=True))
        assert flagged
        assert all(INTAKE_KEYWORD in m.flags for m in flagged)
        assert not any("\\Seen" in m.flags for m in flagged)  # read state left as it was
        imap.append(box.messages[0].raw, "M-ALPHA")  # a new message arrives later
    late = await poll_once(account, state, submit)
    assert len(late) == 1
    assert _message_id(taken[-1].raw) == box.messages[0].message_id

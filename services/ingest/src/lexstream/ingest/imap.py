"""IMAP intake: one folder per matter, each new message submitted as an ``.eml`` document.

imap-tools (Apache-2.0; aioimaplib is GPL-3.0) runs in a thread: IMAP is a blocking dialogue
and a poll is a few round trips. For each configured folder a poll

1. reads the folder's ``UIDVALIDITY`` and the last UID taken from the persisted state (a
   UIDVALIDITY that changed means the server renumbered the folder: start again from 0 and
   let the idempotence of ``external_id`` keep what was already taken from being taken twice);
2. lists the UIDs above it and skips those that carry the intake keyword
   (``$LexstreamIngested``: taken by a poll that stopped before it saved the state);
3. submits each message (raw bytes, ``BODY.PEEK[]``: the \\Seen flag is left as it was) with
   ``external_id = imap:<user>@<host>/<folder>/<uidvalidity>/<uid>``;
4. marks it with the keyword and saves the state after every message, so a poll stopped
   half-way resumes with the next UID.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

INTAKE_KEYWORD = "$LexstreamIngested"


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str
    folders: dict[str, str] = field(default_factory=dict)  # folder -> matter id
    ssl: bool = True
    keyword: str = INTAKE_KEYWORD
    batch: int = 200  # most messages taken per folder and poll


@dataclass(frozen=True)
class ImapMessage:
    folder: str
    matter_id: str
    uid: int
    uidvalidity: int
    raw: bytes
    external_id: str
    filename: str


#: hands one message to the pipeline; its result is the document id
Submit = Callable[[ImapMessage], Awaitable[str]]


class StateStore(Protocol):
    async def load(self) -> dict[str, Any]: ...

    async def save(self, state: dict[str, Any]) -> None: ...


class FileState:
    """The UID state as a JSON file (a local run; deployments keep it in S3, see
    :class:`ObjectState`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {}
        loaded = json.loads(self.path.read_text())
        return loaded if isinstance(loaded, dict) else {}

    async def save(self, state: dict[str, Any]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, sort_keys=True))
        tmp.replace(self.path)


class ObjectState:
    """The UID state in the derived bucket (``_ingest/imap/<account>.json``)."""

    def __init__(self, store: Any, key: str) -> None:
        from lexstream.shared.events import ObjectRef

        self.store = store
        self.ref = ObjectRef(bucket=store.derived, key=key)

    async def load(self) -> dict[str, Any]:
        loaded = await self.store.get_json_if_exists(self.ref)
        return loaded if isinstance(loaded, dict) else {}

    async def save(self, state: dict[str, Any]) -> None:
        await self.store.put_json(self.ref, state)


def _connect(account: ImapAccount) -> Any:
    from imap_tools import MailBox, MailBoxUnencrypted

    box: Any = (
        MailBox(account.host, account.port)
        if account.ssl
        else MailBoxUnencrypted(account.host, account.port)
    )
    return box.login(account.user, account.password)


def _pending(box: Any, account: ImapAccount, folder: str, after: int) -> tuple[int, list[int]]:
    """(UIDVALIDITY, the UIDs above ``after`` without the intake keyword, ascending)."""
    box.folder.set(folder)
    status = box.folder.status(folder, ["UIDVALIDITY"])
    uidvalidity = int(status["UIDVALIDITY"])
    # UID range only: not every server searches by keyword (GreenMail refuses UNKEYWORD);
    # a message already marked is skipped when fetched (_fetch_raw)
    # and not every one takes SEARCH CHARSET (imap-tools' uids() sends it): a plain UID SEARCH
    typ, data = box.client.uid("SEARCH", f"UID {after + 1}:*")
    if typ != "OK":
        raise OSError(f"IMAP UID SEARCH in {folder!r} answered {typ}")
    found = b" ".join(part for part in data if isinstance(part, bytes)).split()
    uids = sorted(int(u) for u in found if int(u) > after)  # '*' may name one below
    return uidvalidity, uids[: account.batch]


def _fetch_raw(box: Any, account: ImapAccount, uid: int) -> bytes | None:
    """The message's bytes; None where it already carries the intake keyword."""
    typ, data = box.client.uid("FETCH", str(uid), "(FLAGS BODY.PEEK[])")
    if typ != "OK":
        raise OSError(f"IMAP FETCH of UID {uid} answered {typ}")
    flags = b" ".join(
        part
        for item in data
        for part in (item if isinstance(item, tuple) else (item,))
        if isinstance(part, bytes) and b"FLAGS" in part
    )
    if account.keyword.encode().lower() in flags.lower():
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    raise OSError(f"IMAP FETCH of UID {uid} returned no message")


def _mark(box: Any, account: ImapAccount, uid: int) -> None:
    box.flag(str(uid), account.keyword, True)


async def poll_once(account: ImapAccount, state: StateStore, submit: Submit) -> list[str]:
    """One pass over every folder; the document ids submitted, in order."""
    saved = await state.load()
    box = await asyncio.to_thread(_connect, account)
    submitted: list[str] = []
    try:
        for folder, matter_id in account.folders.items():
            entry = saved.get(folder) if isinstance(saved.get(folder), dict) else {}
            assert isinstance(entry, dict)
            after = int(entry.get("last_uid", 0))
            uidvalidity, uids = await asyncio.to_thread(_pending, box, account, folder, after)
            if entry.get("uidvalidity") not in (None, uidvalidity):
                log.info("UIDVALIDITY changed; the folder is read again", extra={"folder": folder})
                uidvalidity, uids = await asyncio.to_thread(_pending, box, account, folder, 0)
            for uid in uids:
                raw = await asyncio.to_thread(_fetch_raw, box, account, uid)
                if raw is None:  # taken before the state was saved (a crash in between)
                    saved[folder] = {"uidvalidity": uidvalidity, "last_uid": uid}
                    continue
                message = ImapMessage(
                    folder=folder,
                    matter_id=matter_id,
                    uid=uid,
                    uidvalidity=uidvalidity,
                    raw=raw,
                    external_id=f"imap:{account.user}@{account.host}/{folder}/{uidvalidity}/{uid}",
                    filename=f"{folder.replace('/', '_')}-{uid}.eml",
                )
                submitted.append(await submit(message))
                await asyncio.to_thread(_mark, box, account, uid)
                saved[folder] = {"uidvalidity": uidvalidity, "last_uid": uid}
                await state.save(saved)
    finally:
        await asyncio.to_thread(box.logout)
    return submitted


async def run_poller(
    account: ImapAccount, state: StateStore, submit: Submit, *, interval_s: float = 60.0
) -> None:
    """Poll until cancelled; a failed poll is logged and tried again at the next interval."""
    while True:
        try:
            await poll_once(account, state, submit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the server is down or refused us: try again later
            log.warning("IMAP poll failed", extra={"error_type": type(exc).__name__})
        await asyncio.sleep(interval_s)

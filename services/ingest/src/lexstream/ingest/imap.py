"""IMAP intake: one folder per matter, each new message submitted as an ``.eml`` document.

imap-tools (Apache-2.0; aioimaplib is GPL-3.0) runs in a thread: IMAP is a blocking dialogue
and a poll is a few round trips. For each configured folder a poll

1. reads the folder's ``UIDVALIDITY`` and the last UID taken from the persisted state (a
   UIDVALIDITY that changed means the server renumbered the folder: start again from 0 and
   let the idempotence of ``external_id`` keep what was already taken from being taken twice);
2. lists the UIDs above it with their flags and sizes (one ``UID FETCH``) and skips those
   that carry the intake keyword (``$LexstreamIngested``: taken by a poll that stopped
   before it saved the state);
3. fetches the others in runs of at most :data:`FETCH_MESSAGES` messages and
   :data:`FETCH_BYTES` bytes, one ``UID FETCH`` a run (raw bytes, ``BODY.PEEK[]``: the
   \\Seen flag is left as it was), and submits each with
   ``external_id = imap:<user>@<host>/<folder>/<uidvalidity>/<uid>``;
4. marks the run with the keyword (one ``UID STORE``) and saves the state, so a poll stopped
   half-way resumes with the next run; a message submitted but not yet marked is taken again
   and is the same document (its ``external_id``).

One round trip a message made a 1,100-message mailbox take 144 s from GreenMail; one a run
of 50 makes it a few seconds (``tests/integration/ingest/test_mailbox_imap.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

INTAKE_KEYWORD = "$LexstreamIngested"
#: at most this many messages, and this many bytes, in one FETCH (one always, whatever its size)
FETCH_MESSAGES = 50
FETCH_BYTES = 32 * 1024 * 1024


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


@dataclass(frozen=True)
class _Listed:
    uid: int
    size: int
    taken: bool  # carries the intake keyword


def _list(box: Any, account: ImapAccount, uids: list[int]) -> list[_Listed]:
    """Each UID's size and whether it carries the keyword, in ``uids``' order (one FETCH);
    a UID that is gone (expunged since the SEARCH) is left out."""
    if not uids:
        return []
    found = {uid: meta for uid, meta, _ in _fetched(box, uids, "(UID FLAGS RFC822.SIZE)")}
    keyword = account.keyword.encode().lower()
    listed = []
    for uid in uids:
        meta = found.get(uid)
        if meta is None:
            continue
        size = re.search(rb"RFC822\.SIZE (\d+)", meta)
        flags = re.search(rb"FLAGS \(([^)]*)\)", meta)
        taken = flags is not None and keyword in flags[1].lower().split()
        listed.append(_Listed(uid, int(size[1]) if size else 0, taken))
    return listed


def _runs(listed: list[_Listed]) -> list[list[int]]:
    """The UIDs to fetch, in runs of at most FETCH_MESSAGES messages and FETCH_BYTES bytes."""
    runs: list[list[int]] = []
    size = 0
    for item in listed:
        if item.taken:
            continue
        if not runs or len(runs[-1]) >= FETCH_MESSAGES or size + item.size > FETCH_BYTES:
            runs.append([])
            size = 0
        runs[-1].append(item.uid)
        size += item.size
    return runs


def _fetch_raw(box: Any, uids: list[int]) -> dict[int, bytes]:
    """The messages' bytes by UID (one FETCH; BODY.PEEK leaves \\Seen as it was)."""
    messages = {
        uid: raw for uid, _, raw in _fetched(box, uids, "(UID BODY.PEEK[])") if raw is not None
    }
    missing = [uid for uid in uids if uid not in messages]
    if missing:
        raise OSError(f"IMAP FETCH returned no message for UIDs {missing}")
    return messages


def _fetched(box: Any, uids: list[int], items: str) -> list[tuple[int, bytes, bytes | None]]:
    """(UID, the response's data items, the literal if any) for each message answered.

    A message's response is a tuple (its data items up to the literal, the literal) and the
    data items after the literal (``UID 7 FLAGS (...))``), or one line without a literal;
    servers order the items as they please, so the UID is found wherever it is."""
    typ, data = box.client.uid("FETCH", ",".join(str(uid) for uid in uids), items)
    if typ != "OK":
        raise OSError(f"IMAP UID FETCH answered {typ}")
    answered: list[tuple[int, bytes, bytes | None]] = []

    def add(meta: bytes, literal: bytes | None) -> None:
        uid = re.search(rb"\bUID (\d+)", meta)
        if uid is not None:  # an unsolicited FETCH (a flag change) names no UID
            answered.append((int(uid[1]), meta, literal))

    waiting: tuple[bytes, bytes] | None = None  # a message's items and literal, before its trailer
    for item in data:
        if isinstance(item, tuple):
            if waiting:
                add(*waiting)
            waiting = (item[0], item[1])
        elif isinstance(item, bytes):
            if waiting:  # the items after this message's literal
                add(waiting[0] + b" " + item, waiting[1])
                waiting = None
            else:  # a whole response without a literal
                add(item, None)
    if waiting:
        add(*waiting)
    return answered


def _mark(box: Any, account: ImapAccount, uids: list[int]) -> None:
    """Add the intake keyword (one UID STORE). Not imap-tools' ``flag()``: it EXPUNGEs after
    every STORE, which would delete the custodian's messages marked \\Deleted for good."""
    typ, _ = box.client.uid(
        "STORE", ",".join(str(uid) for uid in uids), "+FLAGS.SILENT", f"({account.keyword})"
    )
    if typ != "OK":
        raise OSError(f"IMAP UID STORE answered {typ}")


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
            listed = await asyncio.to_thread(_list, box, account, uids)
            for run in _runs(listed):
                messages = await asyncio.to_thread(_fetch_raw, box, run)
                for uid in run:
                    submitted.append(
                        await submit(
                            ImapMessage(
                                folder=folder,
                                matter_id=matter_id,
                                uid=uid,
                                uidvalidity=uidvalidity,
                                raw=messages[uid],
                                external_id=(
                                    f"imap:{account.user}@{account.host}/{folder}/{uidvalidity}/{uid}"
                                ),
                                filename=f"{folder.replace('/', '_')}-{uid}.eml",
                            )
                        )
                    )
                await asyncio.to_thread(_mark, box, account, run)
                saved[folder] = {"uidvalidity": uidvalidity, "last_uid": run[-1]}
                await state.save(saved)
            current = saved.get(folder)
            done = uids[-1] if uids else 0
            if (
                not isinstance(current, dict)
                or current.get("uidvalidity") != uidvalidity
                or int(current.get("last_uid", 0)) < done
            ):
                # the last UIDs listed were taken before (marked) or are gone, or the folder
                # was renumbered: the state moves past them, under the folder's UIDVALIDITY
                saved[folder] = {"uidvalidity": uidvalidity, "last_uid": done}
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

"""The IMAP poller's reading of FETCH responses as imaplib hands them over: servers order the
data items as they please (the UID before or after the literal, FLAGS and sizes on one line),
and may send FETCH responses nobody asked for (a flag change, without a UID)."""

from __future__ import annotations

from typing import Any

import pytest

from lexstream.ingest.imap import (
    FETCH_BYTES,
    FETCH_MESSAGES,
    INTAKE_KEYWORD,
    ImapAccount,
    ImapMessage,
    _fetch_raw,
    _list,
    _Listed,
    _runs,
    poll_once,
)


class Client:
    def __init__(self, data: list[Any], typ: str = "OK") -> None:
        self.data, self.typ = data, typ
        self.asked: list[tuple[str, ...]] = []

    def uid(self, *command: str) -> tuple[str, list[Any]]:
        self.asked.append(command)
        return self.typ, self.data


class Box:
    def __init__(self, client: Client) -> None:
        self.client = client


ACCOUNT = ImapAccount("imap.example", 993, "user", "pw")


@pytest.mark.parametrize(
    "data",
    [
        # UID before the literal (Dovecot, GreenMail)
        [(b"1 (UID 7 BODY[] {5}", b"seven"), b")", (b"2 (UID 9 BODY[] {4}", b"nine"), b")"],
        # UID after the literal (Exchange, mail.ru)
        [(b"1 (BODY[] {5}", b"seven"), b" UID 7)", (b"2 (BODY[] {4}", b"nine"), b" UID 9)"],
        # an unsolicited flag change in between, and no trailing ")" items
        [
            (b"1 (UID 7 BODY[] {5}", b"seven"),
            b"3 (FLAGS (\\Seen))",
            (b"2 (UID 9 BODY[] {4}", b"nine"),
        ],
    ],
)
def test_each_message_is_found_by_its_uid_wherever_the_server_puts_it(data: list[Any]) -> None:
    client = Client(data)

    assert _fetch_raw(Box(client), [7, 9]) == {7: b"seven", 9: b"nine"}
    assert client.asked == [("FETCH", "7,9", "(UID BODY.PEEK[])")]


def test_a_message_the_server_did_not_return_is_an_error_not_a_gap() -> None:
    client = Client([(b"1 (UID 7 BODY[] {5}", b"seven"), b")"])

    with pytest.raises(OSError, match=r"no message for UIDs \[9\]"):
        _fetch_raw(Box(client), [7, 9])
    with pytest.raises(OSError, match="answered NO"):
        _fetch_raw(Box(Client([], typ="NO")), [7])


def test_the_listing_reads_sizes_and_the_intake_keyword_and_drops_expunged_uids() -> None:
    client = Client(
        [
            b"1 (UID 7 FLAGS (\\Seen) RFC822.SIZE 1200)",
            f"2 (FLAGS (\\Seen {INTAKE_KEYWORD.lower()}) UID 8 RFC822.SIZE 300)".encode(),
            b"3 (RFC822.SIZE 90 UID 9 FLAGS ())",
        ]
    )

    listed = _list(Box(client), ACCOUNT, [7, 8, 9, 10])  # 10 was expunged since the SEARCH

    assert listed == [_Listed(7, 1200, False), _Listed(8, 300, True), _Listed(9, 90, False)]


def test_runs_are_bounded_in_messages_and_bytes_and_skip_what_was_taken() -> None:
    many = [_Listed(uid, 10, uid % 7 == 0) for uid in range(1, 130)]
    runs = _runs(many)
    assert [uid for run in runs for uid in run] == [i.uid for i in many if not i.taken]
    assert max(len(run) for run in runs) == FETCH_MESSAGES

    big = [_Listed(1, FETCH_BYTES // 2, False), _Listed(2, FETCH_BYTES // 2 + 1, False)]
    huge = [_Listed(3, FETCH_BYTES * 3, False), _Listed(4, 10, False)]
    assert _runs(big) == [[1], [2]]
    assert _runs(huge) == [[3], [4]]  # a message above the bound is fetched alone


class Mailbox:
    """A server's folders as poll_once sees them through imaplib: UID SEARCH, FETCH, STORE."""

    def __init__(self, uidvalidity: int, messages: dict[int, set[str]]) -> None:
        self.uidvalidity = uidvalidity
        self.messages = messages  # uid -> flags
        self.commands: list[str] = []
        self.folder = self
        self.client = self

    def set(self, folder: str) -> None:
        pass

    def status(self, folder: str, items: list[str]) -> dict[str, int]:
        assert items == ["UIDVALIDITY"], folder
        return {"UIDVALIDITY": self.uidvalidity}

    def logout(self) -> None:
        pass

    def uid(self, command: str, *args: str) -> tuple[str, list[Any]]:
        self.commands.append(command)
        if command == "SEARCH":
            low = int(args[0].split()[1].split(":")[0])
            return "OK", [" ".join(str(u) for u in sorted(self.messages) if u >= low).encode()]
        uids = [int(u) for u in args[0].split(",")]
        if command == "STORE":
            for uid in uids:
                self.messages[uid].add(args[2].strip("()"))
            return "OK", [None]
        assert command == "FETCH"
        data: list[Any] = []
        for seq, uid in enumerate(uids, 1):
            flags = " ".join(sorted(self.messages[uid])).encode()
            if "BODY" in args[1]:
                raw = f"Message-ID: <m{uid}@x>\r\n\r\nbody {uid}\r\n".encode()
                data += [(f"{seq} (UID {uid} BODY[] {{{len(raw)}}}".encode(), raw), b")"]
            else:
                data.append(f"{seq} (UID {uid} FLAGS ({flags.decode()}) RFC822.SIZE 40)".encode())
        return "OK", data


class MemoryState:
    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state = state or {}

    async def load(self) -> dict[str, Any]:
        return dict(self.state)

    async def save(self, state: dict[str, Any]) -> None:
        self.state = dict(state)


async def poll(box: Mailbox, state: MemoryState, batch: int = 200) -> list[int]:
    taken: list[int] = []

    async def submit(message: ImapMessage) -> str:
        taken.append(message.uid)
        return f"doc-{message.uid}"

    account = ImapAccount("imap.example", 993, "user", "pw", folders={"INBOX": "M-1"}, batch=batch)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("lexstream.ingest.imap._connect", lambda _: box)
        await poll_once(account, state, submit)
    return taken


async def test_marking_stores_the_keyword_and_never_expunges() -> None:
    # imap-tools' flag() EXPUNGEs after its STORE: the custodian's \Deleted mail would go
    box = Mailbox(1, {1: set(), 2: {"\\Deleted"}, 3: {"\\Seen"}})

    assert await poll(box, MemoryState()) == [1, 2, 3]
    assert "EXPUNGE" not in box.commands
    assert box.commands.count("STORE") == 1  # one run, one STORE
    assert all(INTAKE_KEYWORD in flags for flags in box.messages.values())
    assert "\\Deleted" in box.messages[2]


async def test_a_renumbered_folder_whose_first_batch_was_taken_moves_on() -> None:
    # UIDVALIDITY changed (a migrated mailbox keeps its keywords); the first 250 of the new
    # numbering carry the keyword already: the state must move past them, not stay stuck
    messages = {uid: ({INTAKE_KEYWORD} if uid <= 250 else set()) for uid in range(1, 301)}
    box = Mailbox(2, messages)
    state = MemoryState({"INBOX": {"uidvalidity": 1, "last_uid": 900}})

    assert await poll(box, state, batch=200) == []
    assert state.state["INBOX"] == {"uidvalidity": 2, "last_uid": 200}
    assert await poll(box, state, batch=200) == list(range(251, 301))
    assert state.state["INBOX"] == {"uidvalidity": 2, "last_uid": 300}
    assert await poll(box, state, batch=200) == []

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
    _fetch_raw,
    _list,
    _Listed,
    _runs,
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

"""A custodian's mailbox through the running system, both ways a firm receives one: uploaded as
an MBOX file and taken from an IMAP folder (GreenMail) by the ingest service's own poller.

The mailbox is generated with its truth (tests/support/mailbox.py: more than 1,000 messages in
260 threads, replies, forwards, attachments, exact second copies, threads linked only by
subject or quoted text). At the end every message is an indexed document, found through the
gateway's API as a lawyer's client would find it, and each message's thread and inclusive flag
agree with the generator's truth. A matter holds one document per message content: a second
copy of a message (the same bytes) is that document again, not another."""

from __future__ import annotations

import email
import email.utils
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from imap_tools import MailBoxUnencrypted

from tests.e2e.conftest import IMAP_FOLDER, IMAP_MATTER, IMAP_USER, RunningSystem
from tests.support.mailbox import Mailbox, build_mailbox, write_mbox
from tests.support.wait import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

TERMINAL = {"indexed", "failed"}


@pytest.fixture(scope="module")
def mailbox() -> Mailbox:
    box = build_mailbox(seed=41, threads=260)
    assert len(box.messages) >= 1000
    return box


def _distinct(box: Mailbox) -> tuple[int, int]:
    """Messages as distinct bytes, and their attachments: a matter holds one document per
    message content (a second copy of a message is that document again), and each message's
    attachments are children of its document."""
    messages = {m.raw for m in box.messages}
    attachments = sum(
        1
        for raw in messages
        for part in email.message_from_bytes(raw).walk()
        if part.get_filename()
    )
    return len(messages), attachments


def _waiting(probe: Any, what: str, seen: dict[str, Any]) -> Any:
    """:func:`eventually` for up to 10 minutes, failing with the last counts ``probe`` noted."""
    try:
        return eventually(probe, what=what, timeout_s=600, interval_s=2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last seen: {seen}") from None


def _get(client: httpx.Client, url: str, **params: Any) -> httpx.Response:
    """GET as a client that walks a whole mailbox must: a 429 (the gateway's per-caller rate
    limit, 50 a second by default) is waited out for its Retry-After, then asked again."""
    for _ in range(60):
        answer = client.get(url, params=params)
        if answer.status_code != 429:
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    return answer


def _children(client: httpx.Client, document_id: str) -> list[dict[str, Any]]:
    """Every child of ``document_id``, page by page."""
    children: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"size": 500, **({"after": after} if after else {})}
        page = _get(client, f"/v1/documents/{document_id}/children", **params)
        assert page.status_code == 200, page.text
        body = page.json()
        children += body["children"]
        after = body["next"]
        if after is None:
            assert len(children) == body["total"]
            return children


def _matter_documents(client: httpx.Client, matter: str) -> list[dict[str, Any]]:
    """Every indexed document of ``matter``, through search's date-sorted pages."""
    hits: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"matter_id": matter, "sort": "date", "size": 100}
        if cursor:
            params["search_after"] = cursor
        page = _get(client, "/v1/search", **params)
        assert page.status_code == 200, page.text
        body = page.json()
        hits += body["hits"]
        cursor = body["next"]
        if not cursor or not body["hits"]:
            return hits


def _threads(client: httpx.Client, message_ids: list[str]) -> dict[str, dict[str, Any]]:
    """document id -> its thread id, Message-ID, inclusive flag and duplicate_of, read from
    ``GET /v1/documents/{id}/thread`` (one call per thread: it lists all its messages)."""
    seen: dict[str, dict[str, Any]] = {}
    for document_id in message_ids:
        if document_id in seen:
            continue
        answer = _get(client, f"/v1/documents/{document_id}/thread", size=500)
        assert answer.status_code == 200, answer.text
        thread = answer.json()
        assert thread["thread_id"], f"{document_id} has no thread"
        assert thread["total"] == len(thread["messages"])
        for message in thread["messages"]:
            seen[message["document_id"]] = {"thread_id": thread["thread_id"], **message}
        assert document_id in seen
    return seen


def _check_against_truth(
    box: Mailbox, found: dict[str, dict[str, Any]], documents: list[str]
) -> None:
    """Every message is one document (its second copies are that document again); the
    documents' thread ids partition the messages exactly as the generator's threads do; every
    message's inclusive flag is the generator's."""
    by_message_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for document_id in documents:
        by_message_id[str(found[document_id]["message_id"]).strip("<>")].append(found[document_id])
    truth = {m.message_id: m.truth for m in box.messages if not m.truth.duplicate}
    assert set(by_message_id) == set(truth)  # every message, and nothing else
    for message_id, docs in by_message_id.items():
        assert len(docs) == 1, message_id

    thread_of_truth: dict[int, set[str]] = defaultdict(set)
    for message_id, docs in by_message_id.items():
        thread_of_truth[truth[message_id].thread].update(d["thread_id"] for d in docs)
    wrong_threads = {t: ids for t, ids in thread_of_truth.items() if len(ids) != 1}
    assert not wrong_threads, f"{len(wrong_threads)} threads split: {list(wrong_threads)[:5]}"
    merged = len({next(iter(ids)) for ids in thread_of_truth.values()})
    assert merged == box.threads, f"{box.threads - merged} threads merged into others"

    wrong_flags = [
        message_id
        for message_id, (doc,) in by_message_id.items()
        if doc["inclusive"] is not truth[message_id].inclusive
    ]
    assert not wrong_flags, f"{len(wrong_flags)} inclusive flags wrong: {wrong_flags[:5]}"


def _check_inclusive_filter(
    client: httpx.Client, box: Mailbox, matter: str, *, emails: int
) -> None:
    """Search's ``inclusive=true`` leaves out exactly the e-mails that are not inclusive, and
    ``false`` exactly those that are (a document that is no e-mail, an attachment or the
    mailbox file itself, has no flag and stays in both)."""

    def total(**filters: str) -> int:
        answer = _get(client, "/v1/search", matter_id=matter, **filters)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["total"])

    kept = sum(m.truth.inclusive for m in box.messages)  # second copies never are
    everything = total()
    assert total(inclusive="true") == kept + everything - emails
    assert total(inclusive="false") == everything - kept


def test_an_mbox_upload_becomes_one_indexed_document_per_message_threaded(
    running_system: RunningSystem, mailbox: Mailbox, tmp_path: Path
) -> None:
    matter = f"M-MBOX-{time.time_ns()}"
    mbox = write_mbox(mailbox, tmp_path / "custodian.mbox").read_bytes()
    with running_system.client() as admin:
        assert admin.post("/v1/matters", json={"matter_id": matter, "name": matter}).status_code
        uploaded = admin.post(
            "/v1/documents",
            data={"matter_id": matter},
            files={"file": ("custodian.mbox", mbox, "application/mbox")},
        )
        assert uploaded.status_code == 202, uploaded.text
        mbox_id = uploaded.json()["document_id"]
        assert running_system.wait_terminal(admin, mbox_id, timeout_s=600)["status"] == "indexed"

        messages, _ = _distinct(mailbox)
        seen: dict[str, Any] = {}

        def all_terminal() -> list[dict[str, Any]] | None:
            children = _children(admin, mbox_id)
            terminal = sum(1 for c in children if c["status"] in TERMINAL)
            seen.update(children=len(children), terminal=terminal, distinct_messages=messages)
            return children if seen["terminal"] == len(children) == messages else None

        children = _waiting(all_terminal, "every message terminal", seen)
        failed = [c for c in children if c["status"] != "indexed"]
        assert not failed, failed[:3]
        assert len(children) > 1000  # more than one page of the children route's largest

        found = _threads(admin, [c["document_id"] for c in children])
        _check_against_truth(mailbox, found, [c["document_id"] for c in children])
        _check_inclusive_filter(admin, mailbox, matter, emails=len(children))


def test_an_imap_folder_is_taken_by_the_running_ingest_and_threaded(
    running_system: RunningSystem, mailbox: Mailbox, greenmail: int
) -> None:
    """The running ingest polls IMAP_USER's IMAP_FOLDER (tests/e2e/conftest.py)."""
    with running_system.client() as admin:
        created = admin.post("/v1/matters", json={"matter_id": IMAP_MATTER, "name": "Custodian A"})
        assert created.status_code == 201, created.text
        halves = [mailbox.messages[::2], mailbox.messages[1::2]]

        def fill(messages: list[Any]) -> None:
            with MailBoxUnencrypted("127.0.0.1", greenmail).login(IMAP_USER, "pw") as imap:
                if not imap.folder.exists(IMAP_FOLDER):
                    imap.folder.create(IMAP_FOLDER)
                for message in messages:
                    imap.append(message.raw, IMAP_FOLDER)

        fill(halves[0][:1])  # the folder exists before the two fill side by side
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(fill, [halves[0][1:], halves[1]]))

        messages, attachments = _distinct(mailbox)
        expected = messages + attachments
        seen: dict[str, Any] = {}

        def board_done() -> dict[str, Any] | None:
            board = _get(admin, f"/v1/matters/{IMAP_MATTER}/board").json()
            seen.update(total=board["total"], by_status=board["by_status"])
            terminal = sum(board["by_status"].get(s, 0) for s in TERMINAL)
            return board if board["total"] == terminal == expected else None

        board = _waiting(board_done, "every IMAP message terminal", seen)
        assert board["by_status"] == {"indexed": expected}, board

        documents = _matter_documents(admin, IMAP_MATTER)
        assert len(documents) == expected
        emails = [d["document_id"] for d in documents if str(d["filename"]).endswith(".eml")]
        assert len(emails) == messages
        found = _threads(admin, emails)
        _check_against_truth(mailbox, found, emails)
        _check_inclusive_filter(admin, mailbox, IMAP_MATTER, emails=len(emails))

"""Threads and inclusive flags of a generated mailbox of more than 1,000 messages, read
through the EML extractor (the fields the index gets) and threaded by
:mod:`lexstream.shared.threads`; scored against the generator's truth."""

from __future__ import annotations

import itertools
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from tests.support.mailbox import Mailbox, build_mailbox
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import OcrOptions
from lexstream.shared.artifacts import EmailHeaders
from lexstream.shared.threads import MailFacts, assign_threads, normalize_subject, split_quoted


@pytest.fixture(scope="module")
def box() -> Mailbox:
    return build_mailbox(seed=19, threads=260)


def facts(key: str, envelope: EmailHeaders) -> MailFacts:
    return MailFacts(
        key=key,
        message_id=envelope.message_id,
        in_reply_to=envelope.in_reply_to,
        references=envelope.references,
        subject=envelope.subject,
        sender=envelope.sender,
        date=envelope.date.isoformat() if envelope.date else None,
        body=envelope.body,
        attachments=envelope.attachments,
    )


def test_the_extractor_gives_the_mail_fields(tmp_path: Path, options: OcrOptions) -> None:
    box = build_mailbox(seed=3, threads=4)
    reply = next(m for m in box.messages if b"In-Reply-To" in m.raw)
    path = tmp_path / "m.eml"
    path.write_bytes(reply.raw)
    envelope = extract(path, "message/rfc822", options).text.email
    assert envelope is not None
    assert envelope.message_id == reply.message_id
    assert envelope.in_reply_to
    assert envelope.in_reply_to == envelope.references[-1]
    assert envelope.sender
    assert "@" in envelope.sender
    assert envelope.to
    assert envelope.date is not None
    assert envelope.subject


def test_threads_and_inclusive_against_truth(
    box: Mailbox, tmp_path: Path, options: OcrOptions, record_property: Any
) -> None:
    assert len(box.messages) >= 1000
    messages: list[MailFacts] = []
    for number, message in enumerate(box.messages):
        path = tmp_path / f"{number}.eml"
        path.write_bytes(message.raw)
        envelope = extract(path, "message/rfc822", options).text.email
        assert envelope is not None
        messages.append(facts(f"doc-{number:05d}", envelope))
    marks = assign_threads(messages)

    # Threads: every pair of messages in the same thread or not, as the truth says.
    predicted = [marks[m.key].thread_id for m in messages]
    truth = [m.truth.thread for m in box.messages]
    true_pairs = found_pairs = both = 0
    for i, j in itertools.combinations(range(len(messages)), 2):
        same_truth, same_found = truth[i] == truth[j], predicted[i] == predicted[j]
        true_pairs += same_truth
        found_pairs += same_found
        both += same_truth and same_found
    precision, recall = both / found_pairs, both / true_pairs
    exact = sum(
        len({predicted[i] for i in idx}) == 1
        and all(
            truth[k] == truth[idx[0]]
            for k in range(len(messages))
            if predicted[k] == predicted[idx[0]]
        )
        for idx in _groups(truth).values()
    ) / len(_groups(truth))
    score = f"threads: pair precision {precision:.4f} recall {recall:.4f}; exact {exact:.4f}"
    record_property("threads", score)
    assert precision >= 0.99, score
    assert recall >= 0.99, score
    assert exact >= 0.97, score

    # Inclusive: of the copies of one message, exactly one is inclusive where the truth says
    # the message is, none where it is not.
    by_id: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(box.messages):
        by_id[m.message_id].append(i)
    right = 0
    for copies in by_id.values():
        expected = any(box.messages[i].truth.inclusive for i in copies)
        flags = [marks[messages[i].key].inclusive for i in copies]
        right += sum(flags) == (1 if expected else 0)
    accuracy = right / len(by_id)
    score = f"inclusive: {right}/{len(by_id)} messages right ({accuracy:.4f})"
    record_property("inclusive", score)
    assert accuracy >= 0.98, score


def _groups(values: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for i, v in enumerate(values):
        out[v].append(i)
    return out


@pytest.mark.parametrize(
    ("subject", "normal"),
    [
        ("Re: AW: [ext] Fwd:  Settlement  offer", "settlement offer"),
        ("WG: TR: RE[2]: Vergleich", "vergleich"),
        ("SV: Antw: Réf : contrat", "contrat"),
        ("Settlement offer", "settlement offer"),
        ("Re:", ""),
    ],
)
def test_subjects_normalise(subject: str, normal: str) -> None:
    assert normalize_subject(subject) == normal


def test_quoted_text_is_split_from_the_own_text() -> None:
    body = "Agreed, send it.\n\nOn Mon, 8 Jan 2024, Anna wrote:\n> Draft attached.\n> Anna"
    own, quoted = split_quoted(body)
    assert own.strip() == "Agreed, send it."
    assert "Draft attached." in quoted
    body = "Siehe unten.\n-----Ursprüngliche Nachricht-----\nVon: Ben\nBetreff: Frist"
    assert split_quoted(body)[0].strip() == "Siehe unten."


def test_a_reply_makes_its_parent_not_inclusive_unless_it_drops_an_attachment() -> None:
    parent = MailFacts("a", message_id="<a@x>", subject="Terms", body="Here are the terms.")
    reply = MailFacts(
        "b",
        message_id="<b@x>",
        in_reply_to="<a@x>",
        subject="Re: Terms",
        body="Fine.\n\nOn Mon, Anna wrote:\n> Here are the terms.",
    )
    marks = assign_threads([parent, reply])
    assert marks["a"].thread_id == marks["b"].thread_id
    assert (marks["a"].inclusive, marks["b"].inclusive) == (False, True)
    with_file = MailFacts(
        "a", message_id="<a@x>", body="Here are the terms.", attachments=["terms.pdf"]
    )
    marks = assign_threads([with_file, reply])
    assert (marks["a"].inclusive, marks["b"].inclusive) == (True, True)
    other = MailFacts("c", message_id="<c@x>", subject="Lunch?", body="Lunch at noon?")
    assert assign_threads([parent, other])["c"].thread_id != marks["a"].thread_id

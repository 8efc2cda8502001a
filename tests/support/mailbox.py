"""A mailbox built by code, with its ground truth: threads, replies, forwards, attachments,
exact duplicates and threads held together only by their subjects or quoted text.

``build_mailbox(seed, threads)`` gives the messages (RFC 822 bytes) in delivery order and,
for each, the thread it belongs to and whether it is inclusive:

- a reply quotes its parent in full (``On ... wrote:`` and ``>`` lines) and carries no
  attachment, so a parent with an attachment stays inclusive after it is answered;
- a forward (``Fwd:``/``WG:``/``TR:``) quotes its parent and carries the parent's attachments,
  so the parent is no longer inclusive;
- a message nobody answered or forwarded is inclusive; a second copy of a message (the same
  bytes, as two custodians' mailboxes hold) never is;
- some threads have no ``In-Reply-To``/``References`` at all (a client that drops them):
  their replies say ``Re:``/``AW:`` and the subject is all that links them; in some of those a
  reply changed the subject too, and only its quoted text links it.

No PST writer exists in Python or Debian (libpff reads only; ``readpst`` converts out of PST),
so the mailbox is written as MBOX (:func:`write_mbox`) and over IMAP.
"""

from __future__ import annotations

import email.utils
import mailbox
import random
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

_VOCABULARY = (
    "agreement indemnity clause counsel settlement deposition exhibit discovery privilege "
    "motion hearing witness draft revised schedule term sheet closing escrow warranty breach "
    "notice damages liability arbitration venue jurisdiction filing deadline review comments "
    "redline signature board approval merger diligence custodian production subpoena court "
    "judge order stipulation extension brief appendix invoice retainer conflict check"
)
_WORDS = _VOCABULARY.split()
_PEOPLE = [
    f"{first} {last} <{first.lower()}.{last.lower()}@{domain}>"
    for first, last, domain in [
        ("Anna", "Schmidt", "kanzlei.de"),
        ("Ben", "Carter", "firm.example"),
        ("Claire", "Dubois", "cabinet.fr"),
        ("Dev", "Patel", "client.example"),
        ("Eva", "Jansen", "advocaten.nl"),
        ("Frank", "Miller", "firm.example"),
        ("Grace", "Lee", "client.example"),
    ]
]
_REPLY = ("Re: ", "RE: ", "AW: ", "Re: ")
_FORWARD = ("Fwd: ", "WG: ", "TR: ", "FW: ")


@dataclass
class Truth:
    thread: int
    inclusive: bool
    duplicate: bool = False


@dataclass
class GeneratedMessage:
    message_id: str
    raw: bytes
    truth: Truth


@dataclass
class _Node:
    message_id: str
    subject: str
    sender: str
    body: str  # full body, quotes included
    attachments: dict[str, bytes]
    references: list[str]
    date: datetime
    children: list[tuple[_Node, str]] = field(default_factory=list)  # (child, "reply"|"fwd")


@dataclass
class Mailbox:
    messages: list[GeneratedMessage]

    @property
    def threads(self) -> int:
        return len({m.truth.thread for m in self.messages})


def _sentence(rng: random.Random, serial: int) -> str:
    words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 20)))
    return f"{words.capitalize()} (ref {serial:06d})."


def _quote(node: _Node) -> str:
    when = email.utils.format_datetime(node.date)
    quoted = "\n".join(f"> {line}" if line else ">" for line in node.body.splitlines())
    return f"On {when}, {node.sender} wrote:\n{quoted}"


def _render(node: _Node, *, headers: bool) -> bytes:
    msg = EmailMessage()
    msg["From"] = node.sender
    msg["To"] = _PEOPLE[zlib.crc32(node.message_id.encode()) % len(_PEOPLE)]
    msg["Subject"] = node.subject
    msg["Date"] = email.utils.format_datetime(node.date)
    msg["Message-ID"] = f"<{node.message_id}>"
    if headers and node.references:
        msg["In-Reply-To"] = f"<{node.references[-1]}>"
        msg["References"] = " ".join(f"<{r}>" for r in node.references)
    msg.set_content(node.body)
    for name, data in node.attachments.items():
        msg.add_attachment(data, maintype="text", subtype="plain", filename=name)
    return msg.as_bytes()


def build_mailbox(seed: int = 19, threads: int = 260) -> Mailbox:
    """About four messages a thread: ``threads=260`` gives more than 1,000."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
    serial = 0
    out: list[GeneratedMessage] = []
    for number in range(threads):
        subject_words = " ".join(rng.choice(_WORDS) for _ in range(4))
        subject = f"{subject_words.capitalize()} - matter {number:04d}"
        headerless = number % 7 == 3  # replies linked only by subject / quoted text
        serial += 1
        when = start + timedelta(hours=number * 3)
        root = _Node(
            message_id=f"m{serial:06d}.t{number}@{seed}.lexstream.test",
            subject=subject,
            sender=rng.choice(_PEOPLE),
            body=_sentence(rng, serial),
            attachments=(
                {f"exhibit-{serial}.txt": _sentence(rng, serial).encode()}
                if rng.random() < 0.2
                else {}
            ),
            references=[],
            date=when,
        )
        nodes = [root]
        for _ in range(rng.choice((0, 1, 2, 3, 3, 4, 5, 6))):
            parent = rng.choice(nodes)
            serial += 1
            when = when + timedelta(minutes=rng.randint(5, 600))
            forward = rng.random() < 0.15
            prefix = rng.choice(_FORWARD if forward else _REPLY)
            new_subject = prefix + parent.subject
            if headerless and not forward and rng.random() < 0.2:
                new_subject = f"Re: {rng.choice(_WORDS)} follow-up {serial}"  # quoted text only
            child = _Node(
                message_id=f"m{serial:06d}.t{number}@{seed}.lexstream.test",
                subject=new_subject,
                sender=rng.choice(_PEOPLE),
                body=f"{_sentence(rng, serial)}\n\n{_quote(parent)}",
                attachments=dict(parent.attachments) if forward else {},
                references=[*parent.references, parent.message_id],
                date=when,
            )
            parent.children.append((child, "fwd" if forward else "reply"))
            nodes.append(child)
        for node in nodes:
            covered = any(kind == "fwd" or not node.attachments for _, kind in node.children)
            raw = _render(node, headers=not headerless)
            out.append(GeneratedMessage(node.message_id, raw, Truth(number, not covered)))
            if rng.random() < 0.05:  # the same message again, from another custodian
                out.append(GeneratedMessage(node.message_id, raw, Truth(number, False, True)))
    order = list(range(len(out)))
    rng.shuffle(order)  # delivery order is not thread order
    return Mailbox([out[i] for i in order])


def write_mbox(box: Mailbox, path: Path) -> Path:
    """The mailbox as an MBOX file (mboxrd quoting of body lines starting with ``From ``)."""
    target = mailbox.mbox(path, create=True)
    try:
        for message in box.messages:
            target.add(message.raw)
        target.flush()
    finally:
        target.close()
    return path

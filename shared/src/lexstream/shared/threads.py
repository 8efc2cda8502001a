"""E-mail threads and inclusive messages, as pure functions (no Elasticsearch, no Kafka).

Threads: messages are linked by what their headers say (``Message-ID``, ``In-Reply-To``,
``References``: every id a message names joins its thread, as JWZ threading does, without
building the tree), then, for a message whose headers link it to nothing, by its normalised
subject ("Re:", "AW:", "Fwd:", "WG:", "TR:", "SV:" ... and ``[tags]`` removed) where the subject
says it is a reply or forward, and by its quoted text (a message whose quoted lines contain
another message's own words belongs to that message's thread). A thread's id is made from the
first id its messages' headers name (the smallest where they disagree), so it does not
depend on the order messages arrived in.

Inclusive (as Relativity uses the word): a message is inclusive when no other message of its
thread contains all of it, its own words and its attachments; only inclusive messages need
reading to have read the thread. Of exact duplicates (the same ``Message-ID``, or without one
the same sender, date and words) only the first (by key) can be inclusive.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

#: reply and forward prefixes, in the languages the firms' clients write in (en, de, fr, nl,
#: es, it, pt, the Nordic languages), optionally with a count: "Re[2]:", "RE: AW: Fwd:"
_PREFIX = re.compile(
    r"""^\s*(?:
        (?:re|aw|sv|vs|antw|antwort|ref|réf|rif|ris|r|fw|fwd|wg|tr|rv|enc|doorst|vl|fs)
        (?:\s*\[\d+\]|\s*\(\d+\))?\s*[:：]
      | \[[^\]]{1,40}\]                      # a list tag: [legal-team]
    )\s*""",
    re.IGNORECASE | re.VERBOSE,
)
#: e.g. "Re: AW: [ext] Fwd: Settlement" -> prefixes "Re:", "AW:", "[ext]", "Fwd:"
_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|vs|antw|antwort|ref|réf|rif|ris|r|fw|fwd|wg|tr|rv|enc|doorst|vl|fs)"
    r"(?:\s*\[\d+\]|\s*\(\d+\))?\s*[:：]",
    re.IGNORECASE,
)

#: lines that open a quoted or forwarded block in the common clients
_QUOTE_OPENERS = re.compile(
    r"""^(?:
        -{2,}\s*(?:original\s+message|forwarded\s+message|ursprüngliche\s+nachricht
                  |weitergeleitete\s+nachricht|message\s+d'origine|message\s+transféré)\s*-{2,}
      | on\s.{1,200}\swrote:
      | am\s.{1,200}\sschrieb.{0,60}:
      | le\s.{1,200}\sa\sécrit\s?:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_WORDS = re.compile(r"\w+", re.UNICODE)


def normalize_subject(subject: str | None) -> str:
    """The subject without reply/forward prefixes and list tags, white space squashed and
    case folded: ``"AW: Re: [ext] Fwd:  Settlement  offer"`` -> ``"settlement offer"``."""
    text = subject or ""
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split()).casefold()


def is_reply_subject(subject: str | None) -> bool:
    """Whether the subject says the message answers or forwards another."""
    return bool(_REPLY_PREFIX.match(subject or ""))


def split_quoted(body: str) -> tuple[str, str]:
    """(own text, quoted text) of a body: ``>`` lines and everything after a quote opener
    ("-----Original Message-----", "On ... wrote:", "Am ... schrieb ...:") are quoted."""
    own: list[str] = []
    quoted: list[str] = []
    in_quote = False
    for line in body.splitlines():
        stripped = line.strip()
        if in_quote or stripped.startswith(">"):
            quoted.append(line)
        elif _QUOTE_OPENERS.match(stripped):
            in_quote = True
            quoted.append(line)
        else:
            own.append(line)
    return "\n".join(own), "\n".join(quoted)


def words(text: str) -> str:
    """The words of a text, quote markers and line breaks gone, case folded, one space apart:
    the form containment is tested on."""
    return " ".join(_WORDS.findall(text.casefold()))


@dataclass(frozen=True)
class MailFacts:
    """What threading needs of one message (``key``: the document id)."""

    key: str
    message_id: str | None = None
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    subject: str | None = None
    sender: str | None = None
    date: str | None = None
    body: str = ""
    attachments: Sequence[str] = ()


@dataclass(frozen=True)
class ThreadMark:
    thread_id: str
    inclusive: bool
    duplicate_of: str | None = None


def _clean_id(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().strip("<>").strip()
    return value.casefold() or None


def clean_ids(values: Iterable[str | None]) -> list[str]:
    """Message ids as compared: angle brackets and white space gone, case folded."""
    return [c for c in (_clean_id(v) for v in values) if c]


def parse_references(header: str | None) -> list[str]:
    """The ids of a ``References`` (or ``In-Reply-To``) header, in order."""
    return clean_ids(re.findall(r"<([^<>]+)>", header or "")) or clean_ids((header or "").split())


@dataclass
class _Union:
    parent: dict[str, str] = field(default_factory=dict)

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _root(m: MailFacts) -> str | None:
    """The id a message's headers name as its thread's first message."""
    named = clean_ids([*m.references, m.in_reply_to, m.message_id])
    return named[0] if named else None


def thread_key(root: str) -> str:
    """A thread's id from the id of its first message."""
    return "thread-" + hashlib.sha256(root.encode()).hexdigest()[:24]


def header_thread_id(
    message_id: str | None, in_reply_to: str | None, references: Sequence[str]
) -> str | None:
    """The thread id the headers alone give (at index time, before the thread is seen):
    the same as :func:`assign_threads` gives a thread whose messages carry References."""
    root = _root(MailFacts("", message_id, in_reply_to, references))
    return thread_key(root) if root else None


def _duplicate_key(m: MailFacts) -> str:
    own = _clean_id(m.message_id)
    if own:
        return f"id:{own}"
    digest = hashlib.sha256(f"{m.sender}\x1f{m.date}\x1f{words(m.body)}".encode()).hexdigest()
    return f"body:{digest}"


def assign_threads(messages: Sequence[MailFacts]) -> dict[str, ThreadMark]:
    """Thread id and inclusive flag of each message, by key."""
    union = _Union()
    node = {m.key: f"k:{m.key}" for m in messages}
    linked: set[str] = set()
    for m in messages:
        own = _clean_id(m.message_id)
        named = clean_ids([m.in_reply_to, *m.references])
        union.find(node[m.key])
        if own:
            union.join(node[m.key], f"id:{own}")
        for other in named:
            union.join(node[m.key], f"id:{other}")
        if named:
            linked.add(m.key)
    # A message named by another is linked too (it has a reply).
    named_ids = {i for m in messages for i in clean_ids([m.in_reply_to, *m.references])}
    linked |= {m.key for m in messages if _clean_id(m.message_id) in named_ids}

    _fallbacks(messages, linked, union, node)

    groups: dict[str, list[MailFacts]] = {}
    for m in messages:
        groups.setdefault(union.find(node[m.key]), []).append(m)
    marks: dict[str, ThreadMark] = {}
    for members in groups.values():
        roots = sorted(r for r in (_root(m) for m in members) if r)
        marks.update(_inclusive(members, thread_key(roots[0] if roots else members[0].key)))
    return marks


def _fallbacks(
    messages: Sequence[MailFacts], linked: set[str], union: _Union, node: dict[str, str]
) -> None:
    """Join messages the headers leave alone: by the words they quote, then by subject."""
    own_words = {m.key: words(split_quoted(m.body)[0]) for m in messages}
    by_subject: dict[str, list[MailFacts]] = {}
    for m in sorted(messages, key=lambda m: (m.date or "", m.key)):
        by_subject.setdefault(normalize_subject(m.subject), []).append(m)
    for m in messages:
        if m.key in linked:
            continue
        quoted = words(split_quoted(m.body)[1])
        if quoted:
            for other in messages:
                text = own_words[other.key]
                if other.key != m.key and len(text) >= 20 and text in quoted:
                    union.join(node[m.key], node[other.key])
        subject = normalize_subject(m.subject)
        if subject and is_reply_subject(m.subject):
            first = by_subject[subject][0]
            if first.key != m.key:
                union.join(node[m.key], node[first.key])


def _inclusive(members: list[MailFacts], thread_id: str) -> dict[str, ThreadMark]:
    first_of: dict[str, str] = {}
    for m in sorted(members, key=lambda m: m.key):
        first_of.setdefault(_duplicate_key(m), m.key)
    originals = [m for m in members if first_of[_duplicate_key(m)] == m.key]
    full = {m.key: words(m.body) for m in originals}
    own = {m.key: words(split_quoted(m.body)[0]) for m in originals}
    attached = {m.key: set(m.attachments) for m in originals}
    marks: dict[str, ThreadMark] = {}
    for m in members:
        first = first_of[_duplicate_key(m)]
        if first != m.key:
            marks[m.key] = ThreadMark(thread_id, inclusive=False, duplicate_of=first)
            continue
        contained = any(
            other.key != m.key
            and own[m.key] in full[other.key]
            and len(full[other.key]) > len(full[m.key])
            and attached[m.key] <= attached[other.key]
            for other in originals
        )
        marks[m.key] = ThreadMark(thread_id, inclusive=not contained)
    return marks

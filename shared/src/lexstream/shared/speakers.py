"""Court-style speaker labels, and the channel map that names a recording's microphones.

Court recording systems give each role a microphone: ``1:the court,2:Ms. Hale for the
plaintiff,3:the witness``. The gateway checks such a map at upload (:func:`parse_channel_map`
raises ``ValueError``); the transcribe service turns each description into the label a
certified transcript uses (:func:`court_label`): ``THE COURT``, ``MS. HALE``, ``THE WITNESS``,
``THE INTERPRETER``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHANNELS = 64
MAX_DESCRIPTION_CHARS = 120

# Roles that are labelled by the role alone, whoever fills them ("THE WITNESS", not her name).
# Example: "the court", "Judge Vasquez", "presiding judge", "the bench" -> the court.
ROLE_WORDS: dict[str, re.Pattern[str]] = {
    "the court": re.compile(
        r"^(?:the\s+)?(?:court|bench|judge|presiding\s+judge|magistrate|justice)\b", re.I
    ),
    "the witness": re.compile(r"^(?:the\s+)?witness\b", re.I),
    "the interpreter": re.compile(r"^(?:the\s+)?(?:interpreter|translator)\b", re.I),
    "the clerk": re.compile(r"^(?:the\s+)?(?:court\s+)?clerk\b", re.I),
    "the bailiff": re.compile(r"^(?:the\s+)?(?:bailiff|usher)\b", re.I),
    "the reporter": re.compile(r"^(?:the\s+)?(?:court\s+)?reporter\b", re.I),
}

# Titles, as written before a surname in a transcript label ("MS. HALE").
# Example: "Mr", "Mr.", "mrs", "Dr." -> "MR.", "MR.", "MRS.", "DR."
HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)"
_HONORIFIC_NAME = re.compile(
    rf"^(?P<honorific>(?i:{HONORIFIC}))\.?\s+(?:[A-Z][\w'-]*\s+)*(?P<surname>[A-Z][\w'-]+)$"
)

# A party as counsel appears for it.
# Example: "for the plaintiff", "on behalf of the defendants", "for the Crown".
PARTY = (
    r"(?:plaintiffs?|defendants?|claimants?|respondents?|appellants?|appellees?|petitioners?"
    r"|applicants?|prosecution|crown|state|government|people|united\s+states|debtors?"
    r"|creditors?|intervenors?)"
)
_FOR_PARTY = re.compile(
    rf"^(?P<who>.*?)[\s,]*\b(?:appearing\s+)?(?:for|on\s+behalf\s+of)\s+the\s+(?P<party>{PARTY})\s*$",
    re.I,
)
# Example: "counsel for the plaintiff", "attorney for the defendant", "" (the party alone).
_COUNSEL_WORDS = re.compile(r"^(?:(?:the\s+)?(?:counsel|attorneys?|lawyers?|solicitors?))?$", re.I)


@dataclass(frozen=True)
class Role:
    """What a description says of a speaker: the transcript label, role and name."""

    label: str
    role: str | None = None
    name: str | None = None


def parse_channel_map(text: str) -> dict[int, str]:
    """``"1:the court, 2:counsel for the plaintiff"`` -> ``{1: "the court", 2: ...}``.

    Channels are 1-based, as court recorders number them. Entries are separated by a comma
    or semicolon before the next ``number:`` (a description may hold commas). Raises
    ``ValueError`` with the reason on an entry without a channel number, a channel out of
    range or given twice, or an empty name.
    """
    mapping: dict[int, str] = {}
    for entry in re.split(r"[;,]\s*(?=\d+\s*[:=])", text.strip()):
        if not entry.strip():
            continue
        found = re.fullmatch(r"\s*(\d{1,3})\s*[:=]\s*(.*?)\s*", entry)
        if found is None:
            raise ValueError(f"channels: {entry.strip()!r} is not 'number:who'")
        channel, description = int(found[1]), " ".join(found[2].split())
        if not 1 <= channel <= MAX_CHANNELS:
            raise ValueError(f"channels: channel {channel} is not between 1 and {MAX_CHANNELS}")
        if not description or len(description) > MAX_DESCRIPTION_CHARS:
            raise ValueError(
                f"channels: channel {channel} needs a name of 1-{MAX_DESCRIPTION_CHARS} characters"
            )
        if channel in mapping:
            raise ValueError(f"channels: channel {channel} is given twice")
        mapping[channel] = description
    if not mapping:
        raise ValueError("channels: give at least one 'number:who'")
    return mapping


def court_label(description: str) -> Role:
    """The label a certified transcript gives the speaker a description names.

    ``"the court"`` -> ``THE COURT``; ``"the witness"`` -> ``THE WITNESS``; ``"Ms. Hale for
    the plaintiff"`` -> ``MS. HALE`` (role ``counsel for the plaintiff``); ``"Daniel Okafor
    for the defendant"`` -> ``DANIEL OKAFOR`` (no title is guessed); ``"counsel for the
    plaintiff"`` -> ``COUNSEL FOR THE PLAINTIFF``; anything else in capitals.
    """
    text = " ".join(description.strip().rstrip(".").split())
    for title, pattern in ROLE_WORDS.items():
        if pattern.match(text):
            rest = pattern.sub("", text, count=1).strip(" ,")
            name = rest if re.fullmatch(r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)*", rest) else None
            return Role(title.upper(), title, name)
    role: str | None = None
    who = text
    party = _FOR_PARTY.match(text)
    if party:
        who = party["who"].strip(" ,")
        role = f"counsel for the {' '.join(party['party'].lower().split())}"
        if _COUNSEL_WORDS.match(who):
            return Role(role.upper(), role, None)
    return Role(person_label(who), role, who)


def person_label(name: str) -> str:
    """``"Ms. Margaret Hale"`` -> ``MS. HALE``; ``"Daniel Okafor"`` -> ``DANIEL OKAFOR``."""
    name = " ".join(name.split())
    titled = _HONORIFIC_NAME.match(name)
    if titled:
        return f"{titled['honorific'].upper()}. {titled['surname'].upper()}"
    return name.upper()

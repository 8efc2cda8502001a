"""Who the speakers are: the upload's channel map, or what the recording itself says.

A channel map (``1:the court,2:Ms. Hale for the plaintiff``) names the microphones; each
description becomes a court-style label (:func:`lexstream.shared.speakers.court_label`).
Hearings also say who is who: counsel state their appearances ("Daniel Okafor for the
defendant"), the court asks the witness to state her name for the record, the witness and
the interpreter are sworn, the presiding judge rules on objections. Rules over the
transcript's text find these and propose labels, each with the segment and the words that
are its evidence. The proposals label the transcript only where no channel map was given;
with a map they are kept beside it for a person to check.

Whisper spells a name as it sounds ("Margaret Hail", "Okafo"), and which spelling it picks
changes with the CPU's arithmetic. Where the matter's documents name the people (its
vocabulary), a heard name that sounds like one of them takes the documents' spelling, as a
court reporter spells the appearances from the appearance sheet; the evidence keeps the
words as heard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import jellyfish

from lexstream.shared.artifacts import Segment, SpeakerLabel, SpeakerProposal, Transcript
from lexstream.shared.speakers import HONORIFIC, PARTY, court_label, person_label
from lexstream.transcribe.diarize import channel_speaker

# A person's name as Whisper writes it: two to four capitalised words, or a title and a
# surname. Example: "Margaret Hale", "Ms. Hale", "Daniel O'Brien-Okafor".
_NAME = rf"(?:{HONORIFIC}\.?\s+)?[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){{0,3}}"
# Capitalised words that start a sentence but are no name.
_NOT_NAMES = frozenset(
    (
        *("your", "the", "counsel", "thank", "good", "and", "objection", "yes", "no"),
        *("may", "please", "this", "that", "we", "i", "sir", "madam", "so", "well", "now"),
        *("honour", "honor", "lord", "lady", "morning", "afternoon", "then", "here"),
    )
)

# Counsel stating an appearance: the party, then the name said just before it.
# Example: "Good morning, Your Honour. Margaret Hale for the plaintiff."
# Example: "Daniel Okafor, appearing on behalf of the defendant."
APPEARANCE = re.compile(
    rf"[\s,]+(?:appearing\s+)?(?:for|on\s+behalf\s+of)\s+the\s+(?P<party>{PARTY})\b", re.I
)
# The capitalised words that end the text before it: the name.
# Example: "Good morning, you're on a Margaret Hale" -> "Margaret Hale".
_NAME_BEFORE = re.compile(
    rf"(?P<name>(?:{HONORIFIC}\.?\s+)?(?:[A-Z][\w'-]+\s+){{0,2}}[A-Z][\w'-]+)\W*$"
)
# The oath or affirmation being put. Example: "Do you swear to tell the truth, ...?"
OATH = re.compile(
    r"\b(?:do\s+you|you\s+do)\s+(?:solemnly\s+|sincerely\s+)?(?:swear|affirm)\b", re.I
)
# The interpreter's oath. Example: "Do you swear that you will interpret accurately ...?"
INTERPRETER_OATH = re.compile(r"\b(?:interpret|translat)\w*", re.I)
# Taking it. Example: "I do.", "Yes, I do.", "I so swear."
OATH_TAKEN = re.compile(
    r"^\W*(?:yes\W*)?(?:I\s+do|I\s+will|I\s+(?:so\s+)?(?:swear|affirm)|so\s+help\s+me)\b", re.I
)
# Asking for a name. Example: "Please state your name for the record."
NAME_ASKED = re.compile(
    r"\b(?:state|spell|give|tell\s+us)\s+your\s+(?:full\s+|last\s+)?name\b", re.I
)
# Giving it. Example: "My name is Sarah Lindqvist." or just "Sarah Lindqvist."
NAME_GIVEN = re.compile(
    rf"(?:\b(?i:my\s+name\s+is|my\s+name's|I\s+am|I'm)\s+(?P<said>{_NAME})"
    rf"|^\W*(?P<alone>{_NAME})\W*$)"
)
# What only the presiding judge says.
# Example: "We are on the record in ...", "Overruled.", "You may call your first witness."
PRESIDING = re.compile(
    r"""\b(?:we\s+are|we're)\s+(?:now\s+|back\s+)?on\s+the\s+record\b
    |^\W*(?:objection\s+)?(?:overruled|sustained)\b
    |\bcall\s+your\s+(?:first|next)\s+witness\b
    |\bcourt\s+is\s+(?:now\s+)?in\s+session\b
    |\bstate\s+your\s+appearances\b""",
    re.I | re.X,
)
# The court handing the floor to counsel by name: the one addressed speaks next.
# Example: "Thank you, Ms. Hale. You may call your first witness." ("Mr. Okafor, the witness
# may answer" hands the floor to the witness, and is no invitation.)
INVITED = re.compile(
    rf"""\b(?P<name>(?i:{HONORIFIC})\.?\s+[A-Z][\w'-]+)\W+
    (?i:(?:you\s+may|please)\s+(?:call|proceed|begin|continue|go\s+ahead|examine
    |cross-examine|inquire|respond|reply|address))\b""",
    re.X,
)
# A title before a surname, as others address a person. Example: "Mr. Okafor", "Ms Hale".
_ADDRESSED = r"\b(?P<honorific>(?i:{honorific}))\.?\s+{surname}\b"

# When several rules speak of one speaker, the role wins in this order.
_RULE_ORDER = (
    "presiding",
    "interpreter's oath",
    "swearing-in",
    "appearance",
    "name for the record",
    "invited by name",
)


@dataclass(frozen=True)
class _Found:
    speaker: str
    rule: str
    segment: Segment
    evidence: str
    role: str | None = None
    name: str | None = None


def label_speakers(
    transcript: Transcript,
    channel_map: dict[int, str] | None,
    names: Iterable[str] = (),
) -> Transcript:
    """The transcript with court-style labels: from ``channel_map`` (1-based channels) where
    given, else from what the recording says, each heard name spelled as in ``names`` (the
    matter's people) where it sounds like one of them; the proposals are kept either way."""
    known = [name for name in dict.fromkeys(" ".join(n.split()) for n in names) if name]
    found = [_spelled(item, known) for item in _find(transcript.segments)]
    if channel_map:
        speakers = [_mapped(channel, description) for channel, description in channel_map.items()]
    else:
        speakers = _resolve(found, transcript.segments)
    by_id = {entry.speaker: entry for entry in speakers}
    proposals = [_proposal(item, transcript.segments, not channel_map) for item in found]
    segments = [
        segment.model_copy(update={"speaker": by_id[segment.speaker].label})
        if segment.speaker in by_id
        else segment
        for segment in transcript.segments
    ]
    present = {segment.speaker for segment in transcript.segments}
    return transcript.model_copy(
        update={
            "segments": segments,
            "speakers": [entry for entry in speakers if entry.speaker in present],
            "speaker_proposals": proposals,
        }
    )


def _mapped(channel: int, description: str) -> SpeakerLabel:
    role = court_label(description)
    return SpeakerLabel(
        speaker=channel_speaker(channel - 1),
        label=role.label,
        role=role.role,
        name=role.name,
        source="channel map",
    )


def _find(segments: Sequence[Segment]) -> Iterator[_Found]:
    """Every rule's findings, in the order of the segments."""
    ends = _turn_ends(segments)
    for index, segment in enumerate(segments):
        if segment.speaker is None:
            continue
        text = segment.text
        if PRESIDING.search(text):
            yield _Found(
                segment.speaker, "presiding", segment, _match(PRESIDING, text), "the court"
            )
        for appearance in APPEARANCE.finditer(text):
            name = _name_before(text[: appearance.start()])
            if name is None:
                continue
            party = " ".join(appearance["party"].lower().split())
            yield _Found(
                segment.speaker,
                "appearance",
                segment,
                f"{name}{appearance[0]}",
                f"counsel for the {party}",
                name,
            )
        starts_turn = index == 0 or segments[index - 1].speaker != segment.speaker
        turn = _turn(segments, index, ends[index]) if starts_turn else ""
        invited = INVITED.search(turn)
        last = segments[ends[index]]
        # the invitation ends the turn, so the next voice is the one invited ("Ms. Hale, you
        # may call your first witness. Do you swear ..." has the witness answer, not Ms. Hale)
        if invited and invited.end() > len(turn) - len(last.text.strip()):
            after = _answer(segments, ends[index])
            if after is not None:
                title, surname = invited["name"].split()
                name = f"{title.rstrip('.').capitalize()}. {surname}"  # "MS Hale" -> "Ms. Hale"
                yield _Found(str(after.speaker), "invited by name", after, invited[0], name=name)
        answer = _answer(segments, index)
        if answer is None:
            continue
        if OATH.search(text) and OATH_TAKEN.search(answer.text):
            interpreter = bool(INTERPRETER_OATH.search(text))
            yield _Found(
                str(answer.speaker),
                "interpreter's oath" if interpreter else "swearing-in",
                answer,
                answer.text.strip(),
                "the interpreter" if interpreter else "the witness",
            )
        if NAME_ASKED.search(text):
            given = NAME_GIVEN.search(answer.text)
            name = (given["said"] or given["alone"]) if given else None
            if given and name and name.split()[0].lower() not in _NOT_NAMES:
                yield _Found(
                    str(answer.speaker), "name for the record", answer, given[0].strip(), name=name
                )


def _spelled(item: _Found, known: Sequence[str]) -> _Found:
    """``item`` with its name spelled as the matter spells it, where one sounds like it."""
    if item.name is None or not known:
        return item
    return replace(item, name=spell_name(item.name, known))


def spell_name(heard: str, known: Sequence[str]) -> str:
    """The name in ``known`` that ``heard`` sounds like, keeping the heard title
    ("Ms. Hail" -> "Ms. Hale" where the matter knows "Margaret Hale"), else ``heard``.

    The surnames must sound alike, and so must the first names where both have one; the
    closest spelling wins. Example: "Margaret Hail" -> "Margaret Hale", "Daniel Okafo" ->
    "Daniel Okafor"; "Margaret Hill" stays (Hill is no Hale)."""
    title, words = _split_title(heard)
    if not words:
        return heard
    best: tuple[float, str] | None = None
    for name in known:
        _, known_words = _split_title(name)
        if not known_words:
            continue
        if len(words) > 1 and len(known_words) > 1:  # both first names: both must agree
            first = _sounds_like(words[0], known_words[0])
            last = _sounds_like(words[-1], known_words[-1])
            score = (first + last) / 2 if first and last else 0.0
        else:  # a surname alone ("Ms. Hail") must sound the same, not just look close
            score = _sounds_like(words[-1], known_words[-1], same_sound=True)
        if score and (best is None or score > best[0]):
            if title:  # "Ms. Hail" -> "Ms. Hale"
                spelled = [title, known_words[-1]]
            elif len(words) > 1 and len(known_words) > 1:  # "Margaret Hail" -> "Margaret Hale"
                spelled = known_words
            else:  # "Okafo" -> "Okafor", "Daniel Okafo" with only "Okafor" known
                spelled = [*words[:-1], known_words[-1]]
            best = (score, " ".join(spelled))
    return best[1] if best else heard


def _split_title(name: str) -> tuple[str | None, list[str]]:
    """("Ms.", ["Hale"]) for "Ms. Hale", (None, ["Margaret", "Hale"]) for "Margaret Hale"."""
    words = name.split()
    if words and re.fullmatch(rf"(?i:{HONORIFIC})\.?", words[0]):
        return words[0], words[1:]
    return None, words


def _sounds_like(heard: str, known: str, *, same_sound: bool = False) -> float:
    """How alike two words of a name are, 0 where they are not the same name: the same
    Metaphone key and a Jaro-Winkler similarity of 0.75 ("Hail"/"Hale" 0.87, "Hill"/"Hale"
    0.67); or, unless ``same_sound``, a similarity of 0.9 whatever the key ("Okafo"/"Okafor"
    0.97, where the first names agree too). A surname alone needs the same sound:
    "Mr. Johnson" is no "Peter Johnston" (0.975, JNSN against JNSTN)."""
    a, b = heard.lower(), known.lower()
    if a == b:
        return 1.0
    similarity = jellyfish.jaro_winkler_similarity(a, b)
    if similarity >= 0.75 and jellyfish.metaphone(a) == jellyfish.metaphone(b):
        return similarity
    if similarity >= 0.9 and not same_sound:
        return similarity
    return 0.0


def _name_before(text: str) -> str | None:
    """The name that ends ``text``, its leading non-name words dropped ("Your Honour")."""
    found = _NAME_BEFORE.search(text)
    if found is None:
        return None
    words = found["name"].split()
    while words and words[0].lower().rstrip(".") in _NOT_NAMES:
        words.pop(0)
    if not words:
        return None
    titled = re.match(HONORIFIC, words[0]) is not None
    # one capitalised word is a name only mid-sentence ("you'll Okafor", not "Objection")
    sentence_start = re.search(r"(?:^|[.!?])\W*$", text[: found.start("name")]) is not None
    if len(words) == 1 and sentence_start and not titled:
        return None
    return " ".join(words)


def _turn_ends(segments: Sequence[Segment]) -> list[int]:
    """For each segment, the last segment of its turn: its speaker's segments until another
    speaker's (Whisper may cut "Thank you, Ms." | "Hale, you may call ..."). One pass from the
    end, so a recording with one speaker throughout costs no more than any other."""
    ends = list(range(len(segments)))
    for index in range(len(segments) - 2, -1, -1):
        if segments[index + 1].speaker == segments[index].speaker:
            ends[index] = ends[index + 1]
    return ends


def _turn(segments: Sequence[Segment], start: int, end: int) -> str:
    """The words of the turn from ``start`` to ``end``."""
    return " ".join(s.text.strip() for s in segments[start : end + 1])


def _answer(segments: Sequence[Segment], index: int) -> Segment | None:
    """The next segment another speaker says, if it follows within half a minute."""
    asked = segments[index]
    for later in segments[index + 1 :]:
        if later.start - asked.end > 30.0:
            return None
        if later.speaker is not None and later.speaker != asked.speaker:
            return later
    return None


def _match(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    return found[0].strip() if found else text


def _resolve(found: Sequence[_Found], segments: Sequence[Segment]) -> list[SpeakerLabel]:
    """One label per speaker: the highest-ranked role found for it, with any name."""
    speakers = []
    for speaker in dict.fromkeys(item.speaker for item in found):
        label = _label_for(speaker, found, segments)
        if label is not None:
            speakers.append(label)
    return speakers


def _label_for(
    speaker: str, found: Sequence[_Found], segments: Sequence[Segment]
) -> SpeakerLabel | None:
    mine = sorted(
        (item for item in found if item.speaker == speaker),
        key=lambda item: _RULE_ORDER.index(item.rule),
    )
    # a role claimed by two speakers (two "presiding") is no evidence for either
    best = next((item for item in mine if item.role), None)
    name = next((item.name for item in mine if item.name), None)
    if best is None and name is None:
        return None
    role = best.role if best else None
    if role in ("the court", "the witness", "the interpreter"):
        label = role.upper()
    else:
        label = _addressed_label(str(name), speaker, segments)
    return SpeakerLabel(speaker=speaker, label=label, role=role, name=name, source="recording")


def _addressed_label(name: str, speaker: str, segments: Sequence[Segment]) -> str:
    """``MR. OKAFOR`` where someone else calls Daniel Okafor "Mr. Okafor", else the name."""
    label = person_label(name)
    if re.match(HONORIFIC, name):
        return label
    surname = name.split()[-1]
    pattern = re.compile(
        _ADDRESSED.format(honorific=HONORIFIC, surname=r"(?P<surname>[A-Z][\w'-]+)")
    )
    # each other speaker's words run together: a title and a name may fall in two segments
    said: dict[str | None, list[str]] = {}
    for segment in segments:
        if segment.speaker != speaker:
            said.setdefault(segment.speaker, []).append(segment.text)
    # the surname as written first; else the title before the closest name that sounds
    # like it ("Ms. Hail" addresses Margaret Hale too: Whisper spells names as they sound),
    # so "Mr. Hall is the first witness ... Thank you, Ms. Hale" makes her MS. HALE
    best: tuple[float, str] | None = None
    for texts in said.values():
        for addressed in pattern.finditer(" ".join(texts)):
            # only the title is taken from it: the name is the speaker's own
            score = _sounds_like(addressed["surname"], surname)
            if score and (best is None or score > best[0]):
                best = (score, addressed["honorific"].upper())
    return f"{best[1]}. {surname.upper()}" if best else label


def _proposal(item: _Found, segments: Sequence[Segment], applied: bool) -> SpeakerProposal:
    resolved = _label_for(item.speaker, [item], segments)
    label = resolved.label if resolved else item.speaker
    return SpeakerProposal(
        speaker=item.speaker,
        label=label,
        role=item.role,
        name=item.name,
        rule=item.rule,
        segment=item.segment.id,
        evidence=item.evidence,
        applied=applied,
    )

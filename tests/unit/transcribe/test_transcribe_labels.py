"""Speaker labels: the channel map, court style, and the names a hearing says aloud."""

from __future__ import annotations

import pytest

from lexstream.shared.artifacts import Segment, Transcript
from lexstream.shared.speakers import court_label, parse_channel_map, person_label
from lexstream.transcribe.captions import to_srt, to_webvtt
from lexstream.transcribe.labels import label_speakers, spell_name


def transcript(*turns: tuple[str, str]) -> Transcript:
    """Segments 3 s apart, one per (speaker, text)."""
    segments = [
        Segment(id=index, start=index * 3.0, end=index * 3.0 + 2.5, text=text, speaker=speaker)
        for index, (speaker, text) in enumerate(turns)
    ]
    return Transcript(
        document_id="doc",
        media_type="audio/wav",
        duration=len(turns) * 3.0,
        segments=segments,
        model="fake",
        device="cpu",
        compute_type="int8",
    )


HEARING = transcript(
    ("channel-1", "We are on the record. Counsel, please state your appearances."),
    ("channel-2", "Good morning, Your Honour. Margaret Hale for the plaintiff."),
    ("channel-3", "Daniel Okafor, appearing on behalf of the defendant."),
    ("channel-1", "Thank you, Mr. Okafor. Ms. Hale, you may call your first witness."),
    ("channel-1", "Do you swear to tell the truth, the whole truth and nothing but the truth?"),
    ("channel-4", "I do."),
    ("channel-1", "Please state your name for the record."),
    ("channel-4", "My name is Sarah Lindqvist."),
    ("channel-3", "Objection."),
    ("channel-1", "Sustained."),
)


def test_a_channel_map_parses_and_refuses_what_is_not_one() -> None:
    assert parse_channel_map("1:the court, 2:Ms. Hale, for the plaintiff;3=the witness") == {
        1: "the court",
        2: "Ms. Hale, for the plaintiff",
        3: "the witness",
    }
    for bad, reason in (
        ("the court", "is not 'number:who'"),
        ("1:the court,1:the witness", "given twice"),
        ("0:the court", "between 1 and"),
        ("1:", "needs a name"),
        ("", "at least one"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse_channel_map(bad)


@pytest.mark.parametrize(
    ("description", "label", "role", "name"),
    [
        ("the court", "THE COURT", "the court", None),
        ("Judge Vasquez", "THE COURT", "the court", "Vasquez"),
        ("the witness", "THE WITNESS", "the witness", None),
        ("Interpreter", "THE INTERPRETER", "the interpreter", None),
        ("Ms. Margaret Hale for the plaintiff", "MS. HALE", "counsel for the plaintiff", None),
        ("Mr Okafor on behalf of the defendants", "MR. OKAFOR", "counsel for the defendants", None),
        ("Daniel Okafor for the defendant", "DANIEL OKAFOR", "counsel for the defendant", None),
        (
            "counsel for the plaintiff",
            "COUNSEL FOR THE PLAINTIFF",
            "counsel for the plaintiff",
            None,
        ),
        ("the jury foreman", "THE JURY FOREMAN", None, None),
    ],
)
def test_descriptions_become_court_style_labels(
    description: str, label: str, role: str | None, name: str | None
) -> None:
    found = court_label(description)
    assert (found.label, found.role) == (label, role)
    if name is not None:
        assert found.name == name


def test_person_labels_keep_the_title_and_surname() -> None:
    assert person_label("Ms.  Margaret   Hale") == "MS. HALE"
    assert person_label("DR Chen") == "DR. CHEN"
    assert person_label("Sarah Lindqvist") == "SARAH LINDQVIST"


def test_without_a_map_the_recording_names_its_speakers() -> None:
    labelled = label_speakers(HEARING, None)

    by_id = {entry.speaker: entry for entry in labelled.speakers}
    assert by_id["channel-1"].label == "THE COURT"
    assert by_id["channel-2"].label == "MS. HALE"  # the court calls her "Ms. Hale"
    assert by_id["channel-2"].name == "Margaret Hale"
    assert by_id["channel-2"].role == "counsel for the plaintiff"
    assert by_id["channel-3"].label == "MR. OKAFOR"
    assert by_id["channel-3"].role == "counsel for the defendant"
    assert (by_id["channel-4"].label, by_id["channel-4"].name) == ("THE WITNESS", "Sarah Lindqvist")
    assert {entry.source for entry in labelled.speakers} == {"recording"}
    assert [s.speaker for s in labelled.segments] == [
        "THE COURT",
        "MS. HALE",
        "MR. OKAFOR",
        "THE COURT",
        "THE COURT",
        "THE WITNESS",
        "THE COURT",
        "THE WITNESS",
        "MR. OKAFOR",
        "THE COURT",
    ]
    # every label is proposed with the segment and the words that say it
    evidence = {(p.rule, p.speaker, p.segment, p.evidence) for p in labelled.speaker_proposals}
    assert ("appearance", "channel-2", 1, "Margaret Hale for the plaintiff") in evidence
    assert (
        "appearance",
        "channel-3",
        2,
        "Daniel Okafor, appearing on behalf of the defendant",
    ) in (evidence)
    assert ("swearing-in", "channel-4", 5, "I do.") in evidence
    assert ("name for the record", "channel-4", 7, "My name is Sarah Lindqvist") in evidence
    assert ("presiding", "channel-1", 9, "Sustained") in evidence
    assert all(p.applied for p in labelled.speaker_proposals)


def test_a_channel_map_wins_and_the_recordings_names_stay_proposals() -> None:
    channels = parse_channel_map("1:the court,2:counsel for the plaintiff,3:the witness")

    labelled = label_speakers(HEARING, channels)

    assert [s.speaker for s in labelled.segments[:3]] == [
        "THE COURT",
        "COUNSEL FOR THE PLAINTIFF",
        "THE WITNESS",  # the map says so, though the words say otherwise
    ]
    assert labelled.segments[5].speaker == "channel-4"  # a channel the map leaves out
    assert {entry.source for entry in labelled.speakers} == {"channel map"}
    proposals = labelled.speaker_proposals
    assert proposals
    assert not any(p.applied for p in proposals)
    assert ("channel-3", "MR. OKAFOR") in {(p.speaker, p.label) for p in proposals}


def test_the_interpreter_is_sworn_as_the_interpreter() -> None:
    hearing = transcript(
        ("channel-1", "Do you swear that you will interpret accurately from English to Spanish?"),
        ("channel-2", "Yes, I do."),
        ("channel-1", "Do you solemnly affirm that the evidence you give will be the truth?"),
        ("channel-3", "I affirm."),
    )

    labelled = label_speakers(hearing, None)

    assert [s.speaker for s in labelled.segments] == [
        "channel-1",
        "THE INTERPRETER",
        "channel-1",
        "THE WITNESS",
    ]


def test_words_that_only_look_like_a_name_are_not_proposed() -> None:
    hearing = transcript(
        ("channel-1", "Good morning, Your Honour, for the plaintiff."),
        ("channel-2", "Objection for the defendant."),
        ("channel-1", "Please state your name for the record."),
        ("channel-2", "Yes."),
    )

    labelled = label_speakers(hearing, None)

    assert labelled.speaker_proposals == []
    assert labelled.speakers == []
    assert [s.speaker for s in labelled.segments] == ["channel-1", "channel-2"] * 2


def test_captions_carry_the_court_style_labels() -> None:
    labelled = label_speakers(HEARING, None)

    assert "<v THE COURT>We are on the record." in to_webvtt(labelled)
    assert "MS. HALE: Good morning, Your Honour." in to_srt(labelled)


def test_a_title_said_across_two_segments_still_names_counsel() -> None:
    hearing = transcript(
        ("channel-2", "Margaret Hale for the plaintiff."),
        ("channel-1", "Thank you, Ms."),
        ("channel-1", "Hale, you may call your first witness."),
    )

    labelled = label_speakers(hearing, None)

    assert labelled.segments[0].speaker == "MS. HALE"


def test_the_court_inviting_counsel_by_name_names_who_speaks_next() -> None:
    # Whisper heard the appearance as "you're on a moderate hail for the plaintiff": no name
    # there, but the court's invitation, cut across two segments, says who speaks next.
    hearing = transcript(
        ("channel-1", "Please state your appearances for the record."),
        ("channel-2", "Good morning, you're on a moderate hail for the plaintiff."),
        ("channel-1", "Thank you MS"),
        ("channel-1", "Hale, you may call your first witness"),
        ("channel-2", "The plaintiff calls Sarah Lindqvist."),
        ("channel-1", "Overruled. Mr. Okafor, the witness may answer."),
        ("channel-3", "Five hundred and four containers."),
    )

    labelled = label_speakers(hearing, None)

    by_id = {entry.speaker: entry for entry in labelled.speakers}
    assert (by_id["channel-2"].label, by_id["channel-2"].name) == ("MS. HALE", "Ms. Hale")
    evidence = {(p.rule, p.speaker, p.segment) for p in labelled.speaker_proposals}
    assert ("invited by name", "channel-2", 4) in evidence
    # "Mr. Okafor, the witness may answer" hands the floor to the witness: no invitation
    assert "channel-3" not in by_id
    assert [p for p in labelled.speaker_proposals if p.speaker == "channel-3"] == []


def test_an_invitation_the_court_speaks_past_names_nobody() -> None:
    # The court goes on to swear the witness: the next voice is the witness, not Ms. Hale.
    labelled = label_speakers(HEARING, None)

    assert not [p for p in labelled.speaker_proposals if p.rule == "invited by name"]


def test_the_matters_people_spell_the_names_whisper_heard_as_they_sound() -> None:
    # Whisper spells a name as it sounds, and which spelling changes with the CPU's
    # arithmetic: "Hail" on one machine, "Hale" on another.
    heard = transcript(
        ("channel-1", "We are on the record. Counsel, please state your appearances."),
        ("channel-2", "Good morning, Your Honour. Margaret Hail for the plaintiff."),
        ("channel-3", "Daniel Okafo, appearing on behalf of the defendant."),
        ("channel-1", "Thank you, Mr. Okafor. Ms. Hail, please proceed."),
        ("channel-2", "The plaintiff calls Sarah Lindquist."),
    )
    people = ["Margaret Hale", "Daniel Okafor", "Bellweather Freight plc"]

    as_heard = {entry.speaker: entry for entry in label_speakers(heard, None).speakers}
    spelled = {entry.speaker: entry for entry in label_speakers(heard, None, people).speakers}

    assert (as_heard["channel-2"].label, as_heard["channel-2"].name) == (
        "MS. HAIL",
        "Margaret Hail",
    )
    assert (spelled["channel-2"].label, spelled["channel-2"].name) == ("MS. HALE", "Margaret Hale")
    # the court said "Mr. Okafor"; counsel's own words were heard as "Okafo"
    assert as_heard["channel-3"].label == "MR. OKAFO"
    assert (spelled["channel-3"].label, spelled["channel-3"].name) == (
        "MR. OKAFOR",
        "Daniel Okafor",
    )
    # the title comes from the surname as written where someone says it, not a sound-alike
    hall = transcript(
        ("channel-2", "Good morning. Margaret Hale for the plaintiff."),
        ("channel-1", "Mr. Hall is the first witness, I understand. Thank you, Ms. Hale."),
    )
    assert label_speakers(hall, None).speakers[0].label == "MS. HALE"
    # the evidence keeps the words as they were heard
    evidence = {p.evidence for p in label_speakers(heard, None, people).speaker_proposals}
    assert "Margaret Hail for the plaintiff" in evidence


@pytest.mark.parametrize(
    ("heard", "known", "spelled"),
    [
        ("Margaret Hail", ["Margaret Hale"], "Margaret Hale"),
        ("Ms. Hail", ["Margaret Hale"], "Ms. Hale"),
        ("Daniel Okafo", ["Daniel Okafor"], "Daniel Okafor"),
        # a surname alone must sound the same: close spelling is not enough
        ("Okafo", ["Daniel Okafor"], "Okafo"),
        ("Mr. Johnson", ["Peter Johnston"], "Mr. Johnson"),
        ("Ms. Hail", ["Peter Johnston", "Margaret Hale"], "Ms. Hale"),
        ("Sarah Lindquist", ["Sarah Lindqvist", "Sarah Lind"], "Sarah Lindqvist"),
        # the closest spelling wins where two people sound alike
        ("Ms. Hall", ["Margaret Hale", "Jane Hall"], "Ms. Hall"),
        # other names stay as heard: another surname, or the same surname and another person
        ("Margaret Hill", ["Margaret Hale"], "Margaret Hill"),
        ("Peter Hale", ["Margaret Hale"], "Peter Hale"),
        ("Daniel Okafor", [], "Daniel Okafor"),
    ],
)
def test_a_heard_name_takes_the_spelling_of_the_person_it_sounds_like(
    heard: str, known: list[str], spelled: str
) -> None:
    assert spell_name(heard, known) == spelled

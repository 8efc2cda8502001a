"""Interpreted hearings: a turn paired with the interpretation that follows it in another
language, the interpreter named by the channel map, the recording, or the turns' pattern
(``lexstream.transcribe.interpreting``)."""

from __future__ import annotations

from lexstream.shared.artifacts import Segment, SpeakerLabel, Transcript
from lexstream.transcribe.interpreting import (
    INTERPRETER_LABEL,
    pair_interpretations,
    turns,
)


def _transcript(
    lines: list[tuple[str, str, str]], speakers: list[SpeakerLabel] | None = None
) -> Transcript:
    """Segments (speaker, language, text), one second each."""
    return Transcript(
        document_id="doc",
        media_type="audio/wav",
        duration=float(len(lines)),
        segments=[
            Segment(id=i, start=float(i), end=i + 0.9, text=text, speaker=speaker, language=lang)
            for i, (speaker, lang, text) in enumerate(lines)
        ],
        model="test",
        device="cpu",
        compute_type="int8",
        speakers=speakers or [],
    )


def _mapped(channel: int, label: str, role: str) -> SpeakerLabel:
    return SpeakerLabel(speaker=f"channel-{channel}", label=label, role=role, source="channel map")


MAPPED = [
    _mapped(1, "MR. OKAFOR", "counsel for the defendant"),
    _mapped(2, "THE WITNESS", "the witness"),
    _mapped(3, "THE INTERPRETER", "the interpreter"),
]


def test_each_turn_is_paired_with_the_interpretation_that_follows_it() -> None:
    transcript = _transcript(
        [
            ("MR. OKAFOR", "en", "Where were you on the night of the fire?"),
            ("THE INTERPRETER", "es", "¿Dónde estaba usted la noche del incendio?"),
            ("THE WITNESS", "es", "Estaba en casa."),
            ("THE WITNESS", "es", "Con mi hermana."),
            ("THE INTERPRETER", "en", "I was at home."),
            ("THE INTERPRETER", "en", "With my sister."),
            ("MR. OKAFOR", "en", "Thank you."),
        ],
        MAPPED,
    )
    paired = pair_interpretations(transcript)
    assert [(p.original, p.interpretation) for p in paired.pairs] == [([0], [1]), ([2, 3], [4, 5])]
    assert [(p.original_language, p.interpretation_language) for p in paired.pairs] == [
        ("en", "es"),
        ("es", "en"),
    ]
    assert {p.interpreter for p in paired.pairs} == {"THE INTERPRETER"}
    assert paired.segments == transcript.segments  # labels untouched
    # the pairs travel in transcript.json
    assert Transcript.model_validate_json(paired.model_dump_json()).pairs == paired.pairs


def test_no_pair_without_a_change_of_language_or_of_speaker() -> None:
    transcript = _transcript(
        [
            ("MR. OKAFOR", "en", "Please answer in English if you can."),
            ("THE INTERPRETER", "en", "The witness asks for a moment."),  # same language
            ("THE INTERPRETER", "es", "Un momento, por favor."),  # the interpreter goes on
            ("THE WITNESS", "es", "Sí."),
            ("MR. OKAFOR", "en", "Let the record show the witness nodded."),  # not interpreter
        ],
        MAPPED,
    )
    assert pair_interpretations(transcript).pairs == []


def test_an_unlabelled_speaker_who_renders_each_turn_in_the_other_language_is_the_interpreter() -> (
    None
):
    transcript = _transcript(
        [
            ("speaker-1", "en", "What is your name?"),
            ("speaker-3", "de", "Wie heißen Sie?"),
            ("speaker-2", "de", "Ich heiße Anna Schmidt."),
            ("speaker-3", "en", "My name is Anna Schmidt."),
            ("speaker-1", "en", "Where do you live?"),
            ("speaker-3", "de", "Wo wohnen Sie?"),
            ("speaker-2", "de", "In Hamburg."),
            ("speaker-3", "en", "In Hamburg."),
        ]
    )
    paired = pair_interpretations(transcript)
    assert [segment.speaker for segment in paired.segments][:4] == [
        "speaker-1",
        INTERPRETER_LABEL,
        "speaker-2",
        INTERPRETER_LABEL,
    ]
    [label] = paired.speakers
    assert (label.speaker, label.label, label.role, label.source) == (
        "speaker-3",
        "THE INTERPRETER",
        "the interpreter",
        "recording",
    )
    assert [(p.original, p.interpretation) for p in paired.pairs] == [
        ([0], [1]),
        ([2], [3]),
        ([4], [5]),
        ([6], [7]),
    ]


def test_a_bilingual_exchange_without_an_interpreter_pairs_nothing() -> None:
    # two speakers answering each other in their own languages: neither speaks both
    transcript = _transcript(
        [
            ("speaker-1", "en", "Do you understand?"),
            ("speaker-2", "fr", "Oui."),
            ("speaker-1", "en", "Good."),
            ("speaker-2", "fr", "Merci."),
        ]
    )
    paired = pair_interpretations(transcript)
    assert paired.pairs == []
    assert paired.speakers == []
    assert paired == transcript


def test_a_speaker_named_otherwise_is_not_taken_for_the_interpreter() -> None:
    transcript = _transcript(
        [
            ("MS. HALE", "en", "What is your name?"),
            ("MR. OKAFOR", "de", "Wie heißen Sie?"),
            ("THE WITNESS", "de", "Anna."),
            ("MR. OKAFOR", "en", "Anna."),
        ],
        [_mapped(1, "MS. HALE", "counsel"), _mapped(2, "MR. OKAFOR", "counsel")],
    )
    assert pair_interpretations(transcript).pairs == []


def test_turns_are_runs_of_one_speaker_in_one_language() -> None:
    transcript = _transcript(
        [("a", "en", "1"), ("a", "en", "2"), ("a", "de", "3"), ("b", "de", "4"), ("a", "de", "5")]
    )
    assert [[s.id for s in turn.segments] for turn in turns(transcript.segments)] == [
        [0, 1],
        [2],
        [3],
        [4],
    ]

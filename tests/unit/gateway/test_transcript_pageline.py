"""Page:line transcripts: 25 numbered lines a page, labels in capitals, a caption page, the
page:line of a second, and the same pages as PDF."""

from __future__ import annotations

import re

import pypdfium2
import pytest

from lexstream.gateway.transcripts import caption_of, to_pdf
from lexstream.shared.artifacts import Segment, SpeakerLabel, SpeakerProposal, Transcript, Word
from lexstream.shared.pageline import (
    LINE_CHARS,
    LINES_PER_PAGE,
    Caption,
    cite,
    layout,
    segment_citations,
    to_text,
)


def words(text: str, start: float, step: float = 0.4) -> list[Word]:
    return [
        Word(start=start + i * step, end=start + i * step + 0.3, word=f" {w}", probability=0.9)
        for i, w in enumerate(text.split())
    ]


def segment(index: int, speaker: str, text: str, start: float) -> Segment:
    spoken = words(text, start)
    return Segment(
        id=index, start=start, end=spoken[-1].end, text=text, speaker=speaker, words=spoken
    )


def hearing(turns: int = 40) -> Transcript:
    """Alternating court and witness turns, 10 s apart, each about two lines long."""
    segments = [
        segment(
            i,
            "THE COURT" if i % 2 == 0 else "THE WITNESS",
            f"Turn {i} says enough words to fill more than one line of a page in the court's "
            "transcript, as turns do.",
            i * 10.0,
        )
        for i in range(turns)
    ]
    return Transcript(
        document_id="rec-1",
        media_type="audio/wav",
        duration=turns * 10.0,
        segments=segments,
        model="fake",
        device="cpu",
        compute_type="int8",
        speakers=[
            SpeakerLabel(
                speaker="channel-1", label="THE COURT", role="the court", source="recording"
            ),
            SpeakerLabel(
                speaker="channel-2",
                label="MS. HALE",
                role="counsel for the plaintiff",
                name="Margaret Hale",
                source="channel map",
            ),
            SpeakerLabel(
                speaker="channel-3",
                label="THE WITNESS",
                role="the witness",
                name="Sarah Lindqvist",
                source="recording",
            ),
        ],
    )


def test_pages_hold_25_numbered_lines_and_the_caption_comes_first() -> None:
    pages = layout(
        hearing(), Caption(case="Harrington Logistics v. Bellweather", court="High Court")
    )

    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    assert len(pages) > 3
    for page in pages[:-1]:
        assert [line.number for line in page.lines] == list(range(1, LINES_PER_PAGE + 1))
    assert all(len(line.text) <= LINE_CHARS for page in pages for line in page.lines)
    caption = "\n".join(line.text for line in pages[0].lines)
    assert "HARRINGTON LOGISTICS v. BELLWEATHER" in caption
    assert "HIGH COURT" in caption
    assert "For the plaintiff: MS. HALE (Margaret Hale)" in caption
    assert "Sarah Lindqvist" in caption
    assert pages[1].lines[0].text.strip().startswith("THE COURT:  Turn 0 says")


def test_each_turn_opens_with_its_label_and_runs_on_at_the_margin() -> None:
    pages = layout(hearing(3))
    body = [line.text for line in pages[1].lines if line.text]

    assert body[0].startswith(" " * 10 + "THE COURT:  Turn 0 says enough words")
    assert len(body[0]) > LINE_CHARS - 12  # filled, not broken early
    assert not body[1].startswith(" ")
    opening = [line for line in body if line.startswith(" ")]
    assert [line.split(":")[0].strip() for line in opening] == [
        "THE COURT",
        "THE WITNESS",
        "THE COURT",
    ]
    # consecutive segments of one speaker are one turn: one label
    one_speaker = hearing(4).model_copy(
        update={
            "segments": [s.model_copy(update={"speaker": "THE COURT"}) for s in hearing(4).segments]
        }
    )
    text = to_text(layout(one_speaker))
    assert text.count("THE COURT:") == 1


def test_a_second_is_cited_by_page_and_line() -> None:
    transcript = hearing()
    pages = layout(transcript)
    citations = segment_citations(pages)

    assert citations[0] == "2:1"
    assert set(citations) == {s.id for s in transcript.segments}
    for item in transcript.segments:
        page, line = map(int, citations[item.id].split(":"))
        assert pages[page - 1].lines[line - 1].segments[0] == item.id
        assert cite(pages, item.start) == citations[item.id]
        assert pages[page - 1].lines[line - 1].text.strip().startswith(item.speaker or "")
    # a word later in a turn is on a later line of it
    late = transcript.segments[5].words[-1].start
    assert cite(pages, late) != citations[5]
    assert cite(layout(hearing(0)), 3.0) is None


def test_the_layout_does_not_move_when_the_caption_changes() -> None:
    transcript = hearing()
    bare = layout(transcript)
    captioned = layout(transcript, Caption(case="A v. B", appearances=("For A: X",) * 40))

    assert bare[1:] == captioned[1:]
    assert len(captioned[0].lines) == LINES_PER_PAGE


def test_time_marks_stand_in_the_margin_of_each_turns_first_line() -> None:
    text = to_text(layout(hearing(3)), time_marks=True)

    assert re.search(r"^ 1  \[00:00:00\] +THE COURT:  Turn 0", text, re.M)
    assert re.search(r"^ \d  \[00:00:10\] +THE WITNESS:  Turn 1", text, re.M)
    assert "\f" in text


def test_the_pdf_has_the_same_pages_and_words() -> None:
    transcript = hearing()
    pages = layout(transcript, Caption(case="Harrington Logistics v. Bellweather"))

    pdf = pypdfium2.PdfDocument(to_pdf(pages, time_marks=True))

    assert len(pdf) == len(pages)
    second = pdf[1].get_textpage().get_text_range()
    assert re.search(r"1\s+\[00:00:00\]\s+THE COURT:\s+Turn 0 says", second)
    assert "[00:00:00]" in second
    assert "HARRINGTON LOGISTICS v. BELLWEATHER" in pdf[0].get_textpage().get_text_range()


def test_letters_outside_latin1_do_not_break_the_pdf() -> None:
    transcript = hearing(1).model_copy(
        update={"segments": [segment(0, "THE WITNESS", "Łódź アイド naïve", 0.0)]}
    )

    pdf = pypdfium2.PdfDocument(to_pdf(layout(transcript)))

    text = pdf[1].get_textpage().get_text_range()
    assert "ódz" in text  # ź -> z, ó kept; Ł and the kana have no Latin-1 form: "?"
    assert "naïve" in text


@pytest.mark.parametrize(
    ("doc", "matter", "case", "appearances"),
    [
        (
            {
                "parties": ["Harrington Logistics", "Bellweather Freight"],
                "counsel": [{"name": "Margaret Hale", "role": "claimant"}],
                "court": "High Court",
                "decision_date": "2024-03-14",
            },
            {"name": "Matter 117"},
            "Harrington Logistics v. Bellweather Freight",
            ("For the claimant: Margaret Hale",),
        ),
        ({}, {"name": "Matter 117"}, "Matter 117", ()),
        ({}, None, None, ()),
    ],
)
def test_the_caption_comes_from_the_documents_metadata(
    doc: dict[str, object],
    matter: dict[str, object] | None,
    case: str | None,
    appearances: tuple[str, ...],
) -> None:
    caption = caption_of(doc, matter)

    assert caption.case == case
    assert caption.appearances == appearances


def test_a_witness_the_map_leaves_unnamed_is_listed_as_stated_for_the_record() -> None:
    transcript = hearing(2).model_copy(
        update={
            "speakers": [
                SpeakerLabel(
                    speaker="channel-3",
                    label="THE WITNESS",
                    role="the witness",
                    source="channel map",
                )
            ],
            "speaker_proposals": [
                SpeakerProposal(
                    speaker="channel-3",
                    label="SARAH LINDQVIST",
                    name="Sarah Lindqvist",
                    rule="name for the record",
                    segment=1,
                    evidence="My name is Sarah Lindqvist",
                    applied=False,
                )
            ],
        }
    )

    caption = "\n".join(line.text for line in layout(transcript)[0].lines)

    assert "WITNESSES:\n    Sarah Lindqvist (as stated for the record)" in caption

"""The shared structure models and look-ups (lexstream.shared.legal.structure): a pinpoint or
authority id to its provision or paragraph, a unit's text, the JSON form without text."""

from __future__ import annotations

import pytest

from lexstream.shared.legal.structure import (
    PAGE_SEPARATOR,
    DocumentStructure,
    Heading,
    Paragraph,
    Provision,
    locate,
    locate_paragraph,
    open_pinpoint,
    pinpoint_of,
    structure_json,
    unit_text,
    walk,
)

# '§ 823 (1) ... (2) ...' then '§ 826', with offsets into TEXT.
TEXT = PAGE_SEPARATOR.join(
    [
        "Buch 2",
        "§ 823 Schadensersatzpflicht\n(1) Wer verletzt, haftet.\n(2) Auch bei Schutzgesetzen.\n"
        "§ 826 Sittenwidrige Schädigung\nWer schädigt, haftet.",
    ]
)


def _at(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def _statute() -> DocumentStructure:
    abs1, abs2 = _at("(1) Wer verletzt, haftet."), _at("(2) Auch bei Schutzgesetzen.")
    p823 = _at(TEXT[TEXT.index("§ 823") : abs2[1]])
    p826 = _at(TEXT[TEXT.index("§ 826") :])
    children = [
        Provision(id="par:823/abs:1", kind="paragraph", number="1", label="(1)",
                  text="Wer verletzt, haftet.", start=abs1[0], end=abs1[1], page=2),
        Provision(id="par:823/abs:2", kind="paragraph", number="2", label="(2)",
                  text="Auch bei Schutzgesetzen.", start=abs2[0], end=abs2[1], page=2),
    ]  # fmt: skip
    return DocumentStructure(
        kind="statute",
        source_format="markdown",
        provisions=[
            Provision(id="buch:2", kind="book", number="2", heading="Recht der Schuldverhältnisse",
                      start=0, end=p826[1], page=1, children=[
                Provision(id="par:823", kind="section", number="823", label="§ 823",
                          heading="Schadensersatzpflicht", start=p823[0], end=p823[1], page=2,
                          children=children),
                Provision(id="par:826", kind="section", number="826", label="§ 826",
                          text="Wer schädigt, haftet.", start=p826[0], end=p826[1], page=2),
            ]),
        ],
    )  # fmt: skip


def _judgment() -> DocumentStructure:
    return DocumentStructure(
        kind="judgment",
        source_format="text",
        headings=[Heading(id="h:1", text="The facts", page=1)],
        paragraphs=[
            Paragraph(id="para:1", number="1", heading="The facts", text="First.", page=1),
            Paragraph(id="para:2", number="2", heading="The facts", text="Second.", page=1),
            Paragraph(id="para:50", number="50", text="Fiftieth.", page=9),
            Paragraph(id="op:2/para:1", number="1", text="Concurring, first.", page=10),
        ],
    )


def test_walk_is_depth_first_in_document_order() -> None:
    assert [p.id for p in walk(_statute().provisions)] == [
        "buch:2",
        "par:823",
        "par:823/abs:1",
        "par:823/abs:2",
        "par:826",
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("par:823/abs:1", "par:823/abs:1"),
        ("de:act:BGB/par:823/abs:2", "par:823/abs:2"),
        ("par:823/abs:1/satz:2", "par:823/abs:1"),  # sentences are not split out
        ("par:823/abs:7", "par:823"),  # the nearest enclosing provision held
        ("buch:2", "buch:2"),
        ("par:999", None),
        ("art:6/para:1", None),
    ],
)
def test_locate(path: str, expected: str | None) -> None:
    found = locate(_statute().provisions, path)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("pinpoint", "expected"),
    [("para:2", "para:2"), ("50", "para:50"), ("[50]", "para:50"), ("at [2]", "para:2"),
     ("paragraph 50", "para:50"), ("op:2/para:1", "op:2/para:1"), ("para:7", None),
     ("no number", None)],
)  # fmt: skip
def test_locate_paragraph(pinpoint: str, expected: str | None) -> None:
    found = locate_paragraph(_judgment().paragraphs, pinpoint)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("authority_id", "expected"),
    [
        ("de:act:BGB/par:823/abs:1", "par:823/abs:1"),
        ("uk:nc:2020/UKSC/5/para:50", "para:50"),
        ("ecli:EU:C:2014:317/para:42", "para:42"),
        ("uk:ukpga:1998/42/sec:3/subsec:1", "sec:3/subsec:1"),
        ("uk:nc:2020/UKSC/5", ""),
        ("eu:celex:32016R0679", ""),
    ],
)
def test_pinpoint_of(authority_id: str, expected: str) -> None:
    assert pinpoint_of(authority_id) == expected


@pytest.mark.parametrize(
    ("authority_id", "expected"),
    [
        ("de:act:BGB/par:823/abs:1", "par:823/abs:1"),
        ("de:act:BGB/par:823/abs:1/satz:1", "par:823/abs:1"),
        ("par:823/abs:2", "par:823/abs:2"),  # a bare provision id is its own pinpoint
        ("par:826", "par:826"),
        ("de:act:BGB", None),  # the act as a whole: the document itself, no unit
        ("de:act:BGB/par:1", None),  # not held in this document
    ],
)
def test_open_pinpoint_in_a_statute(authority_id: str, expected: str | None) -> None:
    found = open_pinpoint(_statute(), authority_id)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("authority_id", "expected"),
    [
        ("uk:nc:2020/UKSC/5/para:50", "para:50"),
        ("ecli:EU:C:2014:317/para:2", "para:2"),
        ("para:1", "para:1"),
        ("op:2/para:1", "op:2/para:1"),  # the second judgment's paragraph 1, not the first's
        ("uk:nc:2020/UKSC/5", None),
        ("uk:report:1990/1/WLR/100/page:50", None),  # a report's page is no paragraph
        ("uk:nc:2020/UKSC/5/para:7", None),
    ],
)
def test_open_pinpoint_in_a_judgment(authority_id: str, expected: str | None) -> None:
    found = open_pinpoint(_judgment(), authority_id)
    assert (found.id if found else None) == expected


def test_open_pinpoint_reads_the_json_form_without_text() -> None:
    stored = structure_json(_statute(), include_text=False)
    found = open_pinpoint(stored, "de:act:BGB/par:823/abs:1")
    assert found is not None
    assert (found.id, found.page, found.text) == ("par:823/abs:1", 2, "")
    assert TEXT[found.start : found.end] == "(1) Wer verletzt, haftet."


def test_a_units_text_is_the_documents_between_its_offsets_or_its_own_and_its_childrens() -> None:
    par823 = locate(_statute().provisions, "par:823")
    assert par823 is not None
    assert unit_text(par823, TEXT) == (
        "§ 823 Schadensersatzpflicht\n(1) Wer verletzt, haftet.\n(2) Auch bei Schutzgesetzen."
    )
    assert unit_text(par823) == "Wer verletzt, haftet.\nAuch bei Schutzgesetzen."
    paragraph = _judgment().paragraphs[1]
    assert unit_text(paragraph, TEXT) == "Second."  # no offsets: its own text


def test_json_form_without_text_keeps_headings_and_offsets() -> None:
    judgment = structure_json(_judgment(), include_text=False)
    assert judgment["headings"] == [{"id": "h:1", "text": "The facts", "page": 1}]
    assert judgment["paragraphs"][0] == {
        "id": "para:1",
        "number": "1",
        "heading": "The facts",
        "page": 1,
    }
    statute = structure_json(_statute(), include_text=False)
    assert "'text'" not in str(statute)
    assert statute["provisions"][0]["children"][0]["children"][0]["start"] == TEXT.index("(1)")
    assert DocumentStructure.model_validate(structure_json(_statute())) == _statute()

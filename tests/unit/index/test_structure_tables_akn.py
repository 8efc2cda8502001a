"""Tables of text.json in the Akoma Ntoso export: ``<table><tr><th|td>`` after the body."""

from __future__ import annotations

from lxml import etree

from lexstream.index.extraction.structure_export import AKN, to_akoma_ntoso
from lexstream.shared.artifacts import Page, Table, TableCell
from lexstream.shared.legal.structure import DocumentStructure, Paragraph

NS = {"a": AKN}


def _page_with_table() -> Page:
    table = Table(
        bbox=(10, 20, 300, 200),
        rows=[
            [TableCell(text="Item"), TableCell(text="Totals", col_span=2)],
            [TableCell(text="Fee"), TableCell(text="1,250.00"), TableCell(text="01/02/2024")],
        ],
        header_rows=1,
        source="ruled",
    )
    return Page(
        number=3, text="Item Totals Fee 1,250.00 01/02/2024", method="text-layer", tables=[table]
    )


def test_judgment_tables_are_akn_tables() -> None:
    structure = DocumentStructure(
        kind="judgment",
        source_format="text",
        paragraphs=[Paragraph(id="para:1", number="1", text="The claim succeeds.", page=1)],
    )
    xml = to_akoma_ntoso(structure, pages=[_page_with_table()])
    root = etree.fromstring(xml.encode())
    (table,) = root.findall(".//a:judgmentBody/a:decision/a:level/a:content/a:table", NS)
    assert table.get("eId") == "table_3_1"
    rows = table.findall("a:tr", NS)
    assert [c.tag.split("}")[1] for c in rows[0]] == ["th", "th"]
    assert rows[0][1].get("colspan") == "2"
    assert [c.findtext("a:p", namespaces=NS) for c in rows[1]] == ["Fee", "1,250.00", "01/02/2024"]


def test_act_tables_and_no_tables() -> None:
    structure = DocumentStructure(kind="statute", source_format="text")
    xml = to_akoma_ntoso(structure, pages=[_page_with_table()])
    root = etree.fromstring(xml.encode())
    holder = root.find(".//a:act/a:body/a:hcontainer[@name='tables']", NS)
    assert holder is not None
    assert len(holder.findall(".//a:td", NS)) == 3
    plain = etree.fromstring(to_akoma_ntoso(structure).encode())
    assert plain.find(".//a:table", NS) is None

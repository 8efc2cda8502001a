"""The document's own date from its structured metadata (``TextDocument.metadata_date``):
LegalDocML/Akoma Ntoso FRBRWork FRBRdate, ECLI dcterms:date, an e-mail's Date header."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import lxml.etree as etree
import pytest
from tests.samples import sample
from tests.unit.ocr.ocr_extract import extract

from lexstream.ocr.extract import OcrOptions
from lexstream.ocr.extractors.metadata import (
    XML_HEAD_CHARS,
    mail_header_date,
    xml_metadata_date,
)
from lexstream.ocr.extractors.plaintext import decode_text

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
BODY_DATE = "Date: 3 November 2021"


def _akn_judgment(work_date: str | None, *, prefix: str | None = None) -> bytes:
    """An Akoma Ntoso judgment whose work date (if any) differs from the date in its body;
    its manifestation carries a third date, the file's transform time."""
    ns = {prefix: AKN}
    root = etree.Element(etree.QName(AKN, "akomaNtoso"), nsmap=ns)
    judgment = etree.SubElement(root, etree.QName(AKN, "judgment"), name="judgment")
    meta = etree.SubElement(judgment, etree.QName(AKN, "meta"))
    ident = etree.SubElement(meta, etree.QName(AKN, "identification"))
    for level, when, name in (
        ("FRBRWork", work_date, "judgment"),
        ("FRBRExpression", work_date, "judgment"),
        ("FRBRManifestation", "2022-05-13T15:23:11", "transform"),
    ):
        frbr = etree.SubElement(ident, etree.QName(AKN, level))
        etree.SubElement(frbr, etree.QName(AKN, "FRBRthis"), value="https://example.org/id/1")
        if when is not None:
            etree.SubElement(frbr, etree.QName(AKN, "FRBRdate"), date=when, name=name)
    header = etree.SubElement(judgment, etree.QName(AKN, "header"))
    etree.SubElement(header, etree.QName(AKN, "p")).text = "IN THE COURT OF APPEAL"
    etree.SubElement(header, etree.QName(AKN, "p")).text = BODY_DATE
    body = etree.SubElement(judgment, etree.QName(AKN, "judgmentBody"))
    etree.SubElement(body, etree.QName(AKN, "p")).text = "1. The lease was granted on 14 June 1987."
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def _ecli_record(prefix: str = "dcterms") -> bytes:
    """A rechtspraak.nl-style open-data record: publication and edit dates come before the
    decision date, and the body names yet another date."""
    root = etree.Element("open-rechtspraak")
    rdf = etree.SubElement(
        root, etree.QName(RDF, "RDF"), nsmap={"rdf": RDF, "rdfs": RDFS, prefix: DCTERMS}
    )
    desc = etree.SubElement(rdf, etree.QName(RDF, "Description"))
    for name, value, label in (
        ("identifier", "ECLI:NL:HR:2019:1234", None),
        ("modified", "2020-01-02T10:11:12", None),
        ("issued", "2019-07-12", "Publicatiedatum"),
        ("date", "2019-07-05", "Uitspraakdatum"),
    ):
        element = etree.SubElement(desc, etree.QName(DCTERMS, name))
        element.text = value
        if label:
            element.set(etree.QName(RDFS, "label"), label)
    uitspraak = etree.SubElement(root, "uitspraak")
    etree.SubElement(uitspraak, "para").text = "Hoge Raad, 28 juni 2019, nr. 18/01234"
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _write(tmp_path: Path, data: bytes, name: str = "doc.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("media_type", ["text/xml", "application/xml", "application/akn+xml"])
def test_akoma_ntoso_work_date(tmp_path: Path, options: OcrOptions, media_type: str) -> None:
    data = _akn_judgment("2021-12-10")
    result = extract(_write(tmp_path, data), media_type, options)
    assert result.text.metadata_date == date(2021, 12, 10)
    # The text is the file's text, as for any XML: the body's rival date is still there.
    assert result.text.text == decode_text(data)[0].strip("\n")
    assert BODY_DATE in result.text.text


def test_akoma_ntoso_with_a_prefix_and_only_the_work_counts() -> None:
    prefixed = _akn_judgment("2020-03-04", prefix="akn").decode()
    assert "<akn:FRBRWork" in prefixed
    assert xml_metadata_date(prefixed) == date(2020, 3, 4)
    # No work date: the manifestation's transform time is not the judgment's date.
    assert xml_metadata_date(_akn_judgment(None).decode()) is None


def test_ecli_decision_date_not_publication_date(tmp_path: Path, options: OcrOptions) -> None:
    result = extract(_write(tmp_path, _ecli_record()), "text/xml", options)
    assert result.text.metadata_date == date(2019, 7, 5)
    assert "28 juni 2019" in result.text.text
    # The prefix is whatever the record binds to the DC terms namespace.
    assert xml_metadata_date(_ecli_record(prefix="dct").decode()) == date(2019, 7, 5)


@pytest.mark.parametrize(
    "text",
    [
        'The tag <FRBRdate date="2021-12-10"/> is explained in chapter 3.',
        '<?xml version="1.0"?><doc><dc:date xmlns:dc="urn:other">2021-12-10</dc:date></doc>',
        '<akomaNtoso><FRBRWork><FRBRdate date="2021-02-30" name="judgment"/></FRBRWork>',
        '<akomaNtoso><FRBRWork><FRBRdate date="0001-01-01" name="judgment"/></FRBRWork>',
    ],
)
def test_no_date_without_a_real_metadata_date(text: str) -> None:
    assert xml_metadata_date(text) is None


def test_plain_text_mentioning_metadata_gets_no_date(tmp_path: Path, options: OcrOptions) -> None:
    path = _write(tmp_path, b'Use <FRBRWork><FRBRdate date="2021-12-10"/></FRBRWork>.', "a.txt")
    assert extract(path, "text/plain", options).text.metadata_date is None


def test_metadata_past_the_bounded_head_is_not_read() -> None:
    late = "<doc>" + " " * XML_HEAD_CHARS + '<FRBRWork><FRBRdate date="2021-12-10"/></FRBRWork>'
    assert xml_metadata_date(late) is None


def _mail(tmp_path: Path, sent: str | None) -> Path:
    message = EmailMessage()
    message["From"] = "Clerk <clerk@court.example>"
    message["To"] = "counsel@firm.example"
    message["Subject"] = "Order entered in 1:24-cv-00042"
    if sent is not None:
        message["Date"] = sent
    message.set_content("The order dated 5 March 2023 is attached.\nRegards, the Clerk")
    return _write(tmp_path, message.as_bytes(), "mail.eml")


def test_mail_date_header_is_the_documents_date(tmp_path: Path, options: OcrOptions) -> None:
    # Late evening in California: already 3 January in UTC, but the sender's day counts.
    result = extract(_mail(tmp_path, "Tue, 02 Jan 2024 23:30:00 -0800"), "message/rfc822", options)
    assert result.text.metadata_date == date(2024, 1, 2)
    assert "5 March 2023" in result.text.text


@pytest.mark.parametrize("sent", [None, "not a date at all"])
def test_mail_without_a_usable_date(tmp_path: Path, options: OcrOptions, sent: str | None) -> None:
    result = extract(_mail(tmp_path, sent), "message/rfc822", options)
    assert result.text.metadata_date is None
    assert "5 March 2023" in result.text.text


def test_outlook_datetime() -> None:
    sent = datetime(2024, 1, 2, 23, 30, tzinfo=timezone(timedelta(hours=-8)))
    assert mail_header_date(sent) == date(2024, 1, 2)
    assert mail_header_date(datetime(2023, 6, 1, tzinfo=UTC)) == date(2023, 6, 1)
    assert mail_header_date("") is None


def test_real_legaldocml_and_rechtspraak_samples(options: OcrOptions) -> None:
    """Real XML samples keep their text and carry their labelled decision date."""
    manifest = sample("legal/manifest.tsv")
    rows = list(csv.DictReader(manifest.open(encoding="utf-8"), delimiter="\t"))
    checked = 0
    for row in rows:
        if not row["local_path"].endswith(".xml"):
            continue
        path = manifest.parent / row["local_path"]
        data = path.read_bytes()
        result = extract(path, "text/xml", options)
        assert result.text.text == decode_text(data)[0].replace("\r\n", "\n").strip("\n")
        found = result.text.metadata_date
        if b"FRBRWork" in data or DCTERMS.encode() in data:
            assert found == date.fromisoformat(row["decision_date"]), row["local_path"]
            checked += 1
        else:
            assert found is None, row["local_path"]
    if not checked:
        pytest.skip("no LegalDocML or ECLI XML among the samples")

"""Statutes into addressable provisions, judgments into headings and numbered paragraphs,
and their Akoma Ntoso and JSON forms: small synthetic inputs first, then the real samples
(skipped, naming LEXSTREAM_SAMPLE_DATA, where they are absent)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from lxml import etree
from tests.samples import sample, sample_dir

from lexstream.index.extraction import structure_patterns as patterns
from lexstream.index.extraction.models import Citation, Identifier, LegalMetadata, Person
from lexstream.index.extraction.structure import (
    detect_statute_format,
    judgment_paragraphs,
    judgment_structure,
    statute_provisions,
    statute_structure,
)
from lexstream.index.extraction.structure_export import (
    AKN,
    references_from_citations,
    to_akoma_ntoso,
)
from lexstream.shared.artifacts import Page
from lexstream.shared.legal.structure import (
    PAGE_SEPARATOR,
    locate,
    locate_paragraph,
    structure_json,
    walk,
)

NS = {"a": AKN}


def ids(provisions: list) -> list[str]:  # type: ignore[type-arg]
    return [provision.id for provision in walk(provisions)]


# --- the patterns' own examples -------------------------------------------------------------

PATTERN_EXAMPLES = [
    (patterns.MD_HEADING, "##### § 823 Schadensersatzpflicht"),
    (patterns.PARAGRAPH_HEADING, "§ 823 Schadensersatzpflicht"),
    (patterns.PARAGRAPH_HEADING, "§ 31a Haftung von Organmitgliedern"),
    (patterns.PARAGRAPH_HEADING, "§ 10 (weggefallen)"),
    (patterns.PARAGRAPH_RANGE, "(XXXX) §§ 3 bis 6 (weggefallen)"),
    (patterns.PARAGRAPH_RANGE, "§§ 15 und 16 (weggefallen)"),
    (patterns.ARTICLE_HEADING, "Art 6"),
    (patterns.ARTICLE_HEADING, "Artikel 12a Überschrift"),
    (patterns.ARTICLE_HEADING, "Article 6 Lawfulness"),
    (patterns.ARTICLE_HEADING, "Artículo 6"),
    (patterns.ARTICLE_HEADING, "Articolo 6"),
    (patterns.ARTICLE_HEADING, "ARTICLE 6"),
    (patterns.CONTAINER_NUMBERED, "Buch 1 - Allgemeiner Teil"),
    (patterns.CONTAINER_NUMBERED, "Unterkapitel 1a - Vereinbarungen"),
    (patterns.CONTAINER_NUMBERED, "PART 2 Definitions"),
    (patterns.CONTAINER_NUMBERED, "Chapter IV"),
    (patterns.CONTAINER_ORDINAL, "Erster Abschnitt - Allgemeine Vorschriften"),
    (patterns.CONTAINER_ORDINAL, "3. Abschnitt - Verfahren"),
    (patterns.CONTAINER_ROMAN, "I. - Die Grundrechte"),
    (patterns.CONTAINER_ROMAN, "VIIIa. - Gemeinschaftsaufgaben"),
    (patterns.PAREN_MARKER, "(1a) Die Vorschriften"),
    (patterns.PAREN_MARKER, "(e1) Assistance by Others."),
    (patterns.PAREN_MARKER, "(iv) any"),
    (patterns.PAREN_MARKER, "(1)"),
    (patterns.SENTENCE_MARKER, "1             Natürliche Personen, die im Inland"),
    (patterns.DOT_MARKER, "1."),
    (patterns.DOT_MARKER, "10. Verträge, die"),
    (patterns.LETTER_MARKER, "    aa) die"),
    (patterns.LETTER_MARKER, "a. The number of the applicant"),
    (patterns.PARA_BRACKET, "[50] The appellant"),
    (patterns.PARA_DOTTED, "12.\tThe judge"),
    (patterns.PARA_DOTTED, "100.These figures"),
    (patterns.PARA_BARE, "1 This request for a preliminary ruling concerns"),
    (patterns.US_HEADING, "IV. DISCUSSION"),
    (patterns.US_HEADING, "A. Standard of Review"),
    (patterns.CAPS_HEADING, "FINDINGS OF FACT"),
]


@pytest.mark.parametrize(("pattern", "example"), PATTERN_EXAMPLES)
def test_each_pattern_matches_its_example(pattern: re.Pattern[str], example: str) -> None:
    assert pattern.match(example), (pattern.pattern, example)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (patterns.PARAGRAPH_HEADING, "§§ 3 bis 6 (weggefallen)"),
        (patterns.DOT_MARKER, "1.5 million"),
        (patterns.PARA_DOTTED, "1.5 million pounds were paid"),
        (patterns.PARA_BARE, "2016 was the year"),
    ],
)
def test_patterns_reject_lookalikes(pattern: re.Pattern[str], text: str) -> None:
    if pattern is patterns.PARA_BARE:
        assert pattern.match(text) is None or not text[5:6].isupper()
    else:
        assert pattern.match(text) is None


# --- German statute Markdown ----------------------------------------------------------------

GERMAN_MD = """---
Title: Beispielgesetz
jurabk: BspG
---

# Beispielgesetz (BspG)

Ausfertigungsdatum
:   2000-01-01

## Eingangsformel

Der Bundestag hat das folgende Gesetz beschlossen:

## Buch 1 - Allgemeiner Teil

### Abschnitt 1 - Personen

#### § 1 Beginn

Die Rechtsfähigkeit beginnt mit der Geburt.

#### (XXXX) §§ 2 bis 4 (weggefallen)

#### § 5 Pflichten

(1) Wer vorsätzlich handelt, haftet.
Dies gilt auch für Dritte.

(2) Die Vorschriften gelten für

1.  Verträge

    a)  über Waren,

    b)  über Dienste,

2.  Schenkungen vom
    13\\. Juni 2000,

und für sonstige Geschäfte.

## Buch 2 - Schuldrecht

### Abschnitt 1 - Allgemeines

#### § 6 Anwendung

Text von § 6.
"""


def test_markdown_statute_has_containers_paragraphs_and_subdivisions() -> None:
    provisions = statute_provisions(GERMAN_MD, "markdown")
    assert detect_statute_format(GERMAN_MD) == "markdown"
    found = ids(provisions)
    assert found == [
        "h:1",
        "buch:1",
        "buch:1/abschnitt:1",
        "par:1",
        "par:5",
        "par:5/abs:1",
        "par:5/abs:2",
        "par:5/abs:2/nr:1",
        "par:5/abs:2/nr:1/buchst:a",
        "par:5/abs:2/nr:1/buchst:b",
        "par:5/abs:2/nr:2",
        "buch:2",
        "buch:2/abschnitt:1",
        "par:6",
    ]
    by_id = {p.id: p for p in walk(provisions)}
    assert by_id["buch:1"].heading == "Allgemeiner Teil"
    assert by_id["par:5"].heading == "Pflichten"
    assert (
        by_id["par:5/abs:1"].text == "Wer vorsätzlich handelt, haftet. Dies gilt auch für Dritte."
    )
    assert by_id["par:5/abs:2"].text == "Die Vorschriften gelten für und für sonstige Geschäfte."
    assert by_id["par:5/abs:2/nr:2"].text == "Schenkungen vom 13. Juni 2000,"
    assert by_id["h:1"].text == "Der Bundestag hat das folgende Gesetz beschlossen:"
    # Offsets point into the text: § 5 starts at its heading and spans its Absätze.
    par5 = by_id["par:5"]
    assert par5.start is not None
    assert par5.end is not None
    assert GERMAN_MD[par5.start :].startswith("#### § 5 Pflichten")
    assert GERMAN_MD[par5.start : par5.end].rstrip().endswith("und für sonstige Geschäfte.")
    assert "§ 6" not in GERMAN_MD[par5.start : par5.end]


def test_locate_opens_the_cited_provision_or_the_nearest_one_held() -> None:
    provisions = statute_provisions(GERMAN_MD, "markdown")
    found = locate(provisions, "de:act:BspG/par:5/abs:1")
    assert found is not None
    assert found.id == "par:5/abs:1"
    sentence = locate(provisions, "par:5/abs:2/nr:1/buchst:b/satz:2")
    assert sentence is not None
    assert sentence.id == "par:5/abs:2/nr:1/buchst:b"
    assert locate(provisions, "par:99") is None
    assert locate(provisions, "de:act:BspG/par:5/abs:7").id == "par:5"  # type: ignore[union-attr]


def test_pages_give_each_provision_its_page() -> None:
    first, second = GERMAN_MD.split("## Buch 2")
    pages = [
        Page(number=1, text=first.rstrip("\n"), method="plain"),
        Page(number=2, text="## Buch 2" + second, method="plain"),
    ]
    provisions = statute_provisions(pages, "auto")
    by_id = {p.id: p for p in walk(provisions)}
    assert by_id["par:5/abs:2/nr:2"].page == 1
    assert by_id["par:6"].page == 2
    document = PAGE_SEPARATOR.join(page.text for page in pages)
    start = by_id["par:6"].start
    assert start is not None
    assert document[start:].startswith("#### § 6")


def test_repeated_numbers_are_qualified_by_their_container() -> None:
    text = "## Teil 1\n\n### § 1 Eins\n\nA.\n\n## Anlage 1\n\n### § 1 Eins der Anlage\n\nB.\n"
    found = ids(statute_provisions(text, "markdown"))
    assert "par:1" in found
    assert "h:1/par:1" in found
    assert len(found) == len(set(found))


# --- plain-text statutes --------------------------------------------------------------------

US_TEXT = """Texas Statutes
Sec. 17.50. RELIEF FOR CONSUMERS.
(a) A consumer may maintain an action where:
(1) the use of a false act;
(A) in trade; or
(B) in commerce;
(2) breach of warranty.
(b) In a suit filed under this section, each consumer may obtain:
(1) economic damages;
(h) eighth item;
(i) ninth item, a letter after (h);
(c) Costs.
(1) first
(i) roman one
(ii) roman two
"""


def test_plain_text_sections_nest_by_marker_kind() -> None:
    provisions = statute_provisions(US_TEXT, "text")
    found = ids(provisions)
    assert found[:7] == [
        "sec:17.50",
        "sec:17.50/subsec:a",
        "sec:17.50/subsec:a/para:1",
        "sec:17.50/subsec:a/para:1/subpara:A",
        "sec:17.50/subsec:a/para:1/subpara:B",
        "sec:17.50/subsec:a/para:2",
        "sec:17.50/subsec:b",
    ]
    assert "sec:17.50/subsec:i" in found  # '(i)' after '(h)' is a letter
    assert "sec:17.50/subsec:c/para:1/subpara:ii" in found  # under '(1)' a roman numeral
    section = provisions[0]
    assert section.heading == "RELIEF FOR CONSUMERS"
    assert US_TEXT[section.start or 0 :].startswith("Sec. 17.50.")


def test_plain_text_articles_and_german_sections() -> None:
    eu = (
        "Article 6\nLawfulness of processing\n1.   Processing shall be lawful only if:\n"
        "(a) consent;\n(f) interests.\n2.   Member States may.\nArticle 7\nConditions\n"
    )
    found = ids(statute_provisions(eu, "text", language="en"))
    assert found == [
        "art:6",
        "art:6/para:1",
        "art:6/para:1/point:a",
        "art:6/para:1/point:f",
        "art:6/para:2",
        "art:7",
    ]
    german = (
        "§ 3 Begriffe\n(1) Im Sinne dieses Gesetzes ist\n1. eine Sache,\na) beweglich,\n"
        "(2) Weiteres gilt.\n"
    )
    found = ids(statute_provisions(german, "text", language="de"))
    assert found == [
        "par:3",
        "par:3/abs:1",
        "par:3/abs:1/nr:1",
        "par:3/abs:1/nr:1/buchst:a",
        "par:3/abs:2",
    ]


def test_article_mentioned_in_a_sentence_is_no_heading() -> None:
    text = (
        "Section 1 Scope\n(a) This applies.\n"
        "Article 2 of Chapter 20 of the General Statutes applies.\n"
    )
    assert ids(statute_provisions(text, "text", language="en")) == ["sec:1", "sec:1/subsec:a"]


# --- Akoma Ntoso / LegalDocML.de and CLML ---------------------------------------------------

LEGALDOCML_DE = """<?xml version="1.0" encoding="UTF-8"?>
<akn:akomaNtoso xmlns:akn="http://Inhaltsdaten.LegalDocML.de/1.8.2/">
 <akn:act name="regelungstext">
  <akn:meta eId="meta-n1"/>
  <akn:body eId="hauptteil-n1">
   <akn:section eId="hauptteil-n1_abschnitt-n1">
    <akn:num eId="x1">Abschnitt 1</akn:num>
    <akn:heading>Allgemeines</akn:heading>
    <akn:article eId="hauptteil-n1_abschnitt-n1_para-n1">
     <akn:num>§ 1</akn:num>
     <akn:heading>Anwendungsbereich</akn:heading>
     <akn:paragraph eId="hauptteil-n1_abschnitt-n1_para-n1_abs-n1">
      <akn:num>(1)</akn:num>
      <akn:list eId="l1">
       <akn:intro><akn:p>Dieses Gesetz gilt für</akn:p></akn:intro>
       <akn:point eId="p1"><akn:num>1.</akn:num>
        <akn:list eId="l2">
         <akn:intro><akn:p>Verträge über</akn:p></akn:intro>
         <akn:point eId="p2"><akn:num>a)</akn:num>
          <akn:content><akn:p>Waren und</akn:p></akn:content></akn:point>
        </akn:list>
       </akn:point>
      </akn:list>
     </akn:paragraph>
     <akn:paragraph eId="abs-n2">
      <akn:num>(2)</akn:num>
      <akn:content><akn:p><akn:mod>§ 3 wird wie folgt gefasst: <akn:quotedStructure eId="q1">
        <akn:article eId="q-art"><akn:num>§ 3</akn:num><akn:paragraph><akn:num>(9)</akn:num>
        <akn:content><akn:p>Neuer Text.</akn:p></akn:content></akn:paragraph></akn:article>
      </akn:quotedStructure></akn:mod></akn:p></akn:content>
     </akn:paragraph>
    </akn:article>
    <akn:article eId="art-z2">
     <akn:num>§ 2</akn:num>
     <akn:paragraph eId="art-z2_abs-z"><akn:num/>
      <akn:content>
       <akn:p>Dieses Gesetz tritt am Tag nach der Verkündung in Kraft.</akn:p></akn:content>
     </akn:paragraph>
    </akn:article>
   </akn:section>
  </akn:body>
 </akn:act>
</akn:akomaNtoso>
"""


def test_legaldocml_de_provisions_use_the_german_ids() -> None:
    assert detect_statute_format(LEGALDOCML_DE) == "akn"
    provisions = statute_provisions(LEGALDOCML_DE, "auto")
    assert ids(provisions) == [
        "abschnitt:1",
        "par:1",
        "par:1/abs:1",
        "par:1/abs:1/nr:1",
        "par:1/abs:1/nr:1/buchst:a",
        "par:1/abs:2",
        "par:2",
    ]
    by_id = {p.id: p for p in walk(provisions)}
    assert by_id["abschnitt:1"].heading == "Allgemeines"
    assert by_id["par:1"].heading == "Anwendungsbereich"
    assert by_id["par:1/abs:1"].text == "Dieses Gesetz gilt für"
    assert by_id["par:1/abs:1/nr:1/buchst:a"].text == "Waren und"
    assert by_id["par:1/abs:1/nr:1/buchst:a"].source_id == "p2"
    # Quoted (amending) text is text of the amending Absatz, not a provision '§ 3'.
    assert "Neuer Text." in by_id["par:1/abs:2"].text
    # A single unnumbered Absatz is the § itself.
    assert by_id["par:2"].text == "Dieses Gesetz tritt am Tag nach der Verkündung in Kraft."


EU_AKN = f"""<akomaNtoso xmlns="{AKN}"><act name="regulation"><body>
<chapter eId="chp_II"><num>CHAPTER II</num><heading>Principles</heading>
<article eId="art_6"><num>Article 6</num><heading>Lawfulness of processing</heading>
<paragraph eId="art_6__para_1"><num>1.</num>
<list><intro><p>Processing shall be lawful only if:</p></intro>
<point eId="art_6__para_1__point_a"><num>(a)</num>
<content><p>consent;</p></content></point>
<point eId="art_6__para_1__point_f"><num>(f)</num>
<content><p>legitimate interests.</p></content></point>
</list></paragraph></article></chapter></body></act></akomaNtoso>"""


def test_akoma_ntoso_act_articles_paragraphs_points() -> None:
    provisions = statute_provisions(EU_AKN, "akn")
    assert ids(provisions) == [
        "chapter:II",
        "art:6",
        "art:6/para:1",
        "art:6/para:1/point:a",
        "art:6/para:1/point:f",
    ]
    assert locate(provisions, "eu:celex:32016R0679/art:6/para:1/point:f").text == (  # type: ignore[union-attr]
        "legitimate interests."
    )


CLML = """<?xml version="1.0" encoding="UTF-8"?>
<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation"
  xmlns:ukm="http://www.legislation.gov.uk/namespaces/metadata">
 <ukm:Metadata><ukm:Year Value="2010"/></ukm:Metadata>
 <Primary><Body>
  <Part id="part-1"><Number>PART 1</Number><Title>Preliminary</Title>
   <P1group><Title>Meaning of consumer</Title>
    <P1 id="section-1"><Pnumber>1</Pnumber>
     <P1para>
      <P2 id="section-1-1"><Pnumber>1</Pnumber><P2para><Text>In this Act a consumer is</Text>
       <P3 id="section-1-1-a"><Pnumber>a</Pnumber>
        <P3para><Text>an individual, or</Text></P3para></P3>
       <P3 id="section-1-1-b"><Pnumber>b</Pnumber><P3para><Text>a trust.</Text></P3para></P3>
      </P2para></P2>
      <P2 id="section-1-2"><Pnumber>2</Pnumber><P2para><Text>Subsection (1) is subject to
        <BlockAmendment><P1 id="x-99"><Pnumber>99</Pnumber>
         <P1para><Text>Inserted text.</Text></P1para></P1></BlockAmendment>
      </Text></P2para></P2>
     </P1para>
    </P1>
   </P1group>
  </Part>
 </Body>
 <Schedules><Schedule id="schedule-1"><Number>SCHEDULE 1</Number>
  <TitleBlock><Title>Exceptions</Title></TitleBlock>
  <ScheduleBody><P1 id="schedule-1-paragraph-1"><Pnumber>1</Pnumber>
   <P1para><Text>Nothing applies to the Crown.</Text></P1para></P1></ScheduleBody>
 </Schedule></Schedules>
 </Primary>
</Legislation>
"""


def test_uk_legislation_xml_sections_subsections_and_schedules() -> None:
    assert detect_statute_format(CLML) == "clml"
    provisions = statute_provisions(CLML)
    assert ids(provisions) == [
        "part:1",
        "sec:1",
        "sec:1/subsec:1",
        "sec:1/subsec:1/para:a",
        "sec:1/subsec:1/para:b",
        "sec:1/subsec:2",
        "sch:1",
        "sch:1/para:1",
    ]
    by_id = {p.id: p for p in walk(provisions)}
    assert by_id["sec:1"].heading == "Meaning of consumer"
    assert by_id["part:1"].heading == "Preliminary"
    assert by_id["sec:1/subsec:1/para:b"].text == "a trust."
    assert by_id["sec:1/subsec:1/para:b"].source_id == "section-1-1-b"
    assert "sec:99" not in by_id  # amending text is not a provision of this Act
    assert by_id["sch:1"].heading == "Exceptions"


def test_xml_without_entities_or_network() -> None:
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<akomaNtoso xmlns="{AKN}"><act><body><article><num>Article 1</num>'
        "<content><p>&e;</p></content></article></body></act></akomaNtoso>"
    )
    provisions = statute_provisions(hostile, "akn")
    assert "root:" not in provisions[0].text


# --- judgments ------------------------------------------------------------------------------

UK_PAGES = [
    "Neutral Citation Number: [2020] EWCA Civ 1\nApproved Judgment\nLord Justice Dyson :\n"
    "The issue\n1. Section 63 provides:\n“11. The consent of a patient\n"
    "12. shall not be required.”\n"
    "2. The sole issue is whether this provision applies. The judge said:\n"
    "11. Mr Thorold observes that it is common ground.\n",
    "Approved Judgment\nThe facts\n3. Save for certain interludes, B has been a patient.\n"
    "4. B has been transferred.\n",
    "Approved Judgment\n5. On 17 August 2000 he applied.\n"
    "Lord Justice Scott Baker :\n1. I agree.\n2. I add only this.\n3. Nothing more.\n",
]


def test_uk_numbered_paragraphs_with_quotes_headings_pages_and_a_second_judgment() -> None:
    judgment = judgment_structure(
        [Page(number=n, text=t, method="plain") for n, t in enumerate(UK_PAGES, 1)]
    )
    paragraphs = judgment.paragraphs
    assert [p.id for p in paragraphs] == [
        "para:1",
        "para:2",
        "para:3",
        "para:4",
        "para:5",
        "op:2/para:1",
        "op:2/para:2",
        "op:2/para:3",
    ]
    by_id = {p.id: p for p in paragraphs}
    assert [by_id[f"para:{n}"].page for n in range(1, 6)] == [1, 1, 2, 2, 3]
    assert "12. shall not be required" in by_id["para:1"].text  # quoted numbers stay inside
    assert by_id["para:2"].text.endswith("it is common ground.")
    assert by_id["para:3"].heading == "The facts"
    assert by_id["para:1"].heading == "The issue"
    headings = [h.text for h in judgment.headings]
    assert "The issue" in headings
    assert "Lord Justice Scott Baker :" in headings
    assert "Approved Judgment" not in headings  # a running header on every page
    text = PAGE_SEPARATOR.join(UK_PAGES)
    para3 = by_id["para:3"]
    assert para3.start is not None
    assert text[para3.start :].startswith("3. Save")
    assert locate_paragraph(paragraphs, "[2020] EWCA Civ 1 at [3]") is para3
    assert locate_paragraph(paragraphs, "para:4") is by_id["para:4"]


def test_numbered_list_inside_a_paragraph_is_not_a_new_judgment() -> None:
    lines = [f"{n}. Paragraph {n} of the judgment says something." for n in range(1, 6)]
    lines[4] += "\nThe issues are:"
    lines += ["1. Is there a serious issue?", "2. Is England the proper forum?", "3. Costs."]
    lines += [f"{n}. Paragraph {n} again." for n in range(6, 9)]
    found = [p.id for p in judgment_paragraphs("\n".join(lines))]
    assert found == [f"para:{n}" for n in range(1, 9)]


CJEU_MD = """JUDGMENT OF THE COURT (Fourth Chamber)

In Case C-129/21,

Judgment

1 This request for a preliminary ruling concerns Article 12 of Directive 2002/58.

Legal context

European Union law

2 Article 1 of that directive provides:

‘1.   This Directive harmonises the provisions.

2.   The provisions of this Directive particularise Directive 95/46.’

3 Article 12 of that directive, entitled ‘Directories of subscribers’, states:

‘Article 12

Directories of subscribers

3.   Member States may require additional consent.’

Costs

4 Since these proceedings are, for the parties, a step in the action, costs are for the court.

On those grounds, the Court hereby rules:

1. Article 12 must be interpreted as meaning that consent is required.
"""


def test_eu_bare_numbers_and_quoted_provisions() -> None:
    judgment = judgment_structure(CJEU_MD)
    assert [p.id for p in judgment.paragraphs] == ["para:1", "para:2", "para:3", "para:4"]
    assert [h.text for h in judgment.headings] == ["Legal context", "European Union law", "Costs"]
    by_id = {p.id: p for p in judgment.paragraphs}
    assert "particularise Directive 95/46" in by_id["para:2"].text
    assert by_id["para:3"].heading == "European Union law"
    assert by_id["para:4"].heading == "Costs"
    assert by_id["para:1"].text.startswith("This request for a preliminary ruling")


US_OPINION = """UNITED STATES COURT OF APPEALS
SMITH, Circuit Judge:

I. BACKGROUND

The plaintiff sued the defendant in the district court.
The district court dismissed the complaint.

II. DISCUSSION

A. Standard of Review

We review a dismissal de novo.

B. The Claim

The claim fails for want of standing.
"""


def test_us_opinion_headings_and_unnumbered_blocks() -> None:
    judgment = judgment_structure(US_OPINION)
    headings = [h.text for h in judgment.headings]
    assert headings == ["I. BACKGROUND", "II. DISCUSSION", "A. Standard of Review", "B. The Claim"]
    paragraphs = judgment.paragraphs
    assert [p.id for p in paragraphs][-3:] == ["p:2", "p:3", "p:4"]
    assert paragraphs[-1].heading == "B. The Claim"
    assert paragraphs[-1].number is None
    assert paragraphs[1].text.startswith("The plaintiff sued")


TNA_AKN = f"""<akomaNtoso xmlns="{AKN}"><judgment name="judgment"><meta/><header/>
<judgmentBody><decision>
<level><content><p>LORD REED:</p></content></level>
<paragraph eId="para_1"><num>1.</num><content><p>Introduction</p></content></paragraph>
<paragraph><num>1.</num>
<content><p>This appeal concerns the policy of [2023] EWCA Civ 745 at length.</p></content>
</paragraph>
<paragraph eId="para_2"><num>2.</num>
<content><p>The court must decide whether it is lawful.</p></content></paragraph>
<level><content><p>(2) The legal framework</p></content></level>
<paragraph eId="para_3"><num>3.</num>
<content><p>Asylum claims are governed by the Rules.</p></content></paragraph>
<paragraph><num>5.</num><content><p>a quoted item out of sequence</p></content></paragraph>
<paragraph eId="para_4"><num>4.</num><content><p>The end.</p></content></paragraph>
</decision></judgmentBody></judgment></akomaNtoso>"""


def test_akoma_ntoso_judgment_reads_its_paragraph_markup() -> None:
    judgment = judgment_structure(TNA_AKN)
    assert judgment.source_format == "akn"
    assert [p.id for p in judgment.paragraphs] == ["para:1", "para:2", "para:3", "para:4"]
    by_id = {p.id: p for p in judgment.paragraphs}
    assert by_id["para:1"].text.startswith("This appeal concerns")  # '1. Introduction' a heading
    assert by_id["para:3"].heading == "(2) The legal framework"
    assert "a quoted item out of sequence" in by_id["para:3"].text
    assert by_id["para:2"].source_id == "para_2"


# --- export -------------------------------------------------------------------------------------


def _metadata() -> LegalMetadata:
    return LegalMetadata(
        court="Court of Appeal (Civil Division)",
        court_id="ewca",
        jurisdiction="UK/EW",
        decision_date=date(2020, 5, 1),
        identifiers=[Identifier(kind="neutral_citation", value="[2020] EWCA Civ 1")],
        party_roles=[
            Person(name="B", role="appellant"),
            Person(name="Ashworth", role="respondent"),
        ],
        judges=["Dyson LJ", "Scott Baker LJ"],
        doc_type="judgment",
        language="en",
        title="B v Ashworth",
    )


def test_judgment_exports_as_akoma_ntoso_with_header_paragraphs_and_refs() -> None:
    judgment = judgment_structure(UK_PAGES)
    citation = Citation(raw="Section 63", normalized="section 63", kind="statute", start=0, end=10)
    references = references_from_citations([citation], lambda _: "uk:act:1983/20/sec:63")
    xml = to_akoma_ntoso(judgment, metadata=_metadata(), references=references)
    root = etree.fromstring(xml.encode("utf-8"))
    assert root.tag == f"{{{AKN}}}akomaNtoso"
    assert root.findtext(".//a:header//a:neutralCitation", namespaces=NS) == "[2020] EWCA Civ 1"
    assert root.findtext(".//a:header//a:docDate", namespaces=NS) == "2020-05-01"
    parties = root.findall(".//a:header//a:party", namespaces=NS)
    assert [(p.text, p.get("as")) for p in parties] == [
        ("B", "#appellant"),
        ("Ashworth", "#respondent"),
    ]
    assert [j.text for j in root.findall(".//a:header//a:judge", namespaces=NS)] == [
        "Dyson LJ",
        "Scott Baker LJ",
    ]
    paragraphs = root.findall(".//a:judgmentBody/a:decision/a:paragraph", namespaces=NS)
    assert [p.get("eId") for p in paragraphs][:3] == ["para_1", "para_2", "para_3"]
    assert paragraphs[0].findtext("a:num", namespaces=NS) == "1."
    ref = paragraphs[0].find(".//a:ref", namespaces=NS)
    assert ref is not None
    assert ref.get("href") == "uk:act:1983/20/sec:63"
    assert ref.text == "Section 63"
    levels = root.findall(".//a:decision/a:level", namespaces=NS)
    assert "The issue" in [lvl.findtext(".//a:p", namespaces=NS) for lvl in levels]
    # Document order: the heading 'The facts' comes just before paragraph 3.
    children = list(root.find(".//a:decision", namespaces=NS))
    facts = next(
        i for i, c in enumerate(children) if c.findtext(".//a:p", namespaces=NS) == "The facts"
    )
    assert children[facts + 1].get("eId") == "para_3"


def test_unresolved_citation_is_still_a_ref() -> None:
    citation = Citation(
        raw="[2016] UKUT 371 (LC)",
        normalized="[2016] UKUT 371 (LC)",
        kind="uk_neutral",
        start=0,
        end=5,
    )
    (reference,) = references_from_citations([citation])
    assert reference.href.startswith("citation:uk_neutral:")


def test_statute_export_round_trips_through_the_akoma_ntoso_reader() -> None:
    structure = statute_structure(GERMAN_MD, "markdown")
    xml = to_akoma_ntoso(structure, title="Beispielgesetz")
    again = statute_provisions(xml, "akn")
    original = {p.id: p for p in walk(structure.provisions)}
    reread = {p.id: p for p in walk(again)}
    numbered = {key for key, value in original.items() if value.number is not None}
    assert numbered <= set(reread)
    assert reread["par:5/abs:1"].text == original["par:5/abs:1"].text
    assert reread["par:5"].heading == "Pflichten"


def test_json_form_with_and_without_text() -> None:
    structure = statute_structure(GERMAN_MD, "markdown")
    full = structure_json(structure)
    light = structure_json(structure, include_text=False)
    assert full["kind"] == "statute"
    assert full["provisions"][1]["id"] == "buch:1"
    assert "text" in str(full)
    assert "'text'" not in str(light)
    judgment = structure_json(judgment_structure(UK_PAGES), include_text=False)
    assert judgment["paragraphs"][0] == {
        "id": "para:1",
        "number": "1",
        "heading": "The issue",
        "page": 1,
        "start": judgment["paragraphs"][0]["start"],
        "end": judgment["paragraphs"][0]["end"],
        "text_start": judgment["paragraphs"][0]["text_start"],
    }


# --- the real samples ---------------------------------------------------------------------------


def test_bgb_823_opens_absatz_1() -> None:
    text = sample("corpus/de-statutes/bgb.md").read_text(encoding="utf-8")
    provisions = statute_provisions(text)
    found = locate(provisions, "de:act:BGB/par:823/abs:1")
    assert found is not None
    assert found.id == "par:823/abs:1"
    assert found.text.startswith("Wer vorsätzlich oder fahrlässig das Leben, den Körper")
    assert text[found.start or 0 :].startswith("(1) Wer vorsätzlich")
    par312 = locate(provisions, "par:312/abs:2/nr:1/buchst:b")
    assert par312 is not None
    assert par312.id == "par:312/abs:2/nr:1/buchst:b"
    sections = [p for p in walk(provisions) if p.id.count("/") == 0 and p.id.startswith("par:")]
    assert len(sections) > 2300  # §§ 1 to 2385, with a-§§, less repealed ranges


def test_every_german_statute_parses_into_unique_ids() -> None:
    folder = sample_dir("corpus/de-statutes")
    for path in sorted(folder.glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        provisions = statute_provisions(path.read_text(encoding="utf-8"))
        found = ids(provisions)
        assert len(found) == len(set(found)), path.name
        assert sum(1 for i in found if re.fullmatch(r"(par|art):\w+", i)) >= 10, path.name
    gg = statute_provisions((folder / "gg.md").read_text(encoding="utf-8"))
    article = locate(gg, "art:6/abs:2")
    assert article is not None
    assert article.text.startswith("Pflege und Erziehung der Kinder")


def test_estg_numbers_its_sentences() -> None:
    text = sample("corpus/de-statutes/estg.md").read_text(encoding="utf-8")
    provisions = statute_provisions(text)
    sentence = locate(provisions, "par:1/abs:1/satz:1")
    assert sentence is not None
    assert sentence.id == "par:1/abs:1/satz:1"
    assert sentence.text.startswith("Natürliche Personen, die im Inland einen Wohnsitz")
    cited = locate(provisions, "de:act:EStG/par:1/abs:1/satz:2/nr:1")
    assert cited is not None
    assert cited.id == "par:1/abs:1/nr:1"
    assert cited.text.startswith("an der ausschließlichen Wirtschaftszone")


def test_eur_lex_xhtml_judgment_reads_its_numbered_rows() -> None:
    raw = sample("legal/eu/cjeu_C-482-16_ECLI_EU_C_2018_180.xml").read_text(encoding="utf-8")
    judgment = judgment_structure(raw)
    assert judgment.source_format == "xml"
    assert [p.id for p in judgment.paragraphs] == [f"para:{n}" for n in range(1, 50)]
    assert judgment.paragraphs[0].text.startswith("This request for a preliminary ruling")
    assert judgment.paragraphs[-1].heading == "Costs"


def test_nc_statute_sections_in_plain_text() -> None:
    text = sample("legal/us/nc_statute_163-230.2.txt").read_text(encoding="utf-8")
    found = ids(statute_provisions(text, "text"))
    assert "sec:163-230.2/subsec:a/para:4/subpara:c" in found
    assert "sec:163-230.2/subsec:e1" in found
    assert "sec:163-230.2/subsec:f" in found


@pytest.mark.parametrize(
    ("name", "count", "paragraph", "opening"),
    [
        ("ewca_civ_2021_1881_termhouse.xml", 37, "para:2", "Clarendon Court, Sidmouth Road"),
        ("uksc_2023_42_rwanda.xml", 149, "para:1", "This appeal is concerned with"),
        ("ewhc_ch_2023_257.xml", 128, "para:1", None),
    ],
)
def test_tna_akoma_ntoso_judgments(
    name: str, count: int, paragraph: str, opening: str | None
) -> None:
    raw = sample(f"legal/uk/{name}").read_bytes().decode("utf-8", errors="replace")
    paragraphs = judgment_paragraphs(raw)
    assert [p.id for p in paragraphs] == [f"para:{n}" for n in range(1, count + 1)]
    if opening is not None:
        found = locate_paragraph(paragraphs, paragraph)
        assert found is not None
        assert found.text.startswith(opening)


def test_cjeu_markdown_judgment() -> None:
    text = sample("corpus/eu-cjeu-gdpr/C-129-21.md").read_text(encoding="utf-8")
    judgment = judgment_structure(text)
    assert [p.id for p in judgment.paragraphs] == [f"para:{n}" for n in range(1, 101)]
    first = judgment.paragraphs[0]
    assert first.text.startswith(
        "This request for a preliminary ruling concerns the interpretation"
    )
    assert judgment.paragraphs[-1].heading == "Costs"
    assert "Legal context" in [h.text for h in judgment.headings]

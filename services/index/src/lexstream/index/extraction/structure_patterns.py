"""Patterns of legal document structure: statute headings, subdivision markers and judgment
paragraph numbers. Each is shown with text it must match (tests/unit/extraction/
test_structure.py checks every example).
"""

from __future__ import annotations

import re

# --- German statute Markdown (bundestag/gesetze) -------------------------------------------

# A Markdown heading: '##### § 823 Schadensersatzpflicht' -> level 5, text '§ 823 ...'.
MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t]*$")

# One Paragraph (§): '§ 823 Schadensersatzpflicht', '§ 31a Haftung von Organmitgliedern',
# '§ 10 (weggefallen)'. Not '§§ 3 bis 6 (weggefallen)' (a repealed range, see PARAGRAPH_RANGE).
PARAGRAPH_HEADING = re.compile(r"^§[ \t]*(?P<num>\d+[a-z]*)\b\.?[ \t]*(?P<rest>.*)$")

# A repealed range: '(XXXX) §§ 3 bis 6 (weggefallen)', '§§ 15 und 16 (weggefallen)'.
PARAGRAPH_RANGE = re.compile(r"^(?:\(X+\)[ \t]*)?§§[ \t]*\d")

# One article: 'Art 6', 'Art. 6', 'Artikel 12a Überschrift', 'Article 6 Lawfulness',
# 'Artículo 6', 'Articolo 6', 'Artigo 6', 'ARTICLE 6'.
ARTICLE_HEADING = re.compile(
    r"^(?:Art\.?|Artikel|Article|ARTICLE|Artículo|Articolo|Artigo)[ \t]+(?P<num>\d+[a-z]*)\b\.?"
    r"[ \t]*(?:[-–—:][ \t]*)?(?P<rest>.*)$"
)

# Containers above the provisions, with the id token and the Akoma Ntoso element they map to.
CONTAINER_WORDS: dict[str, tuple[str, str]] = {
    "buch": ("buch", "book"),
    "teil": ("teil", "part"),
    "kapitel": ("kapitel", "chapter"),
    "unterkapitel": ("unterkapitel", "subchapter"),
    "abschnitt": ("abschnitt", "section"),
    "unterabschnitt": ("unterabschnitt", "subsection"),
    "titel": ("titel", "title"),
    "untertitel": ("untertitel", "subtitle"),
    "part": ("part", "part"),
    "chapter": ("chapter", "chapter"),
    "title": ("title", "title"),
    "subtitle": ("subtitle", "subtitle"),
    "division": ("division", "division"),
    "subdivision": ("subdivision", "subdivision"),
    "book": ("book", "book"),
    "schedule": ("sch", "hcontainer"),
}
_CONTAINER_ALTERNATION = "|".join(sorted(CONTAINER_WORDS, key=len, reverse=True))

# 'Buch 1 - Allgemeiner Teil', 'Abschnitt 8 - Einzelne Schuldverhältnisse', 'Titel 27',
# 'Unterkapitel 1a - Vereinbarungen', 'PART 2 Definitions', 'Chapter IV'.
CONTAINER_NUMBERED = re.compile(
    rf"^(?P<word>{_CONTAINER_ALTERNATION})[ \t]+(?P<num>\d+[a-z]*|[IVXLC]+[a-z]?)\b\.?"
    r"(?:[ \t]*[-–—:.][ \t]*|[ \t]+|$)(?P<rest>.*)$",
    re.IGNORECASE,
)

# German ordinal forms: 'Erster Abschnitt - Allgemeine Vorschriften', 'Zweiter Titel',
# '3. Abschnitt - Verfahren'.
_ORDINAL_WORDS = (
    "erster zweiter dritter vierter fünfter sechster siebenter achter neunter zehnter "
    "elfter zwölfter dreizehnter vierzehnter fünfzehnter sechzehnter siebzehnter "
    "achtzehnter neunzehnter zwanzigster"
)
GERMAN_ORDINALS = {word: number for number, word in enumerate(_ORDINAL_WORDS.split(), start=1)}
GERMAN_ORDINALS["siebter"] = 7
CONTAINER_ORDINAL = re.compile(
    r"^(?P<ord>[A-ZÄÖÜa-zäöüß]+ter|\d+\.)[ \t]+"
    rf"(?P<word>{_CONTAINER_ALTERNATION})\b(?:[ \t]*[-–—:][ \t]*)?(?P<rest>.*)$",
    re.IGNORECASE,
)

# The Basic Law's roman-numbered sections: 'I. - Die Grundrechte', 'VIIIa. - Gemeinschaftsaufgaben'.
CONTAINER_ROMAN = re.compile(r"^(?P<num>[IVXLC]+[a-z]?)\.[ \t]*(?:[-–—][ \t]*)?(?P<rest>.*)$")

# --- subdivisions of a provision ------------------------------------------------------------

# An Absatz, subsection or paragraph in parentheses: '(1) Wer vorsätzlich', '(1a) Die',
# '(a) Valid Types', '(e1) Assistance', '(A) the', '(iv) any', '(1)' alone on its line.
PAREN_MARKER = re.compile(
    r"^(?P<indent>[ \t]*)\((?P<num>\d+[a-z]*|[a-z]{1,4}\d*|[A-Z]{1,2})\)(?:[ \t]+|$)"
)
# A numbered sentence (Satz) of the German Markdown, its number set apart by a run of
# spaces: '1             Natürliche Personen, die im Inland'.
SENTENCE_MARKER = re.compile(r"^(?P<num>\d{1,2})[ \t]{3,}(?=\S)")
# A Nummer or numbered paragraph: '1.  notariell beurkundete Verträge', '10. Verträge',
# '2.   The provisions', '1.' alone on its line (its text indented below it). Not
# '1.5 million' (needs white space or the end of the line after the dot).
DOT_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<num>\d+[a-z]?)\.(?:[ \t]+|$)")
# A Buchstabe, doubled Buchstabe or lettered item: 'a)  über Finanzdienstleistungen',
# '    aa) die', 'a. The number of the applicant', 'b)' alone on its line.
LETTER_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<num>[a-z]{1,3})[).](?:[ \t]+|$)")

ROMAN_NUMERAL = re.compile(r"^(?=[ivxlc]+$)m{0,3}(c[md]|d?c{0,3})(x[cl]|l?x{0,3})(i[xv]|v?i{0,3})$")

# --- judgments ------------------------------------------------------------------------------

# UK bracketed paragraph numbers at the start of a line: '[50] The appellant'.
PARA_BRACKET = re.compile(r"^[^\S\n]*\[(?P<num>\d{1,4})\](?:[^\S\n]+(?=\S)|(?=[A-Z‘“]))")
# Dotted paragraph numbers: '1. Section 63 of the Mental Health Act', '12.\tThe judge',
# '100.These figures' (a PDF text layer drops the tab after a wide number), '3. 68 Conway
# Road is', '57.' alone on its line. Not a decimal ('1.5 million').
PARA_DOTTED = re.compile(r"^[^\S\n]*(?P<num>\d{1,4})\.(?:[^\S\n]+(?=\S)|(?=[A-Z‘“\"(])|[^\S\n]*$)")
# The Court of Justice's bare numbers: '1 This request for a preliminary ruling concerns',
# '1\xa0\xa0\xa0These requests' (EUR-Lex sets them apart with no-break spaces).
PARA_BARE = re.compile(r"^[^\S\n]*(?P<num>\d{1,4})[^\S\n]+(?=[A-Z‘’“”'\"(–])")

# Headings of US opinions: 'I. INTRODUCTION', 'II', 'A. Standard of Review', 'IV. DISCUSSION'.
US_HEADING = re.compile(r"^[ \t]*(?P<label>[IVXL]{1,6}|[A-H])\.?(?:[ \t]+(?P<rest>\S.{0,90}))?$")
# All-capital headings: 'BACKGROUND', 'DISCUSSION', 'FINDINGS OF FACT', 'ORDER'.
CAPS_HEADING = re.compile(r"^[ \t]*(?P<text>[A-Z][A-Z ,&'’-]{2,60}[A-Z])[ \t]*:?[ \t]*$")

"""National case citations by court and docket, national law reports, Spanish and Italian
codes, and US court rules and state codes, each with its pinpoint.

Canonical spellings (one per family):

- cases: the docket with what identifies its court where the docket alone does not:
  'VI ZR 211/12' (German dockets name their court's register), 'Cass. n° 14-10.842',
  'CE n° 123456', 'STS 1234/2019', 'SAP Madrid 123/2020', 'Cass. civ. n. 12345/2019',
  'HR nr. 19/01234' (or the ECLI where one is printed); a paragraph as ', para 42';
- law reports: 'NJ 2020/123', 'BGHZ 194, 123', 'NJW 2014, 2029', 'D. 2015, p. 123',
  'Bull. civ. 2015, II, n° 123', 'RJ 2019/1234', 'Foro it. 2019, I, 123'; a pinpoint page
  after a comma ('BGHZ 194, 123, 130');
- codes: 'artículo 1902.1 Código Civil', 'art. 2043 comma 1 c.c.';
- US rules and codes as the Bluebook spells them: 'Fed. R. Civ. P. 12(b)(6)',
  'N.Y. C.P.L.R. 3211(a)(7)', 'Tex. Penal Code § 19.02', '735 ILCS 5/2-619'.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lexstream.shared.legal.found import CASE_PIN, Cite, Needles, case_cite, pinned, whole
from lexstream.shared.legal.text import squash

Normalizer = Callable[[re.Match[str]], list[str | Cite]]

# --- Germany ----------------------------------------------------------------------------

_DE_PLACE = r"\s+[A-ZÄÖÜ][a-zäöüß]+(?:[\s-](?:am|an\s+der|a\.\s?M\.|[A-ZÄÖÜ][a-zäöüß]+)){0,2}"
_DE_COURT = (
    r"(?P<court>BGH|BVerfG|BAG|BFH|BSG|BVerwG|BPatG|BayObLG|KG"
    rf"|(?:OLG|LG|AG|OVG|VGH|VG|LAG|ArbG|LSG|SG|FG){_DE_PLACE})"
)
_DE_MONTHS = (
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November"
    r"|Dezember)"
)
_DE_DATE = rf"\d{{1,2}}\.\s*(?:\d{{1,2}}\.\s*|{_DE_MONTHS}\s+)\d{{2,4}}"
# 'VI ZR 211/12', '1 BvR 1/20', '2 StR 123/19', 'I-5 U 12/19', 'XI R 1/20', 'B 1 KR 1/20 R',
# '3 C 12.19' (BVerwG)
DE_DOCKET = (
    r"(?P<docket>B\s+\d{1,2}\s+[A-Z]{1,3}\s+\d{1,4}/\d{2}\s+[A-Z]{1,2}"
    r"|(?:[IVX]{1,5}[a-z]?-)?(?:[IVX]{1,5}[a-z]?|\d{1,2}[a-z]?)\s+(?:[A-Z][A-Za-zÜü]{0,4})\s+"
    r"\d{1,5}(?:/|\.)\d{2}(?:\s*\([A-Za-z]{1,6}\))?)(?![\w/])"
)
_DE_CASE = re.compile(
    rf"(?<![\w]){_DE_COURT},?\s*(?:(?:\d{{1,2}}\.\s*)?(?:Zivilsenat|Strafsenat|Senat|Kammer)"
    r"\s*,?\s*)?(?:(?:Urteil|Urt\.|Beschluss|Beschl\.|Versäumnisurteil|Teilurteil|Entscheidung"
    rf"|Kammerbeschluss|Hinweisbeschluss)\s*)?(?:(?:vom|v\.)\s*{_DE_DATE}\s*)?(?:[-–—,]\s*)?"
    rf"(?:(?:Az\.|Aktenzeichen):?\s*)?{DE_DOCKET}" + CASE_PIN
)


def _de_case(match: re.Match[str]) -> list[str | Cite]:
    return [case_cite(squash(match["docket"]), match)]


_DE_DOCKET_ALONE = re.compile(rf"^\s*{DE_DOCKET}" + CASE_PIN + r"\s*$")

# --- France -----------------------------------------------------------------------------

_FR_MONTHS = (
    r"(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre"
    r"|novembre|décembre|decembre)"
)
_FR_COURT = (
    r"(?P<court>Cass\.|Cour\s+de\s+cassation|Civ\.|Com\.|Soc\.|Crim\.|CE|C\.\s?E\.|Conseil\s+d'[ÉE]tat"
    r"|Cons\.\s*const\.|Conseil\s+constitutionnel|(?:CAA|CA|TA|TJ|TGI)\s+(?:de\s+)?[A-Z][\w'-]+"
    r"(?:[\s-][A-Z][\w'-]+)?)"
)
_FR_CASE = re.compile(
    rf"(?<![\w(]){_FR_COURT}(?:,?\s*(?:civ\.|com\.|soc\.|crim\.|ass\.\s*plén\.|ch\.\s*mixte"
    r"|\d(?:re|ère|e|ème)\s*(?:civ\.|ch\.)?|\d(?:re|ère|e|ème)|Sect\.|Ass\.|[a-zé]{0,3}\s*ch\.)){0,3}"
    rf",?\s*(?:(?:arrêt|décision|ord\.)\s+)?(?:du\s+)?(?:\d{{1,2}}(?:er)?\s+{_FR_MONTHS}\s+\d{{4}},?\s*)?"
    r"(?:(?:pourvoi|req\.|requête|RG)\s+)?n[°o]\s*"
    r"(?P<number>\d{2}-\d{2}\.\d{3}|\d{2}-\d{5}|\d{2}/\d{4,5}|\d{4}-\d{1,4}\s*(?:DC|QPC|L|LP|FNR|I)"
    r"|\d{5,6})(?![\d/]|\.\d)" + CASE_PIN
)
_FR_COURTS = {"cour de cassation": "Cass.", "civ.": "Cass.", "com.": "Cass.", "soc.": "Cass."}
_FR_COURTS.update({"crim.": "Cass.", "c. e.": "CE", "c.e.": "CE", "conseil d'état": "CE"})
_FR_COURTS.update({"conseil d'etat": "CE", "conseil constitutionnel": "Cons. const."})


def _fr_case(match: re.Match[str]) -> list[str | Cite]:
    court = squash(match["court"])
    court = _FR_COURTS.get(court.lower(), court)
    if court.startswith("Cons."):
        court = "Cons. const."
    number = squash(match["number"])
    return [case_cite(f"{court} n° {number}", match)]


# --- Spain ------------------------------------------------------------------------------

_ES_CASE = re.compile(
    r"(?<![\w])(?P<type>STS|ATS|STC|ATC|SAN|AAN|STSJ|ATSJ|SAP|AAP)"
    r"(?:\s+(?P<place>[A-Z][a-záéíóúñ]+(?:\s+(?:de\s+)?[A-Z][a-záéíóúñ]+)?))?"
    r"\s*,?\s*(?:\((?:Sala|Secc?\.|Sección)[^)]{0,40}\)\s*,?\s*)?(?:n[úu]m\.\s*|n\.?º\s*)?"
    r"(?P<number>\d{1,5}/(?:19|20)\d{2})(?![\d/])" + CASE_PIN
)


def _es_case(match: re.Match[str]) -> list[str | Cite]:
    place = f" {squash(match['place'])}" if match["place"] else ""
    return [case_cite(f"{match['type']}{place} {match['number']}", match)]


# --- Italy ------------------------------------------------------------------------------

_IT_MONTHS = (
    r"(?:gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre"
    r"|novembre|dicembre)"
)
_IT_CASE = re.compile(
    r"(?<![\w])(?P<court>Cass\.(?:\s*(?:civ\.|pen\.))?|Cassazione(?:\s+(?:civile|penale))?"
    r"|Corte\s+cost\.|C\.\s?cost\.|Corte\s+costituzionale|Cons\.\s*(?:Stato|St\.)"
    r"|Consiglio\s+di\s+Stato)"
    r"(?:,?\s*(?:sez\.|Sez\.|sezione|Sezione)\s*(?:[IVX]{1,4}|Un\.|U\.|unite|lav\.|trib\.|\d)"
    r"(?:\s*(?:civ\.|pen\.|lav\.))?)?"
    r",?\s*(?:(?:sent\.|ord\.|sentenza|ordinanza)\s*,?\s*)?"
    rf"(?:(?:del\s+)?(?P<day>\d{{1,2}})\s+{_IT_MONTHS}\s+(?P<dyear>\d{{4}}),?\s*)?"
    r"n\.\s*(?P<number>\d{1,6})(?:\s*/\s*(?P<year>(?:19|20)\d{2})|\s+del\s+(?P<year2>(?:19|20)\d{2}))?"
    r"(?![\d/])" + CASE_PIN
)
_IT_COURTS = {
    "cassazione": "Cass.",
    "cassazione civile": "Cass. civ.",
    "cassazione penale": "Cass. pen.",
    "corte cost.": "Corte cost.",
    "c. cost.": "Corte cost.",
    "c.cost.": "Corte cost.",
    "corte costituzionale": "Corte cost.",
    "cons. stato": "Cons. Stato",
    "cons. st.": "Cons. Stato",
    "consiglio di stato": "Cons. Stato",
}


def _it_case(match: re.Match[str]) -> list[str | Cite]:
    court = squash(match["court"])
    court = _IT_COURTS.get(court.lower(), court)
    year = match["year"] or match["year2"] or match["dyear"]
    suffix = f"/{year}" if year else ""
    return [case_cite(f"{court} n. {match['number']}{suffix}", match)]


# --- The Netherlands --------------------------------------------------------------------

_NL_MONTHS = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november"
    r"|december)"
)
_NL_CASE = re.compile(
    r"(?<![\w])(?P<court>HR|Hoge\s+Raad|ABRvS|CRvB|CBb|"
    r"(?:Hof|Gerechtshof|Rb\.|Rechtbank)\s+(?:'s-)?[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)?)"
    rf"\s+(?:\d{{1,2}}\s+{_NL_MONTHS}\s+\d{{4}})?,?\s*"
    r"(?:(?P<ecli>ECLI:NL:[A-Z0-9]{1,7}:\d{4}:[A-Z0-9]+(?:\.[A-Z0-9]+)*)"
    r"|(?:nr\.|no\.|zaaknr\.|rolnr\.|zaaknummer)\s*(?P<number>\d{2}/\d{3,6}[A-Z]?"
    r"|\d{3}\.\d{3}\.\d{3}(?:/\d{2})?|\d{6,9}))"
    r"(?![\w/])" + CASE_PIN
)


def _nl_case(match: re.Match[str]) -> list[str | Cite]:
    if match["ecli"]:
        return [case_cite(match["ecli"].upper(), match)]
    court = squash(match["court"])
    court = "HR" if court == "Hoge Raad" else court
    return [case_cite(f"{court} nr. {match['number']}", match)]


# --- National law reports ---------------------------------------------------------------

_NL_REPORT = re.compile(
    r"(?<![\w.])(?P<reporter>NJ|AB|RvdW|JB|JOR|JAR|BNB|NJF)\s+(?P<year>(?:19|20)\d{2})\s*[/,]\s*"
    r"(?P<number>\d{1,5})(?![\d/])"
)


def _nl_report(match: re.Match[str]) -> list[str | Cite]:
    return [f"{match['reporter']} {match['year']}/{match['number']}"]


_DE_VOLUMES = r"BGHZ|BGHSt|BVerfGE|BVerwGE|BAGE|BFHE|BSGE|RGZ|RGSt"
_DE_JOURNALS = (
    r"NJW-RR|NJW|NVwZ-RR|NVwZ|NZA-RR|NZA|NStZ-RR|NStZ|JZ|ZIP|MDR|GRUR-RR|GRUR|WM|NZG|NZM|FamRZ"
    r"|VersR|MMR|ZD|DVBl|DÖV|NZV|StV|NZI|EuZW|AfP|NJOZ|ZUM|WRP|AnwBl|BB|DB"
)
_DE_REPORT = re.compile(
    rf"(?<![\w.-])(?:(?P<volumes>{_DE_VOLUMES})\s+(?P<volume>\d{{1,3}})"
    rf"|(?P<journal>{_DE_JOURNALS})\s+(?P<year>(?:19|20)\d{{2}})),\s*(?P<page>\d{{1,5}})"
    r"(?:\s*\((?P<pin1>\d{1,5})\)|,\s*(?P<pin2>\d{1,5})(?![\d/.]))?(?![\d/])"
)


def _de_report(match: re.Match[str]) -> list[str | Cite]:
    source = match["volumes"] or match["journal"]
    instrument = f"{source} {match['volume'] or match['year']}, {match['page']}"
    pin = match["pin1"] or match["pin2"]
    return [pinned(instrument, [pin], before=False, sep=", ") if pin else whole(instrument)]


_FR_REPORT = re.compile(
    r"(?<![\w.])(?P<reporter>D\.|JCP\s?[GEAS]|JCP|RTD\s?civ\.|RTD\s?com\.|Gaz\.\s?Pal\.|AJDA|RFDA"
    r"|Rev\.\s?crit\.\s?DIP)\s+(?P<year>(?:19|20)\d{2})[.,]\s*(?:(?P<part>IV|I{1,3})[.,]\s*)?"
    r"(?:(?P<p>p\.)\s*|(?P<n>n[°o])\s*)?(?P<page>\d{1,5})(?![\d/])"
    r"|(?<![\w.])(?P<bull>Bull\.\s?(?:civ\.|crim\.))\s+(?:(?P<byear>(?:19|20)\d{2}),?\s*)?"
    r"(?:(?P<chamber>IV|V|I{1,3}),?\s*)?n[°o]\s*(?P<bnumber>\d{1,4})(?![\d/])"
)


def _fr_report(match: re.Match[str]) -> list[str | Cite]:
    if match["bull"]:
        parts = [squash(match["bull"]).replace(". ", ".").replace(".", ". ").strip()]
        parts[0] = "Bull. civ." if "civ" in parts[0] else "Bull. crim."
        year = f" {match['byear']}," if match["byear"] else ""
        chamber = f" {match['chamber']}," if match["chamber"] else ""
        return [f"{parts[0]}{year}{chamber} n° {match['bnumber']}"]
    reporter = re.sub(r"\s+", " ", match["reporter"])
    reporter = re.sub(r"^JCP(?=[GEAS])", "JCP ", reporter)
    part = f" {match['part']}," if match["part"] else ""
    mark = "n° " if match["n"] else "p. "
    return [f"{reporter} {match['year']},{part} {mark}{match['page']}"]


_ES_REPORT = re.compile(
    r"(?<![\w])(?P<reporter>RJ|RTC|JUR|RJCA)\s*\\?\s*(?P<year>(?:19|20)\d{2})\s*[\\/]\s*"
    r"(?P<number>\d{1,6})(?![\d/])"
)


def _es_report(match: re.Match[str]) -> list[str | Cite]:
    return [f"{match['reporter']} {match['year']}/{match['number']}"]


_IT_REPORT = re.compile(
    r"(?<![\w])(?P<reporter>Foro\s+it\.|Giur\.\s+it\.|Giust\.\s+civ\.|Nuova\s+giur\.\s+civ\."
    r"|Corr\.\s+giur\.|Danno\s+resp\.),?\s+(?P<year>(?:19|20)\d{2}),\s*(?:(?P<part>IV|V|I{1,3}),\s*)?"
    r"(?:col\.\s*|c\.\s*|p\.\s*)?(?P<page>\d{1,5})(?![\d/])"
)


def _it_report(match: re.Match[str]) -> list[str | Cite]:
    part = f" {match['part']}," if match["part"] else ""
    return [f"{squash(match['reporter'])} {match['year']},{part} {match['page']}"]


# --- Spanish and Italian codes ----------------------------------------------------------

_ES_CODES = {
    "código civil": "Código Civil",
    "cc": "Código Civil",
    "código penal": "Código Penal",
    "cp": "Código Penal",
    "código de comercio": "Código de Comercio",
    "ley de enjuiciamiento civil": "Ley de Enjuiciamiento Civil",
    "lec": "Ley de Enjuiciamiento Civil",
    "ley de enjuiciamiento criminal": "Ley de Enjuiciamiento Criminal",
    "lecrim": "Ley de Enjuiciamiento Criminal",
    "constitución española": "Constitución Española",
    "constitución": "Constitución Española",
    "ce": "Constitución Española",
    "estatuto de los trabajadores": "Estatuto de los Trabajadores",
    "et": "Estatuto de los Trabajadores",
    "ley orgánica del poder judicial": "Ley Orgánica del Poder Judicial",
    "lopj": "Ley Orgánica del Poder Judicial",
    "ley general tributaria": "Ley General Tributaria",
    "lgt": "Ley General Tributaria",
    "ley de la jurisdicción contencioso-administrativa": "Ley de la Jurisdicción "
    "Contencioso-administrativa",
    "ljca": "Ley de la Jurisdicción Contencioso-administrativa",
    "lopdgdd": "LOPDGDD",
}
_ES_NAMES = [name for name in _ES_CODES if not name.isalpha() or len(name) > 7]
_ES_ABBREVIATIONS = ["CC", "CP", "LEC", "LECrim", "CE", "ET", "LOPJ", "LGT", "LJCA", "LOPDGDD"]
_ES_ARTICLE = re.compile(
    r"(?<![\w])(?:[Aa]rtículos?|[Aa]rts?\.)\s+(?P<numbers>\d{1,4}(?:\s?bis)?(?:\.\d{1,2})?"
    r"(?:\s*(?:,|y)\s*\d{1,4}(?:\.\d{1,2})?)*)(?:,?\s+apartado\s+(?P<apartado>\d{1,2}))?"
    r"(?:,?\s+letra\s+(?P<letra>[a-z])\)?)?,?\s+(?:(?:del|de\s+la|de\s+los)\s+)?"
    r"(?P<code>(?i:" + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in _ES_NAMES) + r")"
    r"|" + "|".join(_ES_ABBREVIATIONS) + r")(?![\w-])"
)
_ES_NUMBER = re.compile(r"(\d{1,4}(?:\s?bis)?)(?:\.(\d{1,2}))?")


def _es_article(match: re.Match[str]) -> list[str | Cite]:
    code = _ES_CODES.get(" ".join(match["code"].lower().split()))
    if code is None or (match["code"] in {"CE", "ET"} and not match[0].lower().startswith("artí")):
        return []
    cites: list[str | Cite] = []
    numbers = _ES_NUMBER.findall(match["numbers"])
    for number, point in numbers:
        paragraph = point or (match["apartado"] if len(numbers) == 1 else "")
        pieces = [f"artículo {number.replace(' ', '')}"]
        if paragraph:
            pieces.append(f".{paragraph}")
            if match["letra"] and len(numbers) == 1:
                pieces.append(f" letra {match['letra']}")
        cites.append(pinned(code, pieces, before=True, sep=" "))
    return cites


_IT_CODES = {
    "c.c.": "c.c.",
    "cod. civ.": "c.c.",
    "codice civile": "c.c.",
    "c.p.c.": "c.p.c.",
    "cod. proc. civ.": "c.p.c.",
    "codice di procedura civile": "c.p.c.",
    "c.p.p.": "c.p.p.",
    "cod. proc. pen.": "c.p.p.",
    "codice di procedura penale": "c.p.p.",
    "c.p.": "c.p.",
    "cod. pen.": "c.p.",
    "codice penale": "c.p.",
    "cost.": "Cost.",
    "costituzione": "Cost.",
}
_IT_ARTICLE = re.compile(
    r"(?<![\w])(?:[Aa]rtt?\.|[Aa]rticol[oi])\s+(?P<numbers>\d{1,4}(?:[-\s](?:bis|ter|quater))?"
    r"(?:\s*(?:,|e)\s*\d{1,4}(?:[-\s](?:bis|ter|quater))?)*)(?:,?\s+comma\s+(?P<comma>\d{1,2}))?"
    r",?\s+(?:(?:del|della)\s+)?(?P<code>c\.\s?p\.\s?c\.|c\.\s?p\.\s?p\.|c\.\s?c\.|c\.\s?p\."
    r"|cod\.\s+(?:proc\.\s+)?(?:civ|pen)\.|[Cc]ost\.|[Cc]ostituzione|codice\s+(?:di\s+procedura\s+)?"
    r"(?:civile|penale))(?![\w])"
)
_IT_NUMBER = re.compile(r"\d{1,4}(?:[-\s](?:bis|ter|quater))?")


def _it_article(match: re.Match[str]) -> list[str | Cite]:
    code = _IT_CODES.get(re.sub(r"(?<=\.)\s(?=\w\.)", "", " ".join(match["code"].lower().split())))
    if code is None:
        return []
    numbers = _IT_NUMBER.findall(match["numbers"])
    comma = [f" comma {match['comma']}"] if match["comma"] and len(numbers) == 1 else []
    return [
        pinned(code, [f"art. {n.replace(' ', '-')}", *comma], before=True, sep=" ") for n in numbers
    ]


# --- US court rules and state codes -----------------------------------------------------

_US_RULES = {
    "civ. p.": "Fed. R. Civ. P.",
    "crim. p.": "Fed. R. Crim. P.",
    "app. p.": "Fed. R. App. P.",
    "bankr. p.": "Fed. R. Bankr. P.",
    "evid.": "Fed. R. Evid.",
    "frcp": "Fed. R. Civ. P.",
    "fre": "Fed. R. Evid.",
    "frap": "Fed. R. App. P.",
    "frcrp": "Fed. R. Crim. P.",
    "civil procedure": "Fed. R. Civ. P.",
    "criminal procedure": "Fed. R. Crim. P.",
    "appellate procedure": "Fed. R. App. P.",
    "bankruptcy procedure": "Fed. R. Bankr. P.",
    "evidence": "Fed. R. Evid.",
}
_US_RULE_NUMBER = r"(?P<number>\d{1,4}(?:\.\d{1,2})?)(?P<subs>(?:\s?\([\w]{1,4}\))*)(?![\w-])"
_US_RULE = re.compile(
    r"(?<![\w.])(?:Fed\.\s?R\.\s?(?P<rules>Civ\.\s?P\.|Crim\.\s?P\.|App\.\s?P\.|Bankr\.\s?P\.|Evid\.)"
    r"|(?P<short>FRCP|FRE|FRAP|FRCrP))\s*(?:Rule\s+)?"
    + _US_RULE_NUMBER.replace("?P<", "?P<a_")
    + r"|(?<![\w.])Rule\s+"
    + _US_RULE_NUMBER
    + r"\s+of\s+the\s+Federal\s+Rules\s+of\s+"
    r"(?P<long>Civil\s+Procedure|Criminal\s+Procedure|Appellate\s+Procedure|Bankruptcy\s+Procedure"
    r"|Evidence)"
)
_SUBS = re.compile(r"\(([\w]{1,4})\)")


def _us_rule(match: re.Match[str]) -> list[str | Cite]:
    name = match["rules"] or match["short"] or match["long"]
    key = " ".join(re.sub(r"\.(?=\S)", ". ", name).lower().split())
    rules = _US_RULES.get(key) or _US_RULES.get(key.replace(" ", ""))
    if rules is None:
        return []
    number = match["a_number"] or match["number"]
    subs = match["a_subs"] if match["a_number"] else match["subs"]
    pieces = [number, *(f"({sub})" for sub in _SUBS.findall(subs or ""))]
    return [pinned(rules, pieces, before=False, sep=" ")]


# Bluebook T1 abbreviations of the states, and the words their codes end in.
_STATES = (
    r"Ala\.|Alaska|Ariz\.|Ark\.|Cal\.|Colo\.|Conn\.|Del\.|D\.C\.|Fla\.|Ga\.|Haw\.|Idaho|Ill\."
    r"|Ind\.|Iowa|Kan\.|Ky\.|La\.|Me\.|Md\.|Mass\.|Mich\.|Minn\.|Miss\.|Mo\.|Mont\.|Neb\.|Nev\."
    r"|N\.\s?H\.|N\.\s?J\.|N\.\s?M\.|N\.\s?Y\.|N\.\s?C\.|N\.\s?D\.|Ohio|Okla\.|Or\.|Pa\.|R\.\s?I\."
    r"|S\.\s?C\.|S\.\s?D\.|Tenn\.|Tex\.|Utah|Vt\.|Va\.|Wash\.|W\.\s?Va\.|Wis\.|Wyo\."
)
_CODE_WORD = r"(?:[A-Z][a-z]{0,7}\.|[A-Z][a-z]{1,11}|&)"
_CODE_ENDS = ("Code", "Stat.", "Laws", "Law", "Ann.", "Stat. Ann.", "Code Ann.")
_US_STATE_CODE = re.compile(
    rf"(?<![\w.])(?:(?P<title>\d{{1,3}})\s+)?(?P<state>{_STATES})\s+"
    rf"(?:(?P<cplr>C\.\s?P\.\s?L\.\s?R\.|CPLR)\s*(?:§\s*|Rule\s+)?"
    rf"|(?P<code>{_CODE_WORD}(?:\s+{_CODE_WORD}){{0,5}}?)\s*(?:ch\.\s*(?P<chapter>\w{{1,5}}),\s*)?"
    r"§§?\s*)(?P<section>\d[\w:-]*(?:\.\d[\w:-]*)*)(?P<subs>(?:\([\w]{1,4}\))*)(?![\w-])"
    r"|(?<![\w.])(?P<chapter_number>\d{1,3})\s+ILCS\s+(?P<act>\d{1,4})/(?P<ilcs>\d[\w.-]*\w)"
    r"(?P<isubs>(?:\([\w]{1,4}\))*)"
)


def _us_state_code(match: re.Match[str]) -> list[str | Cite]:
    if match["ilcs"]:
        instrument = f"{match['chapter_number']} ILCS {match['act']}"
        pieces = [match["ilcs"], *(f"({s})" for s in _SUBS.findall(match["isubs"]))]
        section = pinned(f"{instrument}/", pieces, before=False, sep="")
        return [
            Cite(section.normalized, instrument, section.pinpoint, (*section.coarser, instrument))
        ]
    state = re.sub(r"\.\s(?=[A-Z]\.)", ".", match["state"])
    subs = [f"({sub})" for sub in _SUBS.findall(match["subs"])]
    if match["cplr"]:
        return [pinned(f"{state} C.P.L.R.", [match["section"], *subs], before=False, sep=" ")]
    code = squash(match["code"])
    if not code.endswith(_CODE_ENDS):
        return []
    title = f"{match['title']} " if match["title"] else ""
    chapter = f" ch. {match['chapter']}," if match["chapter"] else ""
    instrument = f"{title}{state} {code}{chapter}"
    return [pinned(instrument, [f"§ {match['section']}", *subs], before=False, sep=" ")]


_STATE_CODE_ALONE = re.compile(
    rf"(?:(?P<title>\d{{1,3}})\s+)?(?P<state>{_STATES})\s+(?P<code>C\.P\.L\.R\."
    rf"|{_CODE_WORD}(?:\s+{_CODE_WORD}){{0,5}})"
    r"|(?P<chapter_number>\d{1,3})\s+ILCS\s+(?P<act>\d{1,4})"
)


def code_alone(text: str) -> tuple[str, str] | None:
    """(kind, instrument) where a whole typed query names a Spanish, Italian or US code or
    set of court rules ('Código Civil', 'c.c.', 'Fed. R. Evid.', 'Cal. Civ. Code')."""
    folded = " ".join(text.lower().split())
    if folded in _ES_CODES and (len(folded) > 3 or text.strip().isupper()):
        return "es_statute", _ES_CODES[folded]
    italian = _IT_CODES.get(re.sub(r"(?<=\.)\s(?=\w\.)", "", folded))
    if italian:
        return "it_statute", italian
    rules = re.match(r"fed\.\s?r\.\s?(.+)$", folded)
    key = " ".join(re.sub(r"\.(?=\S)", ". ", rules[1] if rules else folded).split())
    if key in _US_RULES and (rules or key.replace(" ", "").isalpha()):
        return "us_rule", _US_RULES[key]
    if _CODE_ABBREVIATION_ALONE.fullmatch(squash(text)):
        return "us_statute", squash(text)
    match = _STATE_CODE_ALONE.fullmatch(squash(text))
    if match and match["act"]:
        return "us_statute", f"{match['chapter_number']} ILCS {match['act']}"
    if match and (match["code"] == "C.P.L.R." or match["code"].endswith(_CODE_ENDS)):
        state = re.sub(r"\.\s(?=[A-Z]\.)", ".", match["state"])
        title = f"{match['title']} " if match["title"] else ""
        return "us_statute", f"{title}{state} {match['code']}"
    return None


# State codes cited by an abbreviation of their own rather than '<State> <Code>'
# (Bluebook T1 and each state's own citation form): 'N.J.S.A. 2A:15-5.1', 'RCW 4.84.185',
# 'O.C.G.A. § 9-11-12', 'G.L. c. 93A, § 2'. Without '§' the section must hold a '.', ':'
# or '-', which sets it apart from a count ('HRS 12').
_CODE_ABBREVIATIONS = (
    r"N\.J\.S\.A\.|N\.J\.\s?Stat\.\s?Ann\.|O\.C\.G\.A\.|A\.R\.S\.|C\.R\.S\.|K\.S\.A\.|RCW|ORS|MCL"
    r"|KRS|NRS|HRS|RSMo|(?:M\.\s?)?G\.\s?L\.\s?c\.\s?\d{1,3}[A-Z]?(?=,|$)"
)
_CODE_ABBREVIATION_ALONE = re.compile(_CODE_ABBREVIATIONS)
_US_CODE_ABBREVIATION = re.compile(
    rf"(?<![\w.])(?P<abbr>{_CODE_ABBREVIATIONS}),?\s*"
    r"(?:(?P<mark>§§?)\s*)?(?P<section>\d[\w]*(?:[.:-][\w]+)*)(?P<subs>(?:\([\w]{1,4}\))*)(?![\w-])"
)


def _us_code_abbreviation(match: re.Match[str]) -> list[str | Cite]:
    section = match["section"]
    if not match["mark"] and not re.search(r"[.:-]", section):
        return []
    abbreviation = squash(match["abbr"])
    subs = [f"({sub})" for sub in _SUBS.findall(match["subs"])]
    mark = "§ " if match["mark"] else ""
    sep = ", " if abbreviation.startswith(("G.", "M.")) else " "
    return [pinned(abbreviation, [f"{mark}{section}", *subs], before=False, sep=sep)]


def _exact(*words: str, back: int = 0, ahead: int = 400) -> Needles:
    return Needles(exact=words, back=back, ahead=ahead)


_DE_COURT_WORDS = ("BGH", "BVerfG", "BAG", "BFH", "BSG", "BVerwG", "BPatG", "BayObLG", "KG")
_DE_PLACE_COURTS = ("OLG ", "LG ", "AG ", "OVG ", "VGH ", "VG ", "LAG ", "ArbG ", "LSG ", "SG ")
_FR_COURT_WORDS = ("Cass.", "Cour de cassation", "Civ.", "Com.", "Soc.", "Crim.", "CE", "C. E.")
_FR_OTHER_COURTS = ("C.E.", "Conseil", "Cons.", "CAA ", "CA ", "TA ", "TJ ", "TGI ")
_STATE_CODE_NEEDLES = ("Code", "Stat.", "Laws", "Law ", "C.P.L.R", "CPLR", "ILCS")
_CODE_ABBREVIATION_NEEDLES = (
    *("N.J.", "O.C.G.A", "A.R.S", "C.R.S", "K.S.A", "RCW", "ORS", "MCL"),
    *("KRS", "NRS", "HRS", "RSMo", "G.L."),
)

Family = tuple[str, re.Pattern[str], Normalizer, Needles]


def national_families() -> tuple[Family, ...]:
    """(kind, pattern, normaliser, needles) of every family in this module."""
    return (
        ("de_case", _DE_CASE, _de_case, _exact(*_DE_COURT_WORDS, *_DE_PLACE_COURTS, "FG ")),
        ("fr_case", _FR_CASE, _fr_case, _exact(*_FR_COURT_WORDS, *_FR_OTHER_COURTS)),
        (
            "es_case",
            _ES_CASE,
            _es_case,
            _exact("STS", "ATS", "STC", "ATC", "SAN", "AAN", "SAP", "AAP", ahead=200),
        ),
        (
            "it_case",
            _IT_CASE,
            _it_case,
            _exact("Cass", "Corte", "C. cost", "C.cost", "Cons.", "Consiglio"),
        ),
        (
            "nl_case",
            _NL_CASE,
            _nl_case,
            _exact(
                "HR ",
                "Hoge Raad",
                "ABRvS",
                "CRvB",
                "CBb",
                "Hof ",
                "Gerechtshof",
                "Rb.",
                "Rechtbank",
            ),
        ),
        (
            "nl_report",
            _NL_REPORT,
            _nl_report,
            _exact("NJ ", "AB ", "RvdW", "JB ", "JOR ", "JAR ", "BNB ", "NJF ", ahead=40),
        ),
        (
            "de_report",
            _DE_REPORT,
            _de_report,
            _exact(*_DE_VOLUMES.split("|"), *_DE_JOURNALS.split("|"), ahead=60),
        ),
        (
            "fr_report",
            _FR_REPORT,
            _fr_report,
            _exact("D.", "JCP", "RTD", "Gaz.", "AJDA", "RFDA", "Rev.", "Bull.", ahead=80),
        ),
        ("es_report", _ES_REPORT, _es_report, _exact("RJ", "RTC", "JUR", ahead=40)),
        (
            "it_report",
            _IT_REPORT,
            _it_report,
            _exact("Foro", "Giur.", "Giust.", "Nuova", "Corr.", "Danno", ahead=80),
        ),
        (
            "es_statute",
            _ES_ARTICLE,
            _es_article,
            Needles(folded=("artículo", "art."), back=0, ahead=200),
        ),
        (
            "it_statute",
            _IT_ARTICLE,
            _it_article,
            Needles(folded=("art.", "artt.", "articol"), back=0, ahead=200),
        ),
        (
            "us_rule",
            _US_RULE,
            _us_rule,
            _exact("Fed.", "FRCP", "FRE", "FRAP", "FRCrP", "Rule ", ahead=160),
        ),
        (
            "us_statute",
            _US_STATE_CODE,
            _us_state_code,
            _exact(*_STATE_CODE_NEEDLES, back=60, ahead=80),
        ),
        (
            "us_statute",
            _US_CODE_ABBREVIATION,
            _us_code_abbreviation,
            _exact(*_CODE_ABBREVIATION_NEEDLES, back=4, ahead=60),
        ),
    )


def query_families() -> tuple[Family, ...]:
    """Families read only in a typed query: a German docket alone ('VI ZR 211/12')."""
    return (("de_case", _DE_DOCKET_ALONE, _de_case, _exact()),)

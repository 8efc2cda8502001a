"""Document type by transparent rules over the header, first rule that fires wins."""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "docket",
        re.compile(
            r"^\s*(?:Case Detail|Docket Report|CIVIL DOCKET FOR CASE|CRIMINAL DOCKET FOR CASE"
            r"|Case Events|Docket Sheet)\b",
            re.IGNORECASE | re.MULTILINE,
        ),
    ),
    # German federal law as published (gesetze-im-internet.de): a title naming an Act, Code
    # or procedural Ordnung with its short title, before any EU 'Verordnung' it cites.
    (
        "statute",
        re.compile(
            r"\A(?:---\n(?:[^\n]*\n){0,12}?---\s*)?\s*[#\s]*\S*(?:[Gg]esetz|[Gg]esetzbuch"
            r"|(?<![Vv]er)[Oo]rdnung)\b[^\n]{0,160}\([A-ZÄÖÜ]\w{1,15}\)\s*$",
            re.MULTILINE,
        ),
    ),
    (
        "regulation",
        re.compile(
            r"^\s*(?:(?:COMMISSION|COUNCIL)\s+(?:IMPLEMENTING\s+|DELEGATED\s+)?)?(?:REGULATION"
            r"|DIRECTIVE)\s+\((?:EU|EC|EEC)\)|^\s*Code of Federal Regulations\b|^\s*Verordnung\b"
            r"|^\s*(?:Décret|Arrêté) n[°o]",
            re.MULTILINE,
        ),
    ),
    (
        "statute",
        re.compile(
            r"^\s*Bundesgesetzblatt\b|hat das folgende Gesetz beschlossen|^\s*Staatsblad\b"
            r"|^\s*(?:[A-Z][a-z]+\s){1,2}(?:General\s)?Statutes\b|^\s*Statute Text\s*$"
            r"|\bBE IT ENACTED\b|^\s*LOI n[°o]\s*\d|^\s*An Act to\b|^\s*Public Law \d"
            # German federal law as published (gesetze-im-internet.de): the date of signature,
            # or a title naming an Act, Code or Ordinance with its short title.
            r"|^\s*Ausfertigungsdatum\b",
            re.MULTILINE,
        ),
    ),
    (
        "contract",
        re.compile(
            r"\bIN WITNESS WHEREOF\b|\bNOW,? THEREFORE,? (?:THE PARTIES|IN CONSIDERATION)"
            r"|^\s*(?:[A-Z]+\s){0,4}AGREEMENT\s*$"
            r"|\bThis (?:[A-Z][a-z]+ )?Agreement is (?:made|entered)"
            r"|^\s*(?:Contrat|Vertrag|Overeenkomst)\b",
            re.MULTILINE,
        ),
    ),
    (
        "transcript",
        re.compile(
            r"\b(?:TRANSCRIPT OF (?:PROCEEDINGS|HEARING|TRIAL)|REPORTER'S TRANSCRIPT"
            r"|OFFICIAL TRANSCRIPT)\b|^\s*\(Whereupon\b|^\s*THE COURT:\s",
            re.MULTILINE,
        ),
    ),
    (
        "other",
        re.compile(r"^\s*(?:Press Summary|OFFICE OF THE CLERK|Press Release)\s*$", re.MULTILINE),
    ),
    (
        "order",
        re.compile(
            r"^\s*(?:MEMORANDUM\s+)?(?:OPINION|DECISION)\s*(?:AND|&)\s*ORDER\b", re.MULTILINE
        ),
    ),
    (
        "pleading",
        re.compile(
            r"^\s*(?:(?:FIRST |SECOND |THIRD )?AMENDED )?(?:COMPLAINT(?: FOR\b.*)?"
            r"|PETITION FOR\b.*|MOTION"
            r"(?: TO| FOR)\b.*|(?:APPELLANT'?S?'?|APPELLEE'?S?'?|OPENING|REPLY|ANSWERING)? ?BRIEF"
            r"(?: OF| FOR)?\b.*|NOTICE OF APPEAL|ANSWER(?: AND AFFIRMATIVE DEFENSES)?"
            r"|MEMORANDUM (?:OF LAW )?IN (?:SUPPORT|OPPOSITION)\b.*|Designation & Statement of"
            r" Issues|Klageschrift|Klage|Assignation|Conclusions)\s*$",
            re.IGNORECASE | re.MULTILINE,
        ),
    ),
    (
        "opinion",
        re.compile(
            r"^\s*\(Slip Opinion\)|^\s*(?:OPINION|MEMORANDUM OPINION|OPINION OF THE COURT"
            r"|MEMORANDUM FINDINGS OF FACT AND OPINION|PER CURIAM OPINION)\b"
            r"|\bOpinion for the [Cc]ourt filed by\b|^\s*[A-Z][A-Z'.-]+,\s+(?:Chief\s+)?"
            r"(?:Circuit|District|Senior Circuit) Judge[:.]|\bdelivered the opinion of the\b"
            r"|^\s*T\.C\. Memo\. \d{4}-\d+|^\s*OPINION OF ADVOCATE GENERAL\b",
            re.MULTILINE,
        ),
    ),
    (
        "judgment",
        re.compile(
            r"^\s*(?:Approved\s+)?Judgment\s*$|^\s*JUDGMENT(?: OF THE (?:GENERAL )?COURT)?\b"
            r"|^\s*(?:ARRÊT|JUGEMENT)\b|^\s*(?:Im Namen des Volkes|URTEIL)\b|^\s*Urteil\s*$"
            r"|^\s*(?:Uitspraak|Arrest)\s*$|\bAU NOM DU PEUPLE FRANÇAIS\b|^\s*Citation Nr:",
            re.MULTILINE,
        ),
    ),
    (
        "order",
        re.compile(
            r"^\s*(?:[A-Z]+\s+){0,4}ORDER(?:\s+OF\s+(?:THE\s+)?COURT)?\b"
            r"|\bIT IS (?:HEREBY )?ORDERED\b"
            r"|^\s*(?:ORDONNANCE|BESCHLUSS|Beschluss|Beschikking)\b",
            re.MULTILINE,
        ),
    ),
)
# A contract by its title and its parties, in any of the languages the firm's contracts come
# in: a title line near the top naming an agreement ('SUPPLY AGREEMENT', 'THIS AGREEMENT is
# made', 'Rahmenliefervertrag', 'Geheimhaltungsvereinbarung', 'CONTRAT DE LICENCE',
# 'CONTRATO DE ...', 'ACCORD DE CONFIDENTIALITÉ', 'LICENTIEOVEREENKOMST') and, before the
# body, who concludes it ('between', 'zwischen', 'entre', 'tussen', 'De ondergetekenden',
# 'PARTIES', 'REUNIDOS'). Both are needed: judgments name contracts, not in their title.
_CONTRACT_TITLE = re.compile(
    r"^[\s#*]*(?:THIS\s+)?(?:[\w&'’,-]+\s+){0,6}(?:AGREEMENT|CONTRACT|DEED)\b"
    r"|^[\s#*]*\w*(?:[Vv]ertrag|[Vv]ereinbarung|VERTRAG|VEREINBARUNG)\b"
    r"|^[\s#*]*\w*(?:[Oo]vereenkomst|OVEREENKOMST)\b"
    r"|^[\s#*]*(?:CONTRAT|Contrat|CONTRATO|Contrato|CONTRATTO|Contratto|CONVENTION|Convention"
    r"|CONVENIO|Convenio|ACCORD|Accord|ACUERDO|Acuerdo)\b",
    re.MULTILINE,
)
_CONTRACT_PARTIES = re.compile(
    r"\b(?:by and between|between|zwischen|entre|tussen|tra)\b"
    r"|^\s*(?:PARTIES|Parties|PARTIJEN|Partijen|De ondergetekenden|REUNIDOS|De una parte)\b",
    re.MULTILINE | re.IGNORECASE,
)
#: where a contract's title and parties stand
CONTRACT_TITLE_CHARS = 600
CONTRACT_PARTIES_CHARS = 2_000


def looks_like_contract(text: str) -> bool:
    """A title naming an agreement near the top, and the parties named before the body."""
    title = _CONTRACT_TITLE.search(text[:CONTRACT_TITLE_CHARS])
    return title is not None and bool(_CONTRACT_PARTIES.search(text[:CONTRACT_PARTIES_CHARS]))


_EMAIL_HEADERS = re.compile(r"^From:.*\n(?:.*\n){0,6}?(?:Subject|Date):", re.MULTILINE)
HEADER_DOCTYPE_CHARS = 5_000


def classify(
    header: str, *, filename: str | None, media_type: str | None, jurisdiction: str | None
) -> str:
    name = (filename or "").lower()
    kind = (media_type or "").lower()
    if kind in {"message/rfc822", "application/vnd.ms-outlook"} or name.endswith((".eml", ".msg")):
        return "email"
    text = header[:HEADER_DOCTYPE_CHARS]
    if _EMAIL_HEADERS.match(text.lstrip()):
        return "email"
    if "docket" in name:
        return "docket"
    for doc_type, pattern in _RULES:
        if pattern.search(text) or (doc_type == "contract" and looks_like_contract(text)):
            return doc_type
    # A court's decision with no heading: US courts write opinions, others judgments.
    if jurisdiction is None:
        return "other"
    return "opinion" if jurisdiction.startswith("US") else "judgment"

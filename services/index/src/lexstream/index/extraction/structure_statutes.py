"""Statutes in text: the German statute Markdown of bundestag/gesetze and plain-text statutes
with numbered sections (US codes, UK and EU texts pasted as text, German gazette text)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lexstream.index.extraction import structure_patterns as p
from lexstream.index.extraction.structure_models import Node, unique_ids

_GERMAN_HINTS = re.compile(r"\b(?:Absatz|Gesetz(?:es)?|Satz|Bundes\w+|Verordnung|gilt|wird)\b")
# A plain-text section heading: 'Sec. 17.50. RELIEF FOR CONSUMERS.', 'Section 12 Duty',
# '§ 163-230.2 Method of requesting absentee ballots', '§ 5 Anwendungsbereich'.
_SECTION_HEADING = re.compile(
    r"^(?P<word>Sec\.|SEC\.|Section|SECTION|§)[ \t]*(?P<num>\d+(?:[-.:]\d+)*[a-zA-Z]*)\.?"
    r"(?:[ \t]+(?P<rest>.*))?$"
)
_MAX_HEADING = 140
_SECTION_LEVELS = ("subsec", "para", "subpara", "clause", "subclause", "item")
_ARTICLE_LEVELS = ("para", "point", "subpoint", "indent", "item", "item")


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, line without its newline) for every line."""
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        yield offset, offset + len(body), body
        offset += len(line)


def _clean_heading(text: str) -> str:
    return " ".join(text.replace("\\", "").split()).strip(" -–—")


def _container(text: str) -> tuple[str, str, str, str] | None:
    """(id token, Akoma Ntoso kind, number, heading) of a container heading, or None."""
    found = p.CONTAINER_NUMBERED.match(text)
    if found is not None:
        token, kind = p.CONTAINER_WORDS[found["word"].lower()]
        return token, kind, found["num"], _clean_heading(found["rest"])
    found = p.CONTAINER_ORDINAL.match(text)
    if found is not None:
        ordinal = found["ord"].lower().rstrip(".")
        number = ordinal if ordinal.isdigit() else str(p.GERMAN_ORDINALS.get(ordinal, ""))
        if number:
            token, kind = p.CONTAINER_WORDS[found["word"].lower()]
            return token, kind, number, _clean_heading(found["rest"])
    found = p.CONTAINER_ROMAN.match(text)
    if found is not None:
        return "abschnitt", "section", found["num"], _clean_heading(found["rest"])
    return None


class _Builder:
    """Containers by level, the current provision and its open subdivisions."""

    def __init__(self) -> None:
        self.roots: list[Node] = []
        self.containers: list[tuple[float, Node]] = []
        self.provision: Node | None = None
        self.items: list[tuple[int, Node]] = []
        self.generic = 0

    def attach(self, node: Node) -> None:
        parent = self.containers[-1][1] if self.containers else None
        (parent.children if parent is not None else self.roots).append(node)

    def open_container(self, level: float, heading: str, start: int, end: int) -> None:
        found = _container(heading)
        # Markdown has six levels: an 'Unterkapitel' may sit at its 'Kapitel''s level, but
        # belongs under it (so do Unterabschnitt under Abschnitt, Untertitel under Titel).
        if found is not None and found[0].startswith("unter"):
            for open_level, node in reversed(self.containers):
                if open_level == level and node.id.rsplit("/", 1)[-1].startswith(found[0][5:]):
                    level += 0.5
                    break
        while self.containers and self.containers[-1][0] >= level:
            self.containers.pop()
        if found is None:
            self.generic += 1
            token, kind, number, title = "h", "hcontainer", str(self.generic), heading
            label = None
        else:
            token, kind, number, title = found
            label = heading.split(" - ")[0].strip() if " - " in heading else None
        parent = self.containers[-1][1] if self.containers else None
        prefix = f"{parent.id}/" if parent is not None else ""
        node = Node(
            id=f"{prefix}{token}:{number}",
            kind=kind,
            number=number if found is not None else None,
            label=label or (heading if found is None else None),
            heading=title or None,
            start=start,
            end=end,
            container=True,
        )
        self.attach(node)
        self.containers.append((level, node))
        self.provision = None
        self.items = []

    def open_provision(self, level: float, node: Node) -> None:
        while self.containers and self.containers[-1][0] > level:
            self.containers.pop()
        self.attach(node)
        self.provision = node
        self.items = []

    def current(self) -> Node | None:
        if self.items:
            return self.items[-1][1]
        if self.provision is not None:
            return self.provision
        return self.containers[-1][1] if self.containers else None


def markdown_provisions(text: str) -> list[Node]:
    """The provisions of a statute in the Markdown of bundestag/gesetze: '#' headings for
    Buch, Teil, Abschnitt, Titel ... and each § or Art; '(1)' opens an Absatz, '1.' a
    Nummer and 'a)' a Buchstabe, nested by their indentation."""
    build = _Builder()
    absatz: Node | None = None
    satz: Node | None = None
    front_matter = text.startswith("---")
    for start, end, line in _lines(text):
        if front_matter:
            front_matter = not (start > 0 and line.strip() == "---")
            continue
        heading = p.MD_HEADING.match(line)
        if heading is not None:
            level, title = len(heading["hashes"]), heading["text"]
            absatz = satz = None
            if level == 1 or p.PARAGRAPH_RANGE.match(title):
                build.provision, build.items = None, []
                if level == 1:
                    build.containers = []
                continue
            node = _provision_heading(title, start, end, token_for_section="par")
            if node is not None:
                build.open_provision(level, node)
            else:
                build.open_container(level, _clean_heading(title), start, end)
            continue
        if not line.strip():
            continue
        article = build.provision
        if article is None:
            target = build.current()
            if target is not None and target.kind == "hcontainer":
                target.add_text(line, end)
            continue
        sentence = p.SENTENCE_MARKER.match(line)
        if sentence is not None:
            holder = absatz or article
            satz = Node(
                id=f"{holder.id}/satz:{sentence['num']}",
                kind="sentence",
                number=sentence["num"],
                label=sentence["num"],
                start=start,
                end=end,
            )
            holder.children.append(satz)
            build.items = []
            satz.add_text(line[sentence.end() :], end)
            continue
        marker = p.PAREN_MARKER.match(line)
        if marker is not None and not marker["indent"] and marker["num"][0].isdigit():
            satz = None
            absatz = Node(
                id=f"{article.id}/abs:{marker['num']}",
                kind="paragraph",
                number=marker["num"],
                label=f"({marker['num']})",
                start=start,
                end=end,
            )
            article.children.append(absatz)
            build.items = []
            absatz.add_text(line[marker.end() :], end)
            continue
        item = p.DOT_MARKER.match(line) or p.LETTER_MARKER.match(line)
        if item is not None and (item.re is p.DOT_MARKER or line[item.end("num")] == ")"):
            indent = len(item["indent"].expandtabs(4))
            while build.items and build.items[-1][0] >= indent:
                build.items.pop()
            parent = build.items[-1][1] if build.items else (absatz or article)
            token = "nr" if item.re is p.DOT_MARKER else "buchst"
            suffix = "." if token == "nr" else ")"
            node = Node(
                id=f"{parent.id}/{token}:{item['num']}",
                kind="point",
                number=item["num"],
                label=f"{item['num']}{suffix}",
                start=start,
                end=end,
            )
            parent.children.append(node)
            build.items.append((indent, node))
            node.add_text(line[item.end() :], end)
            continue
        indent = len(line) - len(line.lstrip())
        while build.items and build.items[-1][0] >= indent:
            build.items.pop()
        target = build.items[-1][1] if build.items else (satz or absatz or article)
        target.add_text(line.replace("\\", ""), end)
    unique_ids(build.roots)
    return build.roots


def _provision_heading(title: str, start: int, end: int, token_for_section: str) -> Node | None:
    """A § or article heading as a provision node, or None."""
    found = p.PARAGRAPH_HEADING.match(title)
    if found is not None:
        token, label = token_for_section, f"§ {found['num']}"
    else:
        found = p.ARTICLE_HEADING.match(title)
        if found is None:
            return None
        token, label = "art", f"Art. {found['num']}"
    rest = _clean_heading(found["rest"])
    return Node(
        id=f"{token}:{found['num']}",
        kind="article",
        number=found["num"],
        label=label,
        heading=rest or None,
        start=start,
        end=end,
    )


def is_german(text: str) -> bool:
    return len(_GERMAN_HINTS.findall(text[:20_000])) >= 3


def text_provisions(text: str, language: str | None = None) -> list[Node]:
    """The provisions of a plain-text statute: sections ('§ 5', 'Sec. 17.50.', 'Section 12'),
    articles ('Article 6', 'Artikel 2') and containers ('PART 2', 'Chapter IV', 'Abschnitt 3')
    at the start of a line; subdivisions by their markers ('(a)', '(1)', '1.', 'a.'), the
    first kind of marker met in a provision being its first level."""
    german = language == "de" or (language is None and is_german(text))
    build = _Builder()
    levels: list[str] = []
    last_at_level: list[str] = []
    for start, end, line in _lines(text):
        stripped = line.strip()
        if not stripped:
            continue
        node = _text_provision(stripped, german, start, end)
        if node is not None:
            build.open_provision(100, node)
            levels, last_at_level = [], []
            continue
        container = _text_container(stripped)
        if container is not None:
            build.open_container(container, stripped, start, end)
            continue
        provision = build.provision
        marker = _marker(line)
        if provision is None or marker is None:
            target = build.current()
            if target is not None and (provision is not None or target.kind == "hcontainer"):
                target.add_text(line, end)
            continue
        kind, number, label, width = marker
        if kind == "paren-roman" and _continues_letters(levels, last_at_level, number):
            kind = "paren-lower"
        if kind in levels:
            depth = levels.index(kind)
            del levels[depth + 1 :]
            del last_at_level[depth:]
        else:
            depth = len(levels)
            levels.append(kind)
        last_at_level.append(number)
        parent = build.items[depth - 1][1] if depth and len(build.items) >= depth else provision
        del build.items[depth:]
        token = _level_token(provision.id, kind, depth, german)
        child = Node(
            id=f"{parent.id}/{token}:{number}",
            kind=_LEVEL_KINDS.get(token, "point"),
            number=number,
            label=label,
            start=start,
            end=end,
        )
        parent.children.append(child)
        build.items.append((depth, child))
        child.add_text(line[width:], end)
    unique_ids(build.roots)
    return build.roots


_LEVEL_KINDS = {
    "abs": "paragraph",
    "para": "paragraph",
    "subsec": "subsection",
    "subpara": "subparagraph",
    "clause": "clause",
    "subclause": "subclause",
}


def _text_provision(line: str, german: bool, start: int, end: int) -> Node | None:
    if len(line) > _MAX_HEADING:
        return None
    found = _SECTION_HEADING.match(line)
    if found is not None and found["word"] == "§" and german:
        return _provision_heading(line, start, end, token_for_section="par")
    if found is not None:
        rest = _clean_heading(found["rest"] or "").rstrip(".")
        if rest and rest[0].islower():
            return None
        word = found["word"]
        label = f"§ {found['num']}" if word == "§" else f"Section {found['num']}"
        return Node(
            id=f"sec:{found['num']}",
            kind="section",
            number=found["num"],
            label=label,
            heading=rest or None,
            start=start,
            end=end,
        )
    article = p.ARTICLE_HEADING.match(line)
    if article is not None and not (article["rest"] and article["rest"][0].islower()):
        return _provision_heading(line, start, end, token_for_section="par")
    return None


def _text_container(line: str) -> int | None:
    """The nesting level of a container heading line ('PART 2', 'Chapter 1 Definitions',
    'Abschnitt 3'), or None."""
    if len(line) > _MAX_HEADING:
        return None
    found = p.CONTAINER_NUMBERED.match(line) or p.CONTAINER_ORDINAL.match(line)
    if found is None or (found["rest"] and found["rest"][0].islower()):
        return None
    order = ("buch", "book", "teil", "part", "title", "titel", "chapter", "kapitel")
    word = found["word"].lower()
    return order.index(word) // 2 + 1 if word in order else 5


def _marker(line: str) -> tuple[str, str, str, int] | None:
    """(marker kind, number, label, length of the marker) of a subdivision line."""
    found = p.PAREN_MARKER.match(line)
    if found is not None:
        number = found["num"]
        if number[0].isdigit():
            kind = "paren-num"
        elif number.isupper():
            kind = "paren-upper"
        elif p.ROMAN_NUMERAL.match(number) and set(number) <= set("ivxl"):
            kind = "paren-roman"  # '(i)', '(iv)', '(xii)'; '(c)', '(d)' are letters
        else:
            kind = "paren-lower"
        return kind, number, f"({number})", found.end()
    found = p.DOT_MARKER.match(line)
    if found is not None:
        return "dot-num", found["num"], f"{found['num']}.", found.end()
    found = p.LETTER_MARKER.match(line)
    if found is not None:
        suffix = line[found.end("num")]
        return f"letter{suffix}", found["num"], f"{found['num']}{suffix}", found.end()
    return None


def _continues_letters(levels: list[str], last_at_level: list[str], number: str) -> bool:
    """'(i)' after '(h)' is a letter, not a roman one (also '(v)' after '(u)', '(x)' after
    '(w)')."""
    if "paren-lower" not in levels or len(number) != 1:
        return False
    depth = levels.index("paren-lower")
    previous = last_at_level[depth] if depth < len(last_at_level) else ""
    return len(previous) == 1 and ord(number) == ord(previous) + 1


def _level_token(provision_id: str, kind: str, depth: int, german: bool) -> str:
    if provision_id.startswith("par:") or (german and provision_id.startswith("art:")):
        return {"paren-num": "abs", "dot-num": "nr"}.get(kind, "buchst")
    names = _ARTICLE_LEVELS if provision_id.startswith("art:") else _SECTION_LEVELS
    return names[min(depth, len(names) - 1)]

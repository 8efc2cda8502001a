"""HTML: the visible text, headings and paragraphs on lines of their own."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html

from lexstream.ocr.errors import ExtractionError
from lexstream.ocr.extractors.base import EXTRACTOR_VERSION, ExtractionContext, ExtractionResult
from lexstream.ocr.extractors.plaintext import decode_text
from lexstream.ocr.languages import page_language
from lexstream.shared.artifacts import Page, TextDocument

_INVISIBLE = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "button",
        "select",
        "input",
        "textarea",
        "map",
    }
)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "table",
        "tr",
        "blockquote",
        "pre",
        "address",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "hr",
        "center",
        "caption",
        "tbody",
        "thead",
        "tfoot",
        "body",
        "html",
    }
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _hidden(element: lxml.html.HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(_HIDDEN_STYLE.search(element.get("style", "")))


def html_to_text(markup: str) -> tuple[str, str | None]:
    """(visible text, title) of an HTML document."""
    markup = _XML_DECL.sub("", markup)
    if not markup.strip():
        return "", None
    parser = lxml.html.HTMLParser(remove_comments=True, no_network=True, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"HTML cannot be parsed: {exc}") from exc
    title_el = root.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else None
    out: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _INVISIBLE or (tag and _hidden(element)):
            if element.tail:
                out.append(element.tail)
            return
        if tag in _HEADINGS:
            out.append("\n\n" + " ".join(element.text_content().split()) + "\n\n")
        else:
            if tag in _BLOCKS or tag == "li":
                out.append("\n")
            if tag == "li":
                out.append("- ")
            if tag == "br":
                out.append("\n")
            if tag in ("td", "th"):
                out.append("\t")
            if element.text:
                out.append(element.text)
            for child in element:
                walk(child)
            if tag in _BLOCKS or tag == "li":
                out.append("\n")
        if element.tail:
            out.append(element.tail)

    walk(root)
    return _tidy("".join(out)), title


def _tidy(text: str) -> str:
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n")]
    tidy = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", tidy).strip()


class HtmlExtractor:
    name = "html"
    media_types = frozenset({"text/html", "application/xhtml+xml"})

    def matches(self, media_type: str) -> bool:
        return media_type in self.media_types

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        data = path.read_bytes()
        declared = _META_CHARSET.search(data[:4096])
        charset = declared.group(1).decode("ascii") if declared else ctx.declared_charset
        markup, notes = decode_text(data, charset)
        text, _title = html_to_text(markup)
        if not text:
            notes.append("HTML has no visible text")
        page = Page(number=1, text=text, method="converted", language=page_language(text))
        ctx.report(1, 1)
        document = TextDocument(
            document_id=ctx.document_id,
            media_type=ctx.media_type,
            pages=[page],
            language=page.language,
            extractor=f"{EXTRACTOR_VERSION} html",
            warnings=notes,
        )
        return ExtractionResult(text=document)

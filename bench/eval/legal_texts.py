"""Plain text and labels of the labelled legal evaluation set (tests/fixtures/legal).

The service receives text from the ocr service; the evaluation reads the originals itself,
with deliberately simple extractors: pypdfium2's text layer for PDFs, element text for XML
and DOCX, the text fields of Judilibre JSON, the body of e-mails and tag-stripped HTML.
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "legal"
# The real documents are the public samples, read where they are (LEXSTREAM_SAMPLE_DATA,
# default ../shared/data); the authored ones are the project's own, in tests/fixtures.
SAMPLE_LEGAL = (
    Path(os.environ.get("LEXSTREAM_SAMPLE_DATA") or REPO_ROOT.parent / "shared" / "data") / "legal"
)
MANIFESTS = (SAMPLE_LEGAL / "manifest.tsv", FIXTURES / "authored" / "manifest.tsv")
# labels_extra.tsv for the real documents is the project's (court ids we expect, whether the
# citation labels are complete); it is the one file in tests/fixtures/legal/real.
EXTRA_LABELS = {SAMPLE_LEGAL / "manifest.tsv": FIXTURES / "real" / "labels_extra.tsv"}


@dataclass(frozen=True)
class LabelledDocument:
    path: Path
    labels: dict[str, str]

    @property
    def name(self) -> str:
        # Names (they feed the fixed dev/test split) stay as they were: real/<jurisdiction>/...
        if self.path.is_relative_to(SAMPLE_LEGAL):
            return "real/" + self.path.relative_to(SAMPLE_LEGAL).as_posix()
        return self.path.relative_to(FIXTURES).as_posix()


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load_documents() -> list[LabelledDocument]:
    """Every labelled document, in manifest order; rows whose file is missing are skipped.

    The real documents' manifest is kept as received; the court ids we expect and whether
    their citation labels are complete are in labels_extra.tsv beside it.
    """
    documents: list[LabelledDocument] = []
    for manifest in MANIFESTS:
        extra_path = EXTRA_LABELS.get(manifest, manifest.parent / "labels_extra.tsv")
        extra = (
            {row["local_path"]: row for row in _read_tsv(extra_path)}
            if extra_path.is_file()
            else {}
        )
        for row in _read_tsv(manifest):
            path = manifest.parent / row["local_path"]
            if path.is_file():
                labels = {**row, **extra.get(row["local_path"], {})}
                documents.append(LabelledDocument(path=path, labels=labels))
    return documents


def document_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix == ".docx":
        return _docx_text(path)
    if suffix == ".xml":
        return _xml_text(path.read_bytes())
    if suffix == ".json":
        return _json_text(path)
    if suffix == ".eml":
        return _email_text(path)
    if suffix in {".html", ".htm"}:
        return _html_text(_decode(path.read_bytes()))
    return _decode(path.read_bytes())


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _pdf_text(path: Path) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n\f".join(pages).replace("\r\n", "\n")
    finally:
        pdf.close()


_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "title", "td", "tc"}


def _xml_text(data: bytes) -> str:
    # Some published Akoma Ntoso files are not well-formed; lxml recovers what it can.
    root = etree.fromstring(data, parser=etree.XMLParser(recover=True, huge_tree=True))
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        local = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
        if local in {"style", "script"}:
            return
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if local in _BLOCK_TAGS or local.endswith("paragraph") or local in {"num", "heading"}:
            parts.append("\n")
        else:
            parts.append(" ")

    walk(root)
    text = "".join(parts)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text))


_WORDML_NAMESPACES = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}",
    "{http://purl.oclc.org/ooxml/wordprocessingml/main}",
)


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("word/document.xml")
    root = ElementTree.fromstring(data)
    # Transitional OOXML (what Word writes by default) or Strict OOXML (some court files).
    ns = "{" + root.tag[1:].partition("}")[0] + "}" if root.tag.startswith("{") else ""
    if ns not in _WORDML_NAMESPACES:
        ns = _WORDML_NAMESPACES[0]
    paragraphs = []
    for paragraph in root.iter(f"{ns}p"):
        runs = []
        for node in paragraph.iter():
            if node.tag == f"{ns}t" and node.text:
                runs.append(node.text)
            elif node.tag == f"{ns}tab":
                runs.append("\t")
        paragraphs.append("".join(runs))
    return "\n".join(paragraphs)


def _json_text(path: Path) -> str:
    payload = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(payload, dict) and isinstance(payload.get("text"), str):
        return str(payload["text"])
    return json.dumps(payload, ensure_ascii=False)


def _email_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    headers = "\n".join(f"{key}: {message[key]}" for key in ("From", "To", "Date", "Subject"))
    bodies: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                content = part.get_content()
            except (LookupError, ValueError):
                continue
            if part.get_content_subtype() == "html":
                content = _html_text(content)
            bodies.append(str(content))
    return headers + "\n\n" + "\n".join(bodies)


def _html_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h\d)>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup))
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text))

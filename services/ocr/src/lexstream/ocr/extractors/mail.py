"""E-mail: EML (stdlib ``email``, policy.default) and Outlook MSG (extract-msg).

The text is the main headers and the body (plain text preferred, else HTML made visible);
attachments are handed back so that ingest stores them as child documents.
"""

from __future__ import annotations

import email.errors
import email.utils
import mimetypes
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from lexstream.ocr.errors import ExtractionError
from lexstream.ocr.extractors.base import (
    EXTRACTOR_VERSION,
    Attachment,
    ExtractionContext,
    ExtractionResult,
)
from lexstream.ocr.extractors.html import html_to_text
from lexstream.ocr.extractors.metadata import mail_header_date
from lexstream.ocr.languages import page_language
from lexstream.shared.artifacts import EmailHeaders, Page, TextDocument
from lexstream.shared.threads import parse_references

_HEADERS = ("From", "To", "Cc", "Date", "Subject")
_FATAL_MULTIPART = (
    email.errors.StartBoundaryNotFoundDefect,
    email.errors.NoBoundaryInMultipartDefect,
    email.errors.MultipartInvariantViolationDefect,
)


def _mail_document(
    ctx: ExtractionContext,
    headers: list[tuple[str, str]],
    body: str,
    notes: list[str],
    kind: str,
    sent: object = None,
    envelope: EmailHeaders | None = None,
) -> TextDocument:
    """``sent``: the Date header's value (a datetime from Outlook), the document's date."""
    head = "\n".join(f"{name}: {value}" for name, value in headers if value)
    text = f"{head}\n\n{body.strip()}".strip()
    page = Page(number=1, text=text, method="converted", language=page_language(body))
    ctx.report(1, 1)
    return TextDocument(
        document_id=ctx.document_id,
        media_type=ctx.media_type,
        pages=[page],
        language=page.language,
        extractor=f"{EXTRACTOR_VERSION} {kind}",
        warnings=notes,
        metadata_date=mail_header_date(sent),
        email=envelope,
    )


def _addresses(value: object) -> list[str]:
    """The addresses of a To/Cc header, each as written (``Name <addr>``)."""
    text = str(value or "")
    return [
        email.utils.formataddr((name, addr)) if name else addr
        for name, addr in email.utils.getaddresses([text])
        if addr
    ]


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return email.utils.parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError):
        return None


def _one_id(value: object) -> str | None:
    ids = parse_references(str(value or ""))
    return ids[0] if ids else None


def mail_envelope(
    headers: dict[str, object], body: str, attachments: list[Attachment]
) -> EmailHeaders:
    """The e-mail fields the index stores and threads are made from."""
    return EmailHeaders(
        sender=str(headers.get("From") or "") or None,
        to=_addresses(headers.get("To")),
        cc=_addresses(headers.get("Cc")),
        date=_when(headers.get("Date")),
        subject=str(headers.get("Subject") or "") or None,
        message_id=_one_id(headers.get("Message-ID")),
        in_reply_to=_one_id(headers.get("In-Reply-To")),
        references=parse_references(str(headers.get("References") or "")),
        body=body[:200_000],
        attachments=[a.filename for a in attachments],
    )


def _filename(name: str | None, media_type: str, number: int) -> str:
    if name:
        return Path(name.replace("\\", "/")).name or f"attachment-{number}"
    return f"attachment-{number}{mimetypes.guess_extension(media_type) or '.bin'}"


class EmlExtractor:
    name = "eml"
    media_types = frozenset({"message/rfc822", "message/global"})

    def matches(self, media_type: str) -> bool:
        return media_type in self.media_types

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        with path.open("rb") as handle:
            message = BytesParser(policy=policy.default).parse(handle)
        assert isinstance(message, EmailMessage)
        if not message.keys():
            raise ExtractionError("not an e-mail message: it has no header fields")
        notes: list[str] = []
        self._check(message, ctx.options.max_mime_depth, notes, depth=1, where="message")

        body_part = message.get_body(preferencelist=("plain", "html"))
        body = self._part_text(body_part, notes) if body_part is not None else ""
        broken = any(isinstance(d, _FATAL_MULTIPART) for d in message.defects)
        if broken and not body.strip():
            # The structure is broken: fall back to the raw body so the words stay searchable.
            raw = message.get_payload()
            body = raw if isinstance(raw, str) else ""
            if not body.strip():
                raise ExtractionError(
                    "malformed MIME structure: the multipart message has no usable boundary"
                    " and no readable body"
                )
            notes.append("malformed MIME structure: body recovered as raw text")

        attachments: list[Attachment] = []
        self._collect(message, body_part, attachments, ctx.options.max_attachments, notes)
        headers = [(name, str(message.get(name, "") or "")) for name in _HEADERS]
        named = {
            name: message.get(name)
            for name in (*_HEADERS, "Message-ID", "In-Reply-To", "References")
        }
        envelope = mail_envelope(named, body, attachments)
        text = _mail_document(
            ctx, headers, body, notes, "eml", sent=message.get("Date"), envelope=envelope
        )
        return ExtractionResult(text=text, attachments=attachments)

    def _check(
        self, part: Message, max_depth: int, notes: list[str], depth: int, where: str
    ) -> None:
        if depth > max_depth:
            raise ExtractionError(f"malformed MIME structure: parts nested deeper than {max_depth}")
        for defect in part.defects:
            notes.append(f"malformed MIME ({where}): {type(defect).__name__}: {defect}")
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                for n, child in enumerate(payload, start=1):
                    self._check(child, max_depth, notes, depth + 1, f"{where}/part {n}")

    @staticmethod
    def _part_text(part: Message, notes: list[str]) -> str:
        try:
            content = part.get_content()  # type: ignore[attr-defined]
        except (LookupError, ValueError, AssertionError) as exc:
            notes.append(f"body could not be decoded ({exc}); bytes read as UTF-8")
            raw = part.get_payload(decode=True)
            content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
        if not isinstance(content, str):
            return ""
        if part.get_content_type() == "text/html":
            return html_to_text(content)[0]
        return content

    def _collect(
        self,
        message: Message,
        body_part: Message | None,
        out: list[Attachment],
        limit: int,
        notes: list[str],
    ) -> None:
        stack: list[Message] = [message]
        while stack:
            part = stack.pop(0)
            if part is body_part:
                continue
            content_type = part.get_content_type()
            is_attachment = part.get_content_disposition() == "attachment" or part.get_filename()
            if part.is_multipart() and not content_type.startswith("message/"):
                payload = part.get_payload()
                if isinstance(payload, list):
                    stack.extend(child for child in payload if isinstance(child, Message))
                continue
            if part is message:
                continue
            if not is_attachment and content_type in ("text/plain", "text/html"):
                continue  # an alternative rendering of the body
            if len(out) >= limit:
                notes.append(f"more than {limit} attachments; the rest were skipped")
                return
            if content_type.startswith("message/"):
                inner = part.get_payload()
                nested = inner[0] if isinstance(inner, list) and inner else None
                data = (
                    nested.as_bytes(policy=policy.default) if isinstance(nested, Message) else b""
                )
            else:
                decoded = part.get_payload(decode=True)
                data = decoded if isinstance(decoded, bytes) else b""
            out.append(
                Attachment(
                    filename=_filename(part.get_filename(), content_type, len(out) + 1),
                    media_type=content_type,
                    data=data,
                )
            )


class MsgExtractor:
    name = "msg"
    media_types = frozenset({"application/vnd.ms-outlook", "application/x-msg"})

    def matches(self, media_type: str) -> bool:
        return media_type in self.media_types

    def extract(self, path: Path, ctx: ExtractionContext) -> ExtractionResult:
        import extract_msg

        try:
            message: Any = extract_msg.openMsg(str(path), delayAttachments=False)
        except Exception as exc:  # extract-msg raises many kinds for a broken OLE file
            raise ExtractionError(f"Outlook message cannot be read: {exc}") from exc
        notes: list[str] = []
        try:
            body = message.body or ""
            if not body.strip() and message.htmlBody:
                html = message.htmlBody
                body = html_to_text(
                    html.decode("utf-8", "replace") if isinstance(html, bytes) else html
                )[0]
            headers = [
                ("From", message.sender or ""),
                ("To", message.to or ""),
                ("Cc", message.cc or ""),
                ("Date", str(message.date or "")),
                ("Subject", message.subject or ""),
            ]
            sent = message.date
            attachments = self._attachments(message, ctx.options.max_attachments, notes)
            named: dict[str, object] = dict(headers)
            for field, attribute in (
                ("Message-ID", "messageId"),
                ("In-Reply-To", "inReplyTo"),
                ("References", "references"),
            ):
                named[field] = getattr(message, attribute, None)
            named["Date"] = sent
            envelope = mail_envelope(named, body, attachments)
        finally:
            message.close()
        return ExtractionResult(
            text=_mail_document(ctx, headers, body, notes, "msg", sent=sent, envelope=envelope),
            attachments=attachments,
        )

    @staticmethod
    def _attachments(message: Any, limit: int, notes: list[str]) -> list[Attachment]:
        out: list[Attachment] = []
        for attachment in message.attachments:
            if len(out) >= limit:
                notes.append(f"more than {limit} attachments; the rest were skipped")
                break
            name = attachment.longFilename or attachment.shortFilename or None
            data = attachment.data
            if isinstance(data, bytes):
                media_type = (
                    getattr(attachment, "mimetype", None)
                    or mimetypes.guess_type(name or "")[0]
                    or "application/octet-stream"
                )
            elif hasattr(data, "exportBytes"):  # an embedded Outlook message
                data, media_type = data.exportBytes(), "application/vnd.ms-outlook"
                name = name or f"attachment-{len(out) + 1}.msg"
            else:
                notes.append(f"attachment {name or len(out) + 1} skipped: no readable data")
                continue
            out.append(Attachment(_filename(name, media_type, len(out) + 1), media_type, data))
        return out

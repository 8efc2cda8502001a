"""E-mail threads in the search index: re-evaluated over the thread when messages arrive.

At index time a message gets the thread id its headers name and ``inclusive: true``
(:func:`lexstream.index.documents.email_fields`). Whether it stays inclusive depends on the
messages that come later, and a message whose headers name no thread (a client that drops
``References``) belongs to one only by subject or quoted text; so once a batch is written and
searchable, :meth:`MailThreads.assign` gathers, per tenant and matter (threads never cross a
matter: a caller who sees one message of a thread in matter A learns nothing of matter B):

- the messages of the batch's thread ids, of the ids their headers name, of the messages that
  name them, and of their normalised subjects;
- then the whole threads of everything found;

runs :func:`lexstream.shared.threads.assign_threads` over them and writes ``thread_id``,
``inclusive`` and ``duplicate_of`` where they changed, as partial updates. A redelivered
batch does it again and finds nothing to change. The look-up is bounded
(``max_candidates``): a thread larger than that is evaluated on its first messages, and a
warning says so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch

from lexstream.index.bulk import BulkAction, BulkWriter
from lexstream.shared.threads import MailFacts, assign_threads, split_quoted, words

log = logging.getLogger(__name__)

#: words of a message's own or quoted text searched as a phrase to find related messages
PHRASE_WORDS = 12
MIN_PHRASE_WORDS = 5

_SOURCE = [
    "document_id",
    "tenant",
    "matter_id",
    "content",
    "email",
    "thread_id",
    "inclusive",
    "duplicate_of",
]


def mail_body(content: str) -> str:
    """The body of an e-mail's indexed text: what follows the header block."""
    _head, _sep, body = content.partition("\n\n")
    return body


def facts_of(doc: dict[str, Any]) -> MailFacts:
    mail: dict[str, Any] = doc.get("email") or {}
    return MailFacts(
        key=doc["document_id"],
        message_id=mail.get("message_id"),
        in_reply_to=mail.get("in_reply_to"),
        references=list(mail.get("references") or []),
        subject=mail.get("subject"),
        sender=mail.get("from"),
        date=mail.get("date"),
        body=mail_body(doc.get("content") or ""),
        attachments=list(mail.get("attachments") or []),
    )


class MailThreads:
    def __init__(
        self,
        es: AsyncElasticsearch,
        alias: str,
        writer: BulkWriter,
        *,
        max_candidates: int = 2000,
    ) -> None:
        self.es = es
        self.alias = alias
        self.writer = writer
        self.max_candidates = max_candidates

    async def assign(self, docs: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Re-evaluate the threads of the e-mails among ``docs`` (written and searchable);
        the changes written, by document id."""
        scopes: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        for doc in docs:
            if doc.get("email"):
                scopes.setdefault((doc["tenant"], doc.get("matter_id")), []).append(doc)
        changed: dict[str, dict[str, Any]] = {}
        for (tenant, matter_id), mails in scopes.items():
            changed.update(await self._assign_scope(tenant, matter_id, mails))
        return changed

    def _scope_filter(self, tenant: str, matter_id: str | None) -> list[dict[str, Any]]:
        matter: dict[str, Any] = (
            {"term": {"matter_id": matter_id}}
            if matter_id
            else {"bool": {"must_not": {"exists": {"field": "matter_id"}}}}
        )
        return [{"term": {"tenant": tenant}}, matter, {"exists": {"field": "email"}}]

    async def _find(
        self, scope: list[dict[str, Any]], should: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        if not should:
            return []
        result = await self.es.search(
            index=self.alias,
            query={"bool": {"filter": scope, "should": should, "minimum_should_match": 1}},
            size=self.max_candidates,
            sort=[{"document_id": "asc"}],
            source_includes=_SOURCE,
        )
        hits = result["hits"]["hits"]
        if len(hits) >= self.max_candidates:
            log.warning("a thread look-up stopped at %d messages", self.max_candidates)
        return [{**hit["_source"], "document_id": hit["_id"]} for hit in hits]

    @staticmethod
    def _links(docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        threads: set[str] = set()
        ids: set[str] = set()
        subjects: set[str] = set()
        for doc in docs:
            mail = doc.get("email") or {}
            if doc.get("thread_id"):
                threads.add(doc["thread_id"])
            ids.update(i for i in [mail.get("message_id"), mail.get("in_reply_to")] if i)
            ids.update(mail.get("references") or [])
            if mail.get("normalized_subject"):
                subjects.add(mail["normalized_subject"])
        should: list[dict[str, Any]] = []
        if threads:
            should.append({"terms": {"thread_id": sorted(threads)}})
        if ids:
            for field in ("email.message_id", "email.in_reply_to", "email.references"):
                should.append({"terms": {field: sorted(ids)}})
        if subjects:
            should.append({"terms": {"email.normalized_subject": sorted(subjects)}})
        # the quoted-text links: messages quoting this one's words (they may contain it),
        # and the message whose words this one quotes (headers and subject may say nothing)
        for doc in docs:
            own, quoted = split_quoted(mail_body(doc.get("content") or ""))
            quoted = "\n".join(
                line.lstrip("> ") for line in quoted.splitlines() if line.startswith(">")
            )
            for text in (own, quoted):
                phrase = " ".join(words(text).split()[:PHRASE_WORDS])
                if len(phrase.split()) >= MIN_PHRASE_WORDS:
                    should.append({"match_phrase": {"content": phrase}})
        return should

    async def _assign_scope(
        self, tenant: str, matter_id: str | None, mails: list[dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        scope = self._scope_filter(tenant, matter_id)
        found = {d["document_id"]: d for d in await self._find(scope, self._links(mails))}
        for doc in mails:  # what the index holds wins: it was written, maybe updated since
            found.setdefault(doc["document_id"], doc)
        # the whole threads of what was found: a merge touches every message of both
        more = await self._find(
            scope,
            [
                {
                    "terms": {
                        "thread_id": sorted(
                            {d["thread_id"] for d in found.values() if d.get("thread_id")}
                        )
                    }
                }
            ]
            if any(d.get("thread_id") for d in found.values())
            else [],
        )
        for doc in more:
            found.setdefault(doc["document_id"], doc)
        marks = assign_threads([facts_of(d) for d in found.values()])
        changes: dict[str, dict[str, Any]] = {}
        for key, mark in marks.items():
            doc = found[key]
            update = {
                "thread_id": mark.thread_id,
                "inclusive": mark.inclusive,
                "duplicate_of": mark.duplicate_of,
            }
            if any(doc.get(name) != value for name, value in update.items()):
                changes[key] = update
        if not changes:
            return {}
        actions = [
            BulkAction(key, self.alias, {"doc": update}, op="update", meta={"retry_on_conflict": 3})
            for key, update in sorted(changes.items())
        ]
        result = await self.writer.write(actions)
        for key, reason in result.failed.items():
            log.warning("document %s: its thread was not updated: %s", key, reason)
        for doc in mails:
            doc.update(changes.get(doc["document_id"], {}))
        return {k: v for k, v in changes.items() if k in result.written}

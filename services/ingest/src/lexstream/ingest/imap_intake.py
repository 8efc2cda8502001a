"""The ingest service's IMAP pollers: each configured mailbox polled in the background, each
new message an ``.eml`` document in its folder's matter (see :mod:`lexstream.ingest.imap` for
the UID bookkeeping).

A message goes through the same pipeline as an upload: content-addressed, idempotent by its
``external_id`` (``imap:<user>@<host>/<folder>/<uidvalidity>/<uid>``), so a message taken again
after a crash between submit and mark is the same document. The .eml is then expanded by the
pipeline like any uploaded one (body text, attachments as children, threading fields).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path

from lexstream.ingest.imap import ImapAccount, ImapMessage, ObjectState, Submit, run_poller
from lexstream.ingest.intake import spool_stream
from lexstream.ingest.pipeline import IngestPipeline, Submission
from lexstream.ingest.settings import ImapAccountSetting, IngestSettings
from lexstream.shared.events import Provenance
from lexstream.shared.storage import ObjectStore

log = logging.getLogger(__name__)

MEDIA_TYPE = "message/rfc822"


def account_of(setting: ImapAccountSetting) -> ImapAccount:
    return ImapAccount(
        host=setting.host,
        port=setting.port,
        user=setting.user,
        password=setting.password.get_secret_value(),
        folders=dict(setting.folders),
        ssl=setting.ssl,
        batch=setting.batch,
    )


def state_key(account: ImapAccount) -> str:
    """Where the account's UID state lives in the derived bucket (no address in the key)."""
    name = hashlib.sha256(f"{account.user}@{account.host}:{account.port}".encode()).hexdigest()
    return f"_ingest/imap/{name[:32]}.json"


def submitter(settings: IngestSettings, pipeline: IngestPipeline, account: ImapAccount) -> Submit:
    """Hands one message to the pipeline, as the upload route hands a file."""

    async def chunks(raw: bytes) -> AsyncIterator[bytes]:
        yield raw

    async def submit(message: ImapMessage) -> str:
        path: Path
        path, sha256, size = await spool_stream(
            chunks(message.raw), settings.spool_dir, settings.max_upload_bytes
        )
        try:
            outcome = await pipeline.ingest(
                Submission(
                    path=path,
                    sha256=sha256,
                    size=size,
                    filename=message.filename,
                    provenance=Provenance(
                        intake="imap",
                        source=f"imap:{account.user}@{account.host}",
                        external_id=message.external_id,
                    ),
                    tenant=settings.tenant,
                    matter_id=message.matter_id,
                    declared_media_type=MEDIA_TYPE,
                )
            )
        finally:
            path.unlink(missing_ok=True)
        log.info(
            "IMAP message taken",
            extra={
                "document_id": outcome.document_id,
                "status": outcome.status,
                "folder": message.folder,
                "uid": message.uid,
            },
        )
        return outcome.document_id

    return submit


def pollers(
    settings: IngestSettings, pipeline: IngestPipeline, store: ObjectStore
) -> list[Callable[[], Awaitable[None]]]:
    """One background loop per configured mailbox (none by default)."""
    loops: list[Callable[[], Awaitable[None]]] = []
    for setting in settings.imap_accounts:
        account = account_of(setting)
        loops.append(
            partial(
                run_poller,
                account,
                ObjectState(store, state_key(account)),
                submitter(settings, pipeline, account),
                interval_s=settings.imap_poll_interval_s,
            )
        )
    return loops

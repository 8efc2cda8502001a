"""``python -m lexstream.index [serve | bootstrap | reindex | rerun]``.

* ``serve`` (default): the index worker.
* ``bootstrap``: index templates, the write alias, the status index and the buckets (see
  :mod:`lexstream.index.bootstrap`).
* ``reindex [--delete-old]``: copy the documents into a new index from the current template
  and swap the alias, without downtime (see :mod:`lexstream.index.reindex`).
* ``rerun --document ID [--document ID ...] | --matter M | --all [--outdated]``: re-extract
  and re-index from the stored text and transcripts, without OCR or transcription (see
  :mod:`lexstream.index.rerun`).

``reindex`` and ``rerun`` write a JSON report on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from lexstream.index.app import create_app
from lexstream.index.bootstrap import bootstrap, bootstrap_indices
from lexstream.index.settings import IndexSettings
from lexstream.shared.logs import setup_logging
from lexstream.shared.search import make_search_client
from lexstream.shared.storage import ObjectStore
from lexstream.shared.worker import serve


async def _reindex(settings: IndexSettings, args: argparse.Namespace) -> dict[str, Any]:
    from lexstream.index.reindex import reindex

    es = make_search_client(settings)
    try:
        report = await reindex(es, settings, delete_old=args.delete_old)
    finally:
        await es.close()
    return report.as_dict()


async def _rerun(settings: IndexSettings, args: argparse.Namespace) -> dict[str, Any]:
    from lexstream.index.extraction import warm_up
    from lexstream.index.rerun import Rerun

    await asyncio.to_thread(warm_up)
    es = make_search_client(settings)
    try:
        await bootstrap_indices(es, settings)
        report = await Rerun(settings, es, ObjectStore(settings)).run(
            document_ids=args.document or (),
            matter_id=args.matter,
            everything=args.all,
            outdated_only=args.outdated,
        )
    finally:
        await es.close()
    return report.as_dict()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lexstream.index")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the index worker (the default)")
    commands.add_parser("bootstrap", help="index templates, alias, status index, buckets")
    reindex = commands.add_parser("reindex", help="new backing index, then swap the alias")
    reindex.add_argument("--delete-old", action="store_true", help="delete the old index after")
    rerun = commands.add_parser("rerun", help="re-extract and re-index from stored text")
    which = rerun.add_mutually_exclusive_group(required=True)
    which.add_argument("--document", action="append", metavar="ID", help="a document id")
    which.add_argument("--matter", metavar="M", help="every document of a matter")
    which.add_argument("--all", action="store_true", help="every document")
    rerun.add_argument(
        "--outdated", action="store_true", help="only documents of another extractor version"
    )
    return parser


def main() -> None:
    args = _parser().parse_args()
    settings = IndexSettings()
    command = args.command or "serve"
    if command == "serve":
        serve(create_app(settings), settings.health_host, settings.health_port)
        return
    setup_logging("index", settings.log_level)
    if command == "bootstrap":
        asyncio.run(bootstrap(settings))
        return
    run = _reindex if command == "reindex" else _rerun
    report = asyncio.run(run(settings, args))
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    if report.get("failed"):
        sys.exit(1)


if __name__ == "__main__":
    main()

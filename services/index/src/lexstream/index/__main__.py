"""``python -m lexstream.index [serve|bootstrap]``."""

from __future__ import annotations

import argparse
import asyncio

from lexstream.index.app import create_app
from lexstream.index.settings import IndexSettings
from lexstream.shared.search import bootstrap_indices, make_search_client
from lexstream.shared.storage import ObjectStore
from lexstream.shared.worker import serve


async def _bootstrap(settings: IndexSettings) -> None:
    es = make_search_client(settings)
    try:
        await bootstrap_indices(es, settings)
    finally:
        await es.close()
    await ObjectStore(settings).bootstrap()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lexstream.index")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "bootstrap"])
    args = parser.parse_args()
    settings = IndexSettings()
    if args.command == "bootstrap":
        asyncio.run(_bootstrap(settings))
    else:
        serve(create_app(settings), settings.health_host, settings.health_port)


if __name__ == "__main__":
    main()

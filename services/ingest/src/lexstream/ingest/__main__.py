"""``python -m lexstream.ingest``: run the ingest service."""

from __future__ import annotations

import uvicorn

from lexstream.ingest.app import create_app
from lexstream.ingest.settings import IngestSettings


def main() -> None:
    settings = IngestSettings()
    uvicorn.run(
        create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None
    )


if __name__ == "__main__":
    main()

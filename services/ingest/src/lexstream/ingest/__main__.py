"""``python -m lexstream.ingest``: run the ingest service (upload API, health, consumers)."""

from __future__ import annotations

import ctypes

from lexstream.ingest.app import create_app
from lexstream.ingest.settings import IngestSettings
from lexstream.shared.worker import serve


def _return_large_buffers_to_the_os() -> None:
    """glibc raises its mmap threshold after large buffers are freed, after which 8-16 MB
    upload parts come from (and stay in) the heap; a fixed threshold keeps RSS flat."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


def main() -> None:
    _return_large_buffers_to_the_os()
    settings = IngestSettings()
    serve(create_app(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()

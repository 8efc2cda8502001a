"""A real IMAP server for the tests: GreenMail on loopback (deploy/local/greenmail.sh)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "local" / "greenmail.sh"
IMAP_PORT = 3143


@contextmanager
def greenmail_running() -> Iterator[int]:
    """GreenMail's IMAP port; the server is stopped again only where this started it."""
    running = subprocess.run([SCRIPT, "status"], capture_output=True, check=False).returncode == 0
    if not running:
        subprocess.run([SCRIPT, "start"], check=True, timeout=300)
    try:
        yield IMAP_PORT
    finally:
        if not running:
            subprocess.run([SCRIPT, "stop"], check=False, timeout=60)

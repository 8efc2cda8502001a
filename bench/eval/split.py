"""The fixed development/test split of every labelled set.

A document belongs to the development half when the first byte of the SHA-256 of its name
(the collection-relative name the evaluation prints, e.g. 'corpus/uk-tna/test12.docx' or
'real/US-FED/...') is below 128, else to the test half. Rules and thresholds are written
and tuned against the development half only; the test half is what the README quotes.
The rule never changes: a document keeps its half for as long as its name does.
"""

from __future__ import annotations

import hashlib

DEV = "dev"
TEST = "test"


def half_of(name: str) -> str:
    """'dev' or 'test' for a document's name."""
    return DEV if hashlib.sha256(name.encode("utf-8")).digest()[0] < 128 else TEST


if __name__ == "__main__":
    import sys

    for line in sys.stdin:
        name = line.strip()
        if name:
            print(f"{half_of(name)}\t{name}")

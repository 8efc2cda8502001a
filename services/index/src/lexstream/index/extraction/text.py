"""The bounds on how much text each step reads, and the clean-up it reads it with."""

from __future__ import annotations

import re

from lexstream.shared.legal import text as _shared
from lexstream.shared.legal.text import squash

# Bounds: every expensive step reads a prefix of the text, so 50 MB of text costs no more
# than these prefixes do. Citations are searched in the first MAX_CITATION_CHARS characters
# by the regular-expression families and in the first MAX_EYECITE_CHARS by eyecite.
MAX_CITATION_CHARS = 1_000_000
MAX_EYECITE_CHARS = 250_000
HEADER_CHARS = 6_000
LANGUAGE_SAMPLE_CHARS = 4_000
MAX_CITATIONS = 5_000

# The characters shared clean() maps, found by one character-class scan: str.translate
# with a dict looks every character of the text up (about 5x slower on a megabyte).
_LOOKALIKE = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in _shared._ONE_FOR_ONE) + "\ud800-\udfff]"
)
_REPLACEMENT = {chr(code): value for code, value in _shared._TRANSLATION.items()}


def clean(text: str) -> str:
    """lexstream.shared.legal.text.clean, the same characters for the same characters
    (offsets kept), without a dictionary look-up per character."""
    return _LOOKALIKE.sub(lambda found: _REPLACEMENT[found.group()], text)


__all__ = [
    "HEADER_CHARS",
    "LANGUAGE_SAMPLE_CHARS",
    "MAX_CITATIONS",
    "MAX_CITATION_CHARS",
    "MAX_EYECITE_CHARS",
    "clean",
    "squash",
]
